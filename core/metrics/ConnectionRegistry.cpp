#include "ConnectionRegistry.h"

#include "metrics/MetricsRegistry.h"
#include "metrics/SnapshotMerge.h"

#include <chrono>
#include <utility>

namespace echw {

ConnectionEntry::ConnectionEntry(ConnectionRegistry& registry, quint64 id, QString inbound,
                                 const TargetAddress& target, qint64 startedMs)
    : m_registry(registry)
    , m_id(id)
    , m_inbound(std::move(inbound))
    , m_target(target.toString())
    , m_startedMs(startedMs)
{}

ConnectionEntry::~ConnectionEntry()
{
    m_registry.remove(this);
}

void ConnectionEntry::setTarget(const TargetAddress& target)
{
    m_target = target.toString();
    m_route.reset();
    m_matched.reset();
}

void ConnectionEntry::setRoute(const RoutingDecision& decision)
{
    m_route = decision.action;
    m_matched = decision.reason;
}

ConnectionRegistry::ConnectionRegistry(Clock clock, ConnectionIds ids)
    : m_ids(ids ? std::move(ids) : std::make_shared<std::atomic<quint64>>(0))
    , m_clock(std::move(clock))
{
    if (!m_clock) {
        m_clock = [] {
            return std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now().time_since_epoch())
                .count();
        };
    }
}

ConnectionRegistry::~ConnectionRegistry() = default;

std::unique_ptr<ConnectionEntry> ConnectionRegistry::add(const QString& inbound,
                                                         const TargetAddress& target)
{
    const quint64 id = m_ids->fetch_add(1) + 1;
    std::unique_ptr<ConnectionEntry> entry(
        new ConnectionEntry(*this, id, inbound, target, m_clock()));
    m_entries.emplace(id, entry.get());
    return entry;
}

void ConnectionRegistry::remove(ConnectionEntry* entry)
{
    m_entries.erase(entry->m_id);
    m_finishedUp += entry->m_counters.up;
    m_finishedDown += entry->m_counters.down;
    m_finishedUnsampledUp += entry->m_counters.up - entry->m_sampledUp;
    m_finishedUnsampledDown += entry->m_counters.down - entry->m_sampledDown;
    if (m_metrics)
        m_metrics->connectionBytes(entry->m_route, entry->m_counters.up, entry->m_counters.down);
    // Bounded between samples: a burst of short connections keeps only the newest.
    if (m_closed.size() == EngineSnapshot::kMaxClosed) {
        m_closed.removeFirst();
        ++m_droppedClosed;
    }
    m_closed.append(sampleOf(*entry, m_clock()));
}

ConnectionSample ConnectionRegistry::sampleOf(const ConnectionEntry& entry, qint64 now) const
{
    ConnectionSample row;
    row.id = entry.m_id;
    row.target = entry.m_target;
    row.inbound = entry.m_inbound;
    row.route = entry.m_route;
    row.matched = entry.m_matched;
    row.durationMs = now - entry.m_startedMs;
    row.bytesUp = entry.m_counters.up;
    row.bytesDown = entry.m_counters.down;
    return row;
}

bool ConnectionRegistry::close(quint64 id)
{
    const auto found = m_entries.find(id);
    if (found == m_entries.end() || !found->second->m_closer)
        return false;
    // The closer may destroy the entry: copy it out first.
    const auto closer = found->second->m_closer;
    closer();
    return true;
}

void ConnectionRegistry::sample(EngineSnapshot& snapshot, const ConnectionSort& sort)
{
    const qint64 now = m_clock();
    const qint64 intervalMs = m_lastSampleMs < 0 ? 0 : now - m_lastSampleMs;
    m_lastSampleMs = now;
    const double perSecond = intervalMs > 0 ? 1000.0 / double(intervalMs) : 0.0;

    quint64 deltaUp = std::exchange(m_finishedUnsampledUp, 0);
    quint64 deltaDown = std::exchange(m_finishedUnsampledDown, 0);
    snapshot.bytesUp = m_finishedUp;
    snapshot.bytesDown = m_finishedDown;
    snapshot.intervalMs = intervalMs;
    snapshot.tunnelConnections = 0;
    snapshot.directConnections = 0;
    snapshot.connections.clear();
    snapshot.connections.reserve(qsizetype(m_entries.size()));
    for (const auto& [id, entry] : m_entries) {
        ConnectionSample row = sampleOf(*entry, now);
        const quint64 up = row.bytesUp - std::exchange(entry->m_sampledUp, row.bytesUp);
        const quint64 down = row.bytesDown - std::exchange(entry->m_sampledDown, row.bytesDown);
        row.rateUp = double(up) * perSecond;
        row.rateDown = double(down) * perSecond;
        deltaUp += up;
        deltaDown += down;
        snapshot.bytesUp += row.bytesUp;
        snapshot.bytesDown += row.bytesDown;
        if (row.route == RouteAction::Tunnel)
            ++snapshot.tunnelConnections;
        else if (row.route == RouteAction::Direct)
            ++snapshot.directConnections;
        snapshot.connections.append(std::move(row));
    }
    snapshot.rateUp = double(deltaUp) * perSecond;
    snapshot.rateDown = double(deltaDown) * perSecond;
    sortConnections(snapshot.connections, sort);
    snapshot.closed = std::exchange(m_closed, {});
    snapshot.droppedClosed = std::exchange(m_droppedClosed, 0);
}

} // namespace echw
