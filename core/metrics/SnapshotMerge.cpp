#include "SnapshotMerge.h"

#include <algorithm>
#include <iterator>

namespace echw {

namespace {

template <typename Key> void sortBy(QList<ConnectionSample>& rows, bool descending, Key key)
{
    // Ties keep the start order, so equal rows do not swap places between snapshots.
    std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
        return descending ? key(b) < key(a) : key(a) < key(b);
    });
}

} // namespace

void sortConnections(QList<ConnectionSample>& rows, const ConnectionSort& sort)
{
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    switch (sort.key) {
    case ConnectionSortKey::Started:
        if (sort.descending)
            std::reverse(rows.begin(), rows.end());
        return;
    case ConnectionSortKey::Target:
        return sortBy(rows, sort.descending, [](const auto& r) { return r.target; });
    case ConnectionSortKey::Route:
        return sortBy(rows, sort.descending,
                      [](const auto& r) { return r.route ? int(*r.route) : -1; });
    case ConnectionSortKey::Duration:
        return sortBy(rows, sort.descending, [](const auto& r) { return r.durationMs; });
    case ConnectionSortKey::BytesUp:
        return sortBy(rows, sort.descending, [](const auto& r) { return r.bytesUp; });
    case ConnectionSortKey::BytesDown:
        return sortBy(rows, sort.descending, [](const auto& r) { return r.bytesDown; });
    case ConnectionSortKey::RateUp:
        return sortBy(rows, sort.descending, [](const auto& r) { return r.rateUp; });
    case ConnectionSortKey::RateDown:
        return sortBy(rows, sort.descending, [](const auto& r) { return r.rateDown; });
    }
}

EngineSnapshot mergeSnapshots(QList<EngineSnapshot> perEngine, const ConnectionSort& sort)
{
    EngineSnapshot merged;
    qsizetype connections = 0;
    qsizetype decisions = 0;
    qsizetype closed = 0;
    for (const EngineSnapshot& engine : std::as_const(perEngine)) {
        connections += engine.connections.size();
        decisions += engine.decisions.size();
        closed += engine.closed.size();
    }
    qsizetype overflow = std::max(qsizetype(0), decisions - EngineSnapshot::kMaxDecisions);
    qsizetype closedOverflow = std::max(qsizetype(0), closed - EngineSnapshot::kMaxClosed);
    merged.droppedDecisions = quint64(overflow);
    merged.droppedClosed = quint64(closedOverflow);
    merged.connections.reserve(connections);
    merged.decisions.reserve(decisions - overflow);
    merged.closed.reserve(closed - closedOverflow);

    for (EngineSnapshot& engine : perEngine) {
        merged.intervalMs = std::max(merged.intervalMs, engine.intervalMs);
        merged.running = merged.running || engine.running;
        merged.activeConnections += engine.activeConnections;
        merged.totalConnections += engine.totalConnections;
        merged.tunnelConnections += engine.tunnelConnections;
        merged.directConnections += engine.directConnections;
        merged.bytesUp += engine.bytesUp;
        merged.bytesDown += engine.bytesDown;
        merged.rateUp += engine.rateUp;
        merged.rateDown += engine.rateDown;
        merged.connections.append(std::move(engine.connections));

        const qsizetype skipped = std::min(overflow, engine.decisions.size());
        overflow -= skipped;
        std::move(engine.decisions.begin() + skipped, engine.decisions.end(),
                  std::back_inserter(merged.decisions));
        merged.droppedDecisions += engine.droppedDecisions;

        const qsizetype closedSkipped = std::min(closedOverflow, engine.closed.size());
        closedOverflow -= closedSkipped;
        std::move(engine.closed.begin() + closedSkipped, engine.closed.end(),
                  std::back_inserter(merged.closed));
        merged.droppedClosed += engine.droppedClosed;
    }
    sortConnections(merged.connections, sort);
    return merged;
}

} // namespace echw
