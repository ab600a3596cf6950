#include "ThroughputHistory.h"

namespace echw {

ThroughputHistory::ThroughputHistory()
    : m_fine(kFinePoints)
    , m_coarse(kCoarsePoints)
{}

void ThroughputHistory::add(double upRate, double downRate)
{
    m_fine.push({upRate, downRate});
    m_pendingSum.up += upRate;
    m_pendingSum.down += downRate;
    constexpr int kSamplesPerCoarse = kCoarseSeconds / kSampleSeconds;
    if (++m_pendingCount == kSamplesPerCoarse) {
        m_coarse.push({m_pendingSum.up / kSamplesPerCoarse, m_pendingSum.down / kSamplesPerCoarse});
        m_pendingSum = {};
        m_pendingCount = 0;
    }
}

void ThroughputHistory::clear()
{
    m_fine.clear();
    m_coarse.clear();
    m_pendingSum = {};
    m_pendingCount = 0;
}

void ThroughputHistory::points(Window window, Series& series) const
{
    const RingBuffer<Rates>& buffer = window == Window::OneMinute ? m_fine : m_coarse;
    const double step = window == Window::OneMinute ? kSampleSeconds : kCoarseSeconds;
    const qsizetype count = qsizetype(buffer.size());
    series.seconds.resize(count);
    series.up.resize(count);
    series.down.resize(count);
    for (qsizetype i = 0; i < count; ++i) {
        const Rates& rates = buffer.at(std::size_t(i));
        series.seconds[i] = -double(count - 1 - i) * step;
        series.up[i] = rates.up;
        series.down[i] = rates.down;
    }
}

ThroughputHistory::Series ThroughputHistory::points(Window window) const
{
    Series series;
    points(window, series);
    return series;
}

int ThroughputHistory::pointCount(Window window) const
{
    return int(window == Window::OneMinute ? m_fine.size() : m_coarse.size());
}

int ThroughputHistory::windowSeconds(Window window)
{
    return window == Window::OneMinute ? kFinePoints * kSampleSeconds
                                       : kCoarsePoints * kCoarseSeconds;
}

} // namespace echw
