#include "ThroughputHistory.h"

#include <QElapsedTimer>

#include <cmath>
#include <limits>

namespace echw {

namespace {

constexpr qint64 kCoarseMs = ThroughputHistory::kCoarseSeconds * 1000;

qint64 steadyMs()
{
    static QElapsedTimer clock = [] {
        QElapsedTimer timer;
        timer.start();
        return timer;
    }();
    return clock.elapsed();
}

} // namespace

ThroughputHistory::Sample ThroughputHistory::Bucket::mean() const
{
    return {lastMs, upSum / count, downSum / count};
}

ThroughputHistory::ThroughputHistory(Clock clock)
    : m_clock(clock ? std::move(clock) : Clock(steadyMs))
    , m_fine(kFinePoints)
    , m_coarse(kCoarsePoints)
{}

void ThroughputHistory::add(double upRate, double downRate)
{
    const qint64 now = m_clock();
    m_fine.push({now, upRate, downRate});
    const qint64 bucket = now / kCoarseMs;
    if (bucket != m_pending.index) {
        if (m_pending.count > 0)
            m_coarse.push(m_pending.mean());
        m_pending = Bucket{bucket};
    }
    m_pending.lastMs = now;
    m_pending.upSum += upRate;
    m_pending.downSum += downRate;
    ++m_pending.count;
}

void ThroughputHistory::clear()
{
    m_fine.clear();
    m_coarse.clear();
    m_pending = {};
}

const RingBuffer<ThroughputHistory::Sample>& ThroughputHistory::bufferOf(Window window) const
{
    return window == Window::OneMinute ? m_fine : m_coarse;
}

void ThroughputHistory::points(Window window, Series& series) const
{
    series.seconds.clear();
    series.up.clear();
    series.down.clear();
    const qint64 now = m_clock();
    const qint64 oldest = now - qint64(windowSeconds(window)) * 1000;
    const double stepMs = (window == Window::OneMinute ? kSampleSeconds : kCoarseSeconds) * 1000.0;
    constexpr double kGap = std::numeric_limits<double>::quiet_NaN();

    qint64 previous = -1;
    auto append = [&](const Sample& sample) {
        if (sample.atMs < oldest)
            return;
        if (previous >= 0 && double(sample.atMs - previous) > kGapSteps * stepMs) {
            series.seconds.append(double(previous + sample.atMs - 2 * now) / 2000.0);
            series.up.append(kGap);
            series.down.append(kGap);
        }
        previous = sample.atMs;
        series.seconds.append(double(sample.atMs - now) / 1000.0);
        series.up.append(sample.up);
        series.down.append(sample.down);
    };
    const RingBuffer<Sample>& buffer = bufferOf(window);
    for (std::size_t i = 0; i < buffer.size(); ++i)
        append(buffer.at(i));
    // The 5-second average being filled is the newest point of the 10-minute view.
    if (window == Window::TenMinutes && m_pending.count > 0)
        append(m_pending.mean());
}

ThroughputHistory::Series ThroughputHistory::points(Window window) const
{
    Series series;
    points(window, series);
    return series;
}

int ThroughputHistory::pointCount(Window window) const
{
    const Series series = points(window);
    int count = 0;
    for (double up : series.up)
        count += std::isnan(up) ? 0 : 1; // NaN marks a gap
    return count;
}

int ThroughputHistory::windowSeconds(Window window)
{
    return window == Window::OneMinute ? 60 : 600;
}

} // namespace echw
