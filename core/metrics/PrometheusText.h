#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <vector>

// The Prometheus text exposition format 0.0.4: pure rendering of metric families, with the
// escaping rules of HELP lines and label values. Nothing here knows what is measured.
namespace echw::prometheus {

// What the HTTP response's Content-Type says for this format.
inline constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

struct Label {
    QByteArray name;  // [a-zA-Z_][a-zA-Z0-9_]*, never starting with "__"
    QByteArray value; // any UTF-8; escaped when rendered
};

struct Sample {
    QList<Label> labels;
    double value = 0;
};

struct HistogramSample {
    QList<Label> labels;
    std::vector<double> upperBounds; // ascending, without +Inf
    // Observations per bucket, not cumulative: one per upper bound, then those above them all.
    std::vector<quint64> bucketCounts;
    double sum = 0;
};

struct Family {
    enum class Type { Counter, Gauge, Histogram };

    QByteArray name;
    QByteArray help; // UTF-8; escaped when rendered
    Type type = Type::Counter;
    QList<Sample> samples;             // counters and gauges
    QList<HistogramSample> histograms; // histograms
};

// The whole exposition, one family after the other in the given order.
QByteArray render(const QList<Family>& families);

// A sample value as Go's strconv.ParseFloat reads it: the shortest text that reads back to the
// same double, "+Inf", "-Inf" or "NaN".
QByteArray formatValue(double value);
// Label values escape backslash, double quote and line feed; HELP text backslash and line feed.
QByteArray escapeLabelValue(QByteArrayView value);
QByteArray escapeHelp(QByteArrayView help);

} // namespace echw::prometheus
