#include "metrics/PrometheusText.h"

#include <QTest>

using namespace echw::prometheus;

class TestPrometheusText : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rendersCountersAndGaugesWithHelpAndType()
    {
        Family requests;
        requests.name = "x_requests_total";
        requests.help = "Requests served.";
        requests.type = Family::Type::Counter;
        requests.samples = {Sample{{{"code", "200"}, {"method", "get"}}, 1027},
                            Sample{{{"code", "400"}, {"method", "post"}}, 3}};
        Family temperature;
        temperature.name = "x_temperature_celsius";
        temperature.help = "Now.";
        temperature.type = Family::Type::Gauge;
        temperature.samples = {Sample{{}, -4.5}};

        QCOMPARE(render({requests, temperature}),
                 QByteArray("# HELP x_requests_total Requests served.\n"
                            "# TYPE x_requests_total counter\n"
                            "x_requests_total{code=\"200\",method=\"get\"} 1027\n"
                            "x_requests_total{code=\"400\",method=\"post\"} 3\n"
                            "# HELP x_temperature_celsius Now.\n"
                            "# TYPE x_temperature_celsius gauge\n"
                            "x_temperature_celsius -4.5\n"));
    }

    void rendersHistogramBucketsCumulativeWithInfSumAndCount()
    {
        Family latency;
        latency.name = "x_latency_seconds";
        latency.help = "Latency.";
        latency.type = Family::Type::Histogram;
        HistogramSample histogram;
        histogram.labels = {{"route", "direct"}};
        histogram.upperBounds = {0.05, 0.1, 1};
        histogram.bucketCounts = {2, 0, 3, 1};
        histogram.sum = 2.75;
        latency.histograms = {histogram};

        QCOMPARE(render({latency}),
                 QByteArray("# HELP x_latency_seconds Latency.\n"
                            "# TYPE x_latency_seconds histogram\n"
                            "x_latency_seconds_bucket{route=\"direct\",le=\"0.05\"} 2\n"
                            "x_latency_seconds_bucket{route=\"direct\",le=\"0.1\"} 2\n"
                            "x_latency_seconds_bucket{route=\"direct\",le=\"1\"} 5\n"
                            "x_latency_seconds_bucket{route=\"direct\",le=\"+Inf\"} 6\n"
                            "x_latency_seconds_sum{route=\"direct\"} 2.75\n"
                            "x_latency_seconds_count{route=\"direct\"} 6\n"));
    }

    void rendersAnEmptyHistogram()
    {
        Family family;
        family.name = "x_seconds";
        family.help = "H";
        family.type = Family::Type::Histogram;
        HistogramSample histogram;
        histogram.upperBounds = {1};
        histogram.bucketCounts = {0, 0};
        family.histograms = {histogram};
        QCOMPARE(render({family}), QByteArray("# HELP x_seconds H\n"
                                              "# TYPE x_seconds histogram\n"
                                              "x_seconds_bucket{le=\"1\"} 0\n"
                                              "x_seconds_bucket{le=\"+Inf\"} 0\n"
                                              "x_seconds_sum 0\n"
                                              "x_seconds_count 0\n"));
    }

    void escapesLabelValuesAndHelp()
    {
        QCOMPARE(escapeLabelValue("a\\b\"c\nd"), QByteArray("a\\\\b\\\"c\\nd"));
        // HELP keeps double quotes as they are.
        QCOMPARE(escapeHelp("a\\b\"c\nd"), QByteArray("a\\\\b\"c\\nd"));

        Family family;
        family.name = "x_info";
        family.help = "Line one\nline \\two";
        family.type = Family::Type::Gauge;
        family.samples = {Sample{{{"version", "1\"\n\\"}}, 1}};
        QCOMPARE(render({family}), QByteArray("# HELP x_info Line one\\nline \\\\two\n"
                                              "# TYPE x_info gauge\n"
                                              "x_info{version=\"1\\\"\\n\\\\\"} 1\n"));
    }

    void formatsValuesAsGoReadsThem()
    {
        QCOMPARE(formatValue(0), QByteArray("0"));
        QCOMPARE(formatValue(123456789), QByteArray("123456789"));
        QCOMPARE(formatValue(0.005), QByteArray("0.005"));
        QCOMPARE(formatValue(1e-05), QByteArray("1e-05"));
        QCOMPARE(formatValue(1.7e9 + 0.25), QByteArray("1700000000.25"));
        QCOMPARE(formatValue(std::numeric_limits<double>::infinity()), QByteArray("+Inf"));
        QCOMPARE(formatValue(-std::numeric_limits<double>::infinity()), QByteArray("-Inf"));
        QCOMPARE(formatValue(std::numeric_limits<double>::quiet_NaN()), QByteArray("NaN"));
    }
};

QTEST_GUILESS_MAIN(TestPrometheusText)
#include "tst_prometheustext.moc"
