#include "dashboard/ThroughputHistory.h"

#include <QTest>

using echw::ThroughputHistory;
using Window = echw::ThroughputHistory::Window;

class TestThroughputHistory : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fiveSamplesMakeOneTenMinutePointWithTheirMean()
    {
        ThroughputHistory history;
        for (double rate : {10.0, 20.0, 30.0, 40.0})
            history.add(rate, rate * 2);
        QCOMPARE(history.pointCount(Window::TenMinutes), 0);
        history.add(50, 100);

        const ThroughputHistory::Series coarse = history.points(Window::TenMinutes);
        QCOMPARE(coarse.seconds, QList<double>{0});
        QCOMPARE(coarse.up, QList<double>{30});
        QCOMPARE(coarse.down, QList<double>{60});

        const ThroughputHistory::Series fine = history.points(Window::OneMinute);
        QCOMPARE(fine.seconds, (QList<double>{-4, -3, -2, -1, 0}));
        QCOMPARE(fine.up, (QList<double>{10, 20, 30, 40, 50}));
    }

    void oneMinuteWindowWrapsAroundAtSixtyPoints()
    {
        ThroughputHistory history;
        for (int i = 0; i < 75; ++i)
            history.add(i, -i);
        const ThroughputHistory::Series fine = history.points(Window::OneMinute);
        QCOMPARE(fine.seconds.size(), ThroughputHistory::kFinePoints);
        QCOMPARE(fine.seconds.first(), -59.0);
        QCOMPARE(fine.seconds.last(), 0.0);
        QCOMPARE(fine.up.first(), 15.0);
        QCOMPARE(fine.up.last(), 74.0);
        QCOMPARE(fine.down.last(), -74.0);
    }

    void tenMinuteWindowWrapsAroundAtOneHundredTwentyPoints()
    {
        ThroughputHistory history;
        for (int i = 0; i < 5 * 130 + 3; ++i)
            history.add(i / 5, 0);
        const ThroughputHistory::Series coarse = history.points(Window::TenMinutes);
        QCOMPARE(coarse.seconds.size(), ThroughputHistory::kCoarsePoints);
        QCOMPARE(coarse.seconds.first(), -5.0 * 119);
        QCOMPARE(coarse.seconds.last(), 0.0);
        // Point k averages samples 5k..5k+4, all equal to k; the three extra are still pending.
        QCOMPARE(coarse.up.first(), 10.0);
        QCOMPARE(coarse.up.last(), 129.0);
        QCOMPARE(ThroughputHistory::windowSeconds(Window::TenMinutes), 600);
        QCOMPARE(ThroughputHistory::windowSeconds(Window::OneMinute), 60);
    }

    void clearForgetsPendingSamplesToo()
    {
        ThroughputHistory history;
        for (int i = 0; i < 3; ++i)
            history.add(100, 100);
        history.clear();
        for (int i = 0; i < 5; ++i)
            history.add(10, 20);
        QCOMPARE(history.pointCount(Window::OneMinute), 5);
        QCOMPARE(history.points(Window::TenMinutes).up, QList<double>{10});
    }
};

QTEST_GUILESS_MAIN(TestThroughputHistory)
#include "tst_throughputhistory.moc"
