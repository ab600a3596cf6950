#include "dashboard/ThroughputHistory.h"

#include <QTest>

#include <cmath>

using echw::ThroughputHistory;
using Window = echw::ThroughputHistory::Window;

namespace {

// A clock the test moves by hand, in milliseconds.
struct TestClock {
    qint64 nowMs = 1'000'000;
    ThroughputHistory::Clock clock()
    {
        return [this] {
            return nowMs;
        };
    }
};

// One sample a second, `count` times, the rate given by f(i).
template <typename Rate>
void addEverySecond(ThroughputHistory& history, TestClock& time, int count, Rate rate)
{
    for (int i = 0; i < count; ++i) {
        time.nowMs += 1000;
        history.add(rate(i), -rate(i));
    }
}

int gapsIn(const ThroughputHistory::Series& series)
{
    int gaps = 0;
    for (double up : series.up)
        gaps += std::isnan(up) ? 1 : 0;
    return gaps;
}

} // namespace

class TestThroughputHistory : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void placesEachSampleAtTheTimeItWasTaken()
    {
        TestClock time;
        ThroughputHistory history(time.clock());
        addEverySecond(history, time, 5, [](int i) { return 10.0 * (i + 1); });
        time.nowMs += 500;
        const ThroughputHistory::Series fine = history.points(Window::OneMinute);
        QCOMPARE(fine.seconds, (QList<double>{-4.5, -3.5, -2.5, -1.5, -0.5}));
        QCOMPARE(fine.up, (QList<double>{10, 20, 30, 40, 50}));
        QCOMPARE(fine.down.last(), -50.0);
    }

    void samplesFromBeforeAStopMoveOutOfTheWindowAndLeaveAGap()
    {
        TestClock time;
        ThroughputHistory history(time.clock());
        addEverySecond(history, time, 10, [](int) { return 100.0; });
        // Stopped for two minutes: nothing of the earlier traffic is in the last minute.
        time.nowMs += 120'000;
        QCOMPARE(history.points(Window::OneMinute).seconds, QList<double>{});
        QCOMPARE(history.pointCount(Window::OneMinute), 0);

        // Started again: the new samples only, at their real times.
        addEverySecond(history, time, 3, [](int) { return 7.0; });
        const ThroughputHistory::Series fine = history.points(Window::OneMinute);
        QCOMPARE(fine.seconds, (QList<double>{-2, -1, 0}));
        QCOMPARE(fine.up, (QList<double>{7, 7, 7}));

        // The 10-minute view holds both runs with a gap between them, never a line across.
        const ThroughputHistory::Series coarse = history.points(Window::TenMinutes);
        QCOMPARE(gapsIn(coarse), 1);
        QVERIFY(coarse.seconds.first() < -120);
        QCOMPARE(coarse.up.last(), 7.0);
    }

    void aShortPauseIsAGapInTheOneMinuteView()
    {
        TestClock time;
        ThroughputHistory history(time.clock());
        addEverySecond(history, time, 5, [](int) { return 1.0; });
        time.nowMs += 10'000;
        addEverySecond(history, time, 5, [](int) { return 2.0; });
        const ThroughputHistory::Series fine = history.points(Window::OneMinute);
        QCOMPARE(gapsIn(fine), 1);
        QCOMPARE(fine.seconds.size(), 11);
        // The gap sits between the last sample before and the first after.
        QVERIFY(std::isnan(fine.up[5]));
        QVERIFY(fine.seconds[4] < fine.seconds[5] && fine.seconds[5] < fine.seconds[6]);
        // A second's jitter is not a gap.
        time.nowMs += 2'000;
        history.add(3, 3);
        QCOMPARE(gapsIn(history.points(Window::OneMinute)), 1);
    }

    void fiveSecondsMakeOneTenMinutePointWithTheirMean()
    {
        TestClock time;
        time.nowMs = 5'000'000 - 1000; // the next five samples fall into one 5-second bucket
        ThroughputHistory history(time.clock());
        addEverySecond(history, time, 5, [](int i) { return 10.0 * (i + 1); });
        const ThroughputHistory::Series coarse = history.points(Window::TenMinutes);
        QCOMPARE(coarse.up, QList<double>{30});
        QCOMPARE(coarse.down, QList<double>{-30});
        QCOMPARE(coarse.seconds, QList<double>{0});
        addEverySecond(history, time, 5, [](int) { return 1.0; });
        QCOMPARE(history.points(Window::TenMinutes).up, (QList<double>{30, 1}));
    }

    void memoryStaysBoundedWhateverTheUptime()
    {
        TestClock time;
        ThroughputHistory history(time.clock());
        addEverySecond(history, time, 5000, [](int i) { return double(i); });
        QVERIFY(history.pointCount(Window::OneMinute) <= 61);
        QVERIFY(history.pointCount(Window::OneMinute) >= 59);
        QVERIFY(history.pointCount(Window::TenMinutes) <= 121);
        QVERIFY(history.pointCount(Window::TenMinutes) >= 119);
        QCOMPARE(history.points(Window::OneMinute).up.last(), 4999.0);
        QCOMPARE(ThroughputHistory::windowSeconds(Window::TenMinutes), 600);
        QCOMPARE(ThroughputHistory::windowSeconds(Window::OneMinute), 60);
    }

    void clearForgetsTheBucketBeingFilledToo()
    {
        TestClock time;
        ThroughputHistory history(time.clock());
        addEverySecond(history, time, 3, [](int) { return 100.0; });
        history.clear();
        QCOMPARE(history.pointCount(Window::TenMinutes), 0);
        addEverySecond(history, time, 2, [](int) { return 10.0; });
        QCOMPARE(history.pointCount(Window::OneMinute), 2);
        for (double up : history.points(Window::TenMinutes).up)
            QCOMPARE(up, 10.0);
    }
};

QTEST_GUILESS_MAIN(TestThroughputHistory)
#include "tst_throughputhistory.moc"
