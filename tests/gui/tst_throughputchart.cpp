#include "dashboard/CustomPlot.h"
#include "dashboard/ThroughputChart.h"

#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

using echw::ThroughputChart;
using Window = echw::ThroughputChart::Window;

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
        ThroughputChart chart;
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        for (int i = 0; i < 12; ++i)
            chart.add(0, 4096);
        QCOMPARE(chart.timeWindow(), Window::OneMinute);
        QCOMPARE(chart.pointCount(), 12);

        auto* tenMinutes = chart.findChild<QToolButton*>(QStringLiteral("tenMinutesButton"));
        QVERIFY(tenMinutes);
        tenMinutes->click();
        QCOMPARE(chart.timeWindow(), Window::TenMinutes);
        QCOMPARE(chart.pointCount(), 2);

        chart.findChild<QToolButton*>(QStringLiteral("oneMinuteButton"))->click();
        QCOMPARE(chart.timeWindow(), Window::OneMinute);
        QCOMPARE(chart.pointCount(), 12);
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
