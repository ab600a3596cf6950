#pragma once

#include "metrics/PrometheusText.h"
#include "net/ConnectError.h"
#include "routing/RoutingDecision.h"

#include <array>
#include <chrono>
#include <optional>
#include <span>

namespace echw {

// Observations sorted into fixed buckets: a scan of a dozen bounds and three additions per
// observation, no allocation.
class Histogram {
public:
    static constexpr std::size_t kMaxBounds = 16;

    // Upper bounds in seconds, ascending; at most kMaxBounds. The array must outlive this.
    explicit Histogram(std::span<const double> upperBounds);

    void observe(double seconds);
    void observe(std::chrono::nanoseconds duration) { observe(double(duration.count()) * 1e-9); }

    std::span<const double> upperBounds() const { return m_bounds; }
    // Per bucket, not cumulative: one per upper bound, then the count above them all.
    std::span<const quint64> bucketCounts() const
    {
        return std::span<const quint64>(m_counts).first(m_bounds.size() + 1);
    }
    quint64 count() const { return m_count; }
    double sum() const { return m_sum; }

    prometheus::HistogramSample sample(QList<prometheus::Label> labels = {}) const;

private:
    std::span<const double> m_bounds;
    std::array<quint64, kMaxBounds + 1> m_counts{};
    quint64 m_count = 0;
    double m_sum = 0;
};

// The engine's counters and histograms for the Prometheus endpoint. Plain integers bumped on
// the engine thread (no locks, no allocation, no text per event); the exposition is built only
// when scraped. Every label value comes from a fixed enum here, never from a target, a host
// name or a credential.
class MetricsRegistry {
public:
    enum class Inbound { Socks5, Http };
    enum class TunnelSetupResult { Ok, EchRejectedRetry, Failed, TimedOut };
    enum class EchConfigFetchResult { Ok, FailedServedStale, Failed };

    explicit MetricsRegistry(QByteArray version);

    void connectionAccepted(Inbound inbound);
    void connectionFinished(Inbound inbound);
    // The connection's outbound reached the target (after `elapsed` from asking for it), or
    // could not.
    void connectSucceeded(std::chrono::nanoseconds elapsed);
    void connectFailed(ConnectError::Kind kind);
    void routingDecided(const RoutingDecision& decision);
    // A finished connection's bytes; its route is the last one decided (unset: none was).
    void connectionBytes(std::optional<RouteAction> route, quint64 up, quint64 down);
    // Ok and the failures come once per attempt with its duration; EchRejectedRetry once per
    // retry within an attempt.
    void tunnelSetup(TunnelSetupResult result, std::chrono::nanoseconds elapsed = {});
    void echConfigFetched(EchConfigFetchResult result);
    // The warm pool of tunnel sessions reports its configured size and how many are ready.
    void setTunnelPool(int size, int ready);

    quint64 connectionsAccepted(Inbound inbound) const;
    quint64 connectErrors(ConnectError::Kind kind) const;

    QList<prometheus::Family> families() const;
    QByteArray exposition() const { return prometheus::render(families()); }

    // One exposition for several engines (EngineGroup): each registry's families() summed
    // sample by sample and bucket by bucket; the build info is taken once and the start time
    // is the earliest. Every list must come from families(), so their shapes agree.
    static QList<prometheus::Family> sum(const QList<QList<prometheus::Family>>& perEngine);

private:
    static constexpr std::size_t kInbounds = 2;
    static constexpr std::size_t kRoutes = 4; // the RouteAction values, then "none"
    static constexpr std::size_t kConnectErrors = 6;
    static constexpr std::size_t kReasons = 4;
    static constexpr std::size_t kCacheUses = 3;
    static constexpr std::size_t kTunnelResults = 4;
    static constexpr std::size_t kFetchResults = 3;

    QByteArray m_version;
    double m_startTime;
    std::array<quint64, kInbounds> m_accepted{};
    std::array<qint64, kInbounds> m_active{};
    std::array<quint64, kRoutes - 1> m_routed{}; // by RouteAction
    std::array<quint64, kRoutes> m_bytesUp{};
    std::array<quint64, kRoutes> m_bytesDown{};
    std::array<quint64, kConnectErrors> m_connectErrors{};
    std::array<std::array<quint64, kCacheUses>, kReasons> m_decisions{};
    std::array<quint64, kTunnelResults> m_tunnelSetups{};
    std::array<quint64, kFetchResults> m_echFetches{};
    int m_poolSize = 0;
    int m_poolReady = 0;
    Histogram m_connectDuration;
    Histogram m_routingDuration;
    Histogram m_tunnelSetupDuration;
};

} // namespace echw
