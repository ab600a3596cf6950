#include "dashboard/CustomPlot.h"
#include "dashboard/ThroughputChart.h"

#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

using echw::ThroughputChart;
using Window = echw::ThroughputChart::Window;

namespace {

struct TestClock {
    qint64 nowMs = 1'000'000;
    echw::ThroughputHistory::Clock clock()
    {
        return [this] {
            return nowMs;
        };
    }
};

} // namespace

class TestThroughputChart : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void drawsNothingWhileHiddenAndEverythingWhenShown()
    {
        ThroughputChart chart;
        auto* plot = chart.findChild<QCustomPlot*>();
        QVERIFY(plot);
        QCoreApplication::processEvents(); // QCustomPlot queues one replot of its own when built
        QSignalSpy replots(plot, &QCustomPlot::afterReplot);
        for (int i = 0; i < 7; ++i)
            chart.add(1000, 2000);
        QCoreApplication::processEvents();
        QCOMPARE(replots.count(), 0);
        QCOMPARE(chart.pointCount(), 0);

        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        QCOMPARE(chart.pointCount(), 7);
        QTRY_VERIFY(replots.count() > 0);

        chart.add(1000, 2000);
        QCOMPARE(chart.pointCount(), 8);
    }

    void windowButtonsSwitchToFiveSecondAverages()
    {
        TestClock time;
        ThroughputChart chart(nullptr, time.clock());
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        for (int i = 0; i < 12; ++i) {
            time.nowMs += 1000;
            chart.add(0, 4096);
        }
        QCOMPARE(chart.timeWindow(), Window::OneMinute);
        QCOMPARE(chart.pointCount(), 12);

        auto* tenMinutes = chart.findChild<QToolButton*>(QStringLiteral("tenMinutesButton"));
        QVERIFY(tenMinutes);
        tenMinutes->click();
        QCOMPARE(chart.timeWindow(), Window::TenMinutes);
        QCOMPARE(chart.pointCount(), 3); // the 5-second buckets 0-4 s, 5-9 s and 10-12 s
        // Ten minutes read in minutes.
        auto* plot = chart.findChild<QCustomPlot*>();
        QCOMPARE(plot->xAxis->label(), QStringLiteral("minutes"));
        QCOMPARE(plot->xAxis->range().lower, -10.0);

        chart.findChild<QToolButton*>(QStringLiteral("oneMinuteButton"))->click();
        QCOMPARE(chart.timeWindow(), Window::OneMinute);
        QCOMPARE(chart.pointCount(), 12);
        QCOMPARE(plot->xAxis->label(), QStringLiteral("seconds"));
        QCOMPARE(plot->xAxis->range().lower, -60.0);
    }

    void whileStoppedTheTimeAxisMovesOnAndOldTrafficLeaves()
    {
        TestClock time;
        ThroughputChart chart(nullptr, time.clock());
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        for (int i = 0; i < 5; ++i) {
            time.nowMs += 1000;
            chart.add(1000, 1000);
        }
        QCOMPARE(chart.pointCount(), 5);
        // No samples come (stopped) while two minutes pass: the chart redraws by itself.
        time.nowMs += 120'000;
        QTRY_COMPARE_WITH_TIMEOUT(chart.pointCount(), 0, 4 * ThroughputChart::kIdleRedrawMs);
    }

    void separateScalesGiveTheUploadAnAxisOfItsOwn()
    {
        TestClock time;
        ThroughputChart chart(nullptr, time.clock());
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        time.nowMs += 1000;
        chart.add(2.0 * 1024, 50.0 * 1024 * 1024);
        auto* plot = chart.findChild<QCustomPlot*>();
        QVERIFY(!plot->yAxis2->visible());

        chart.findChild<QToolButton*>(QStringLiteral("separateScalesButton"))->click();
        QVERIFY(chart.separateScales());
        plot->replot();
        QVERIFY(plot->yAxis2->visible());
        QCOMPARE(plot->graph(0)->valueAxis(), plot->yAxis2); // Up
        for (const QString& label : plot->yAxis2->tickVectorLabels())
            QVERIFY2(label.endsWith(QStringLiteral(" KiB/s")), qPrintable(label));
        for (const QString& label : plot->yAxis->tickVectorLabels())
            QVERIFY2(label.endsWith(QStringLiteral(" MiB/s")), qPrintable(label));
        // The upload fills its axis instead of lying flat at the bottom of the shared one.
        QVERIFY(plot->yAxis2->range().upper < 3.0);
    }

    void theLegendHasARowOfItsOwnAboveThePlot()
    {
        ThroughputChart chart;
        auto* plot = chart.findChild<QCustomPlot*>();
        QCOMPARE(plot->legend->layout(), plot->plotLayout());
        QVERIFY(plot->axisRect()->insetLayout()->elementCount() == 0);
    }

    void labelsTheRateAxisInBinaryUnits()
    {
        ThroughputChart chart;
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.add(0, 5.0 * 1024 * 1024);
        auto* plot = chart.findChild<QCustomPlot*>();
        plot->replot();
        const QList<QString> labels = plot->yAxis->tickVectorLabels();
        QVERIFY(!labels.isEmpty());
        for (const QString& label : labels)
            QVERIFY2(label.endsWith(QStringLiteral(" MiB/s")), qPrintable(label));
    }
};

QTEST_MAIN(TestThroughputChart)
#include "tst_throughputchart.moc"
