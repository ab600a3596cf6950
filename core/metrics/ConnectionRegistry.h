#pragma once

#include "metrics/EngineSnapshot.h"
#include "net/TargetAddress.h"

#include <atomic>
#include <functional>
#include <memory>
#include <unordered_map>

namespace echw {

class ConnectionRegistry;
class MetricsRegistry;

// Byte counts a relay adds to as it moves data; plain integers, written and read on the
// engine thread only.
struct TrafficCounters {
    quint64 up = 0;
    quint64 down = 0;
};

// One listed connection, owned by its session for as long as the session proxies it. The
// session declares it before whatever writes into counters(), so it outlives them.
class ConnectionEntry {
public:
    ~ConnectionEntry();
    ConnectionEntry(const ConnectionEntry&) = delete;
    ConnectionEntry& operator=(const ConnectionEntry&) = delete;

    quint64 id() const { return m_id; }
    // A keep-alive HTTP client may move on to another target on the same connection.
    void setTarget(const TargetAddress& target);
    void setRoute(const RoutingDecision& decision);
    TrafficCounters* counters() { return &m_counters; }
    // What the dashboard's close action does; the session sets it.
    void setCloser(std::function<void()> closer) { m_closer = std::move(closer); }

private:
    friend class ConnectionRegistry;
    ConnectionEntry(ConnectionRegistry& registry, quint64 id, QString inbound,
                    const TargetAddress& target, qint64 startedMs);

    ConnectionRegistry& m_registry;
    quint64 m_id;
    QString m_inbound;
    QString m_target;
    std::optional<RouteAction> m_route;
    std::optional<RouteReason> m_matched;
    qint64 m_startedMs;
    TrafficCounters m_counters;
    std::function<void()> m_closer;
    // At the previous snapshot, for the rates.
    quint64 m_sampledUp = 0;
    quint64 m_sampledDown = 0;
};

// Where a registry's connection ids come from: 1, 2, 3, ... Several registries of one proxy
// (one per engine thread) share one, so ids are unique across them and in the order the
// connections started.
using ConnectionIds = std::shared_ptr<std::atomic<quint64>>;

// The engine's list of proxied connections, and the totals the dashboard and the metrics
// read. Engine thread only.
class ConnectionRegistry {
public:
    // Milliseconds on a monotonic clock; the default is the steady clock. Tests pass their own.
    using Clock = std::function<qint64()>;

    // Null ids: a sequence of its own.
    explicit ConnectionRegistry(Clock clock = {}, ConnectionIds ids = {});
    ~ConnectionRegistry();

    std::unique_ptr<ConnectionEntry> add(const QString& inbound, const TargetAddress& target);
    // Runs the connection's closer; false when it is gone already.
    bool close(quint64 id);
    int size() const { return int(m_entries.size()); }
    // Where each finished connection's bytes are added, by its route; null: nowhere.
    void setMetrics(MetricsRegistry* metrics) { m_metrics = metrics; }

    // Fills the connection list, the connections finished since the previous call and the
    // byte totals and rates of `snapshot`, with rates over the time since the previous call.
    void sample(EngineSnapshot& snapshot, const ConnectionSort& sort);

private:
    friend class ConnectionEntry;
    void remove(ConnectionEntry* entry);
    ConnectionSample sampleOf(const ConnectionEntry& entry, qint64 now) const;

    std::unordered_map<quint64, ConnectionEntry*> m_entries;
    ConnectionIds m_ids;
    Clock m_clock;
    MetricsRegistry* m_metrics = nullptr;
    qint64 m_lastSampleMs = -1;
    // Bytes of finished connections, and what of them the previous sample had not yet seen.
    quint64 m_finishedUp = 0;
    quint64 m_finishedDown = 0;
    quint64 m_finishedUnsampledUp = 0;
    quint64 m_finishedUnsampledDown = 0;
    // Finished since the previous sample, the newest EngineSnapshot::kMaxClosed of them.
    QList<ConnectionSample> m_closed;
    quint64 m_droppedClosed = 0;
};

} // namespace echw
