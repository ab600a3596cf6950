#include "MetricsRegistry.h"

#include <QDateTime>

#include <algorithm>
#include <numeric>

namespace echw {

using prometheus::Family;
using prometheus::Label;
using prometheus::Sample;

namespace {

// Seconds. A direct connect on a LAN takes milliseconds, one across the world a few hundred;
// a tunnel adds TLS and the WebSocket upgrade; a routing decision is microseconds from the
// cache and up to the resolver's deadline when it resolves a name.
constexpr double kConnectBounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
constexpr double kTunnelSetupBounds[] = {0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2.5, 5, 10};
constexpr double kRoutingBounds[] = {0.00001, 0.0001, 0.001, 0.005, 0.01, 0.05,
                                     0.1,     0.25,   0.5,   1,     5};

constexpr const char* kInboundNames[] = {"socks5", "http"};
// In RouteAction order; bytes also count under "none" when no route was decided.
constexpr const char* kActionNames[] = {"direct", "tunnel", "block"};
constexpr const char* kRouteNames[] = {"direct", "tunnel", "block", "none"};
// In ConnectError::Kind order.
constexpr const char* kConnectErrorNames[] = {"name_not_resolved", "refused", "unreachable",
                                              "timed_out",         "blocked", "failed"};
// In RouteReason::Kind order.
constexpr const char* kReasonNames[] = {"user_rule", "china_list", "not_in_china_list", "mode",
                                        "resolve_failed"};
// In RoutingDecision::CacheUse order.
constexpr const char* kCacheNames[] = {"not_consulted", "hit", "miss"};
constexpr const char* kTunnelResultNames[] = {"ok", "ech_rejected_retry", "failed", "timed_out"};
constexpr const char* kFetchResultNames[] = {"ok", "failed_served_stale", "failed"};

static_assert(std::size(kRouteNames) == 4 && int(RouteAction::Block) == 2);
static_assert(std::size(kConnectErrorNames) == std::size_t(ConnectError::Kind::Failed) + 1);
static_assert(std::size(kReasonNames) == std::size_t(RouteReason::Kind::ResolveFailed) + 1);
static_assert(std::size(kCacheNames) == std::size_t(RoutingDecision::CacheUse::Miss) + 1);
// A reader must never wait for the writer, so no atomic here may hide a lock.
static_assert(std::atomic<quint64>::is_always_lock_free &&
              std::atomic<qint64>::is_always_lock_free &&
              std::atomic<double>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

template <typename T> double valueOf(const std::atomic<T>& value)
{
    return double(value.load(std::memory_order_relaxed));
}

Label label(const char* name, const char* value)
{
    return Label{QByteArray(name), QByteArray(value)};
}

Family family(const char* name, const char* help, Family::Type type)
{
    Family f;
    f.name = name;
    f.help = help;
    f.type = type;
    return f;
}

// One sample per value of a single label.
template <std::size_t N, typename T>
Family labelled(const char* name, const char* help, Family::Type type, const char* labelName,
                const char* const (&values)[N], const std::array<std::atomic<T>, N>& counts)
{
    Family f = family(name, help, type);
    for (std::size_t i = 0; i < N; ++i)
        f.samples.append(Sample{{label(labelName, values[i])}, valueOf(counts[i])});
    return f;
}

Family single(const char* name, const char* help, Family::Type type, double value)
{
    Family f = family(name, help, type);
    f.samples.append(Sample{{}, value});
    return f;
}

Family histogramFamily(const char* name, const char* help, const Histogram& histogram)
{
    Family f = family(name, help, Family::Type::Histogram);
    f.histograms.append(histogram.sample());
    return f;
}

std::size_t routeIndex(std::optional<RouteAction> route)
{
    return route ? std::size_t(*route) : 3;
}

} // namespace

Histogram::Histogram(std::span<const double> upperBounds)
    : m_bounds(upperBounds.first(std::min(upperBounds.size(), kMaxBounds)))
{}

void Histogram::observe(double seconds)
{
    std::size_t bucket = 0;
    while (bucket < m_bounds.size() && seconds > m_bounds[bucket])
        ++bucket;
    addFromOwnerThread(m_counts[bucket], quint64(1));
    addFromOwnerThread(m_sum, seconds);
}

std::vector<quint64> Histogram::bucketCounts() const
{
    std::vector<quint64> counts(m_bounds.size() + 1);
    for (std::size_t i = 0; i < counts.size(); ++i)
        counts[i] = m_counts[i].load(std::memory_order_relaxed);
    return counts;
}

quint64 Histogram::count() const
{
    const std::vector<quint64> counts = bucketCounts();
    return std::accumulate(counts.begin(), counts.end(), quint64(0));
}

prometheus::HistogramSample Histogram::sample(QList<prometheus::Label> labels) const
{
    prometheus::HistogramSample result;
    result.labels = std::move(labels);
    result.upperBounds.assign(m_bounds.begin(), m_bounds.end());
    result.bucketCounts = bucketCounts();
    result.sum = sum();
    return result;
}

MetricsRegistry::MetricsRegistry(QByteArray version)
    : m_version(std::move(version))
    , m_startTime(double(QDateTime::currentMSecsSinceEpoch()) / 1000.0)
    , m_connectDuration(kConnectBounds)
    , m_routingDuration(kRoutingBounds)
    , m_tunnelSetupDuration(kTunnelSetupBounds)
{}

void MetricsRegistry::connectionAccepted(Inbound inbound)
{
    addFromOwnerThread(m_accepted[std::size_t(inbound)], quint64(1));
    addFromOwnerThread(m_active[std::size_t(inbound)], qint64(1));
}

void MetricsRegistry::connectionFinished(Inbound inbound)
{
    addFromOwnerThread(m_active[std::size_t(inbound)], qint64(-1));
}

void MetricsRegistry::connectSucceeded(std::chrono::nanoseconds elapsed)
{
    m_connectDuration.observe(elapsed);
}

void MetricsRegistry::connectFailed(ConnectError::Kind kind)
{
    addFromOwnerThread(m_connectErrors[std::size_t(kind)], quint64(1));
}

void MetricsRegistry::routingDecided(const RoutingDecision& decision)
{
    addFromOwnerThread(m_routed[std::size_t(decision.action)], quint64(1));
    addFromOwnerThread(m_decisions[std::size_t(decision.reason.kind)][std::size_t(decision.cache)],
                       quint64(1));
    m_routingDuration.observe(std::chrono::nanoseconds(decision.elapsedNs));
}

void MetricsRegistry::connectionBytes(std::optional<RouteAction> route, quint64 up, quint64 down)
{
    addFromOwnerThread(m_bytesUp[routeIndex(route)], up);
    addFromOwnerThread(m_bytesDown[routeIndex(route)], down);
}

void MetricsRegistry::tunnelSetup(TunnelSetupResult result, std::chrono::nanoseconds elapsed)
{
    addFromOwnerThread(m_tunnelSetups[std::size_t(result)], quint64(1));
    if (result == TunnelSetupResult::Ok)
        m_tunnelSetupDuration.observe(elapsed);
}

void MetricsRegistry::echConfigFetched(EchConfigFetchResult result)
{
    addFromOwnerThread(m_echFetches[std::size_t(result)], quint64(1));
}

void MetricsRegistry::setTunnelPool(int size, int ready)
{
    m_poolSize.store(size, std::memory_order_relaxed);
    m_poolReady.store(ready, std::memory_order_relaxed);
}

quint64 MetricsRegistry::connectionsAccepted(Inbound inbound) const
{
    return m_accepted[std::size_t(inbound)].load(std::memory_order_relaxed);
}

quint64 MetricsRegistry::connectErrors(ConnectError::Kind kind) const
{
    return m_connectErrors[std::size_t(kind)].load(std::memory_order_relaxed);
}

QList<Family> MetricsRegistry::families() const
{
    using Type = Family::Type;
    QList<Family> result;

    Family build = family("echw_build_info", "The running version; always 1.", Type::Gauge);
    build.samples.append(Sample{{Label{QByteArrayLiteral("version"), m_version}}, 1});
    result.append(build);
    result.append(single("echw_start_time_seconds",
                         "When these metrics started counting, in seconds since the Unix epoch.",
                         Type::Gauge, m_startTime));

    result.append(labelled("echw_connections_accepted_total",
                           "Client connections accepted, by the protocol they spoke.",
                           Type::Counter, "inbound", kInboundNames, m_accepted));
    result.append(labelled("echw_connections_active",
                           "Client connections open now, by the protocol they spoke.", Type::Gauge,
                           "inbound", kInboundNames, m_active));
    result.append(labelled("echw_connections_routed_total",
                           "Connections (and HTTP requests to a new target) by the route decided.",
                           Type::Counter, "route", kActionNames, m_routed));
    {
        Family f = family("echw_relayed_bytes_total",
                          "Bytes of finished connections, up (client to target) and down, by "
                          "their last route (none: no route was decided).",
                          Type::Counter);
        for (std::size_t i = 0; i < kRoutes; ++i) {
            f.samples.append(Sample{{label("direction", "up"), label("route", kRouteNames[i])},
                                    valueOf(m_bytesUp[i])});
            f.samples.append(Sample{{label("direction", "down"), label("route", kRouteNames[i])},
                                    valueOf(m_bytesDown[i])});
        }
        result.append(f);
    }
    result.append(labelled("echw_connect_errors_total",
                           "Connections to a target that failed, by reason.", Type::Counter,
                           "reason", kConnectErrorNames, m_connectErrors));
    result.append(histogramFamily("echw_connect_duration_seconds",
                                  "From asking for the target to an established stream (direct or "
                                  "through the tunnel), successful connects only.",
                                  m_connectDuration));
    {
        Family f = family("echw_routing_decisions_total",
                          "Routing decisions, by what decided and whether the cache answered.",
                          Type::Counter);
        for (std::size_t r = 0; r < kReasons; ++r) {
            for (std::size_t c = 0; c < kCacheUses; ++c)
                f.samples.append(
                    Sample{{label("reason", kReasonNames[r]), label("cache", kCacheNames[c])},
                           valueOf(m_decisions[r][c])});
        }
        result.append(f);
    }
    result.append(histogramFamily("echw_routing_decision_duration_seconds",
                                  "Time to decide a route, name resolution included.",
                                  m_routingDuration));
    result.append(labelled("echw_tunnel_setups_total",
                           "Tunnel set-ups (TCP, TLS with ECH, WebSocket upgrade, CONNECT) by "
                           "result; ech_rejected_retry counts retries after an ECH rejection.",
                           Type::Counter, "result", kTunnelResultNames, m_tunnelSetups));
    result.append(
        histogramFamily("echw_tunnel_setup_duration_seconds",
                        "From asking for a tunnel to its CONNECTED answer, successful set-ups "
                        "only.",
                        m_tunnelSetupDuration));
    result.append(labelled("echw_ech_config_fetches_total",
                           "ECH config lookups over DoH, by result (failed_served_stale: failed, "
                           "an older config was used).",
                           Type::Counter, "result", kFetchResultNames, m_echFetches));
    result.append(single("echw_tunnel_pool_size",
                         "Tunnel sessions the warm pool keeps open (0: no pool).", Type::Gauge,
                         valueOf(m_poolSize)));
    result.append(single("echw_tunnel_pool_ready",
                         "Tunnel sessions open and ready in the warm pool now.", Type::Gauge,
                         valueOf(m_poolReady)));
    return result;
}

QList<Family> MetricsRegistry::sum(const QList<QList<Family>>& perEngine)
{
    if (perEngine.isEmpty())
        return {};
    QList<Family> result = perEngine.front();
    for (qsizetype e = 1; e < perEngine.size(); ++e) {
        const QList<Family>& other = perEngine[e];
        Q_ASSERT(other.size() == result.size());
        for (qsizetype f = 0; f < result.size() && f < other.size(); ++f) {
            Family& into = result[f];
            const Family& from = other[f];
            Q_ASSERT(into.name == from.name);
            if (into.name == "echw_build_info")
                continue;
            const bool earliest = into.name == "echw_start_time_seconds";
            for (qsizetype i = 0; i < into.samples.size() && i < from.samples.size(); ++i) {
                double& value = into.samples[i].value;
                value = earliest ? std::min(value, from.samples[i].value)
                                 : value + from.samples[i].value;
            }
            for (qsizetype i = 0; i < into.histograms.size() && i < from.histograms.size(); ++i) {
                prometheus::HistogramSample& histogram = into.histograms[i];
                const prometheus::HistogramSample& add = from.histograms[i];
                for (std::size_t b = 0;
                     b < histogram.bucketCounts.size() && b < add.bucketCounts.size(); ++b)
                    histogram.bucketCounts[b] += add.bucketCounts[b];
                histogram.sum += add.sum;
            }
        }
    }
    return result;
}

} // namespace echw
