#pragma once

#include "RingBuffer.h"

#include <QList>

#include <functional>

namespace echw {

// Up and down rates over real time for the chart, in constant memory: a 1-minute window at
// the snapshot resolution (about 1 s) and a 10-minute window of 5-second averages, each in its
// own circular buffer. Every sample keeps the time it was taken, so time that passed without
// samples (the proxy stopped) shows as a gap, and old samples move out of the window instead
// of being drawn as recent.
class ThroughputHistory {
public:
    enum class Window { OneMinute, TenMinutes };
    // Milliseconds on a monotonic clock.
    using Clock = std::function<qint64()>;

    static constexpr int kSampleSeconds = 1;
    static constexpr int kCoarseSeconds = 5;
    // Room for a window's points when snapshots come a little faster than once a second.
    static constexpr int kFinePoints = 90;
    static constexpr int kCoarsePoints = 125;
    // Consecutive points further apart than this many steps have a gap between them.
    static constexpr double kGapSteps = 2.5;

    struct Series {
        // Relative to now: negative up to 0, ascending. A gap is a point whose rates are NaN
        // (the chart breaks its lines there).
        QList<double> seconds;
        QList<double> up; // bytes per second
        QList<double> down;
    };

    explicit ThroughputHistory(Clock clock = {});

    // One sample per snapshot (about once a second), taken now.
    void add(double upRate, double downRate);
    void clear();

    // The points inside the window, oldest first. Fills `series` (its capacity is reused).
    void points(Window window, Series& series) const;
    Series points(Window window) const;
    // Samples (1 min) or 5-second averages (10 min) inside the window; gaps not counted.
    int pointCount(Window window) const;

    static int windowSeconds(Window window);

private:
    struct Sample {
        qint64 atMs = 0; // the (last) sample's time
        double up = 0;
        double down = 0;
    };
    struct Bucket {
        qint64 index = -1; // atMs / (kCoarseSeconds * 1000)
        qint64 lastMs = 0;
        double upSum = 0;
        double downSum = 0;
        int count = 0;
        Sample mean() const;
    };

    const RingBuffer<Sample>& bufferOf(Window window) const;

    Clock m_clock;
    RingBuffer<Sample> m_fine;
    RingBuffer<Sample> m_coarse; // finished buckets
    Bucket m_pending;            // the bucket samples are going into
};

} // namespace echw
