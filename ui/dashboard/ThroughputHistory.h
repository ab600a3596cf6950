#pragma once

#include "RingBuffer.h"

#include <QList>

namespace echw {

// Up and down rates over time for the chart, in constant memory: a 1-minute window at the
// snapshot resolution (1 s) and a 10-minute window of 5-second averages, each in its own
// circular buffer, so a redraw reads at most 120 points whatever the uptime.
class ThroughputHistory {
public:
    enum class Window { OneMinute, TenMinutes };

    static constexpr int kSampleSeconds = 1;
    static constexpr int kCoarseSeconds = 5;
    static constexpr int kFinePoints = 60;    // 1 min at 1 s
    static constexpr int kCoarsePoints = 120; // 10 min at 5 s

    struct Series {
        QList<double> seconds; // relative to now: negative up to 0 (the newest), ascending
        QList<double> up;      // bytes per second
        QList<double> down;
    };

    ThroughputHistory();

    // One sample per snapshot (about once a second).
    void add(double upRate, double downRate);
    void clear();

    // Oldest first. Fills `series` (its capacity is reused between calls).
    void points(Window window, Series& series) const;
    Series points(Window window) const;
    int pointCount(Window window) const;

    static int windowSeconds(Window window);

private:
    struct Rates {
        double up = 0;
        double down = 0;
    };

    RingBuffer<Rates> m_fine;
    RingBuffer<Rates> m_coarse;
    Rates m_pendingSum; // samples not yet averaged into m_coarse
    int m_pendingCount = 0;
};

} // namespace echw
