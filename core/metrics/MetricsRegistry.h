#pragma once

#include "metrics/PrometheusText.h"
#include "net/ConnectError.h"
#include "routing/RoutingDecision.h"

#include <array>
#include <atomic>
#include <chrono>
#include <optional>
#include <span>
#include <vector>

namespace echw {

// Adds to a value that only the calling thread ever writes: a relaxed load and a relaxed store,
// not fetch_add. With one writer no other store can fall between the two, so no addition is
// lost, and on x86 both are plain moves where a read-modify-write would be a locked instruction
// (a full barrier) on every event of the relay's hot path. Readers on other threads still see a
// whole value, never a torn one.
template <typename T> void addFromOwnerThread(std::atomic<T>& value, T delta)
{
    value.store(value.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}

// Observations sorted into fixed buckets: a scan of a dozen bounds and two additions per
// observation, no allocation. Observed on one thread, read on any (see MetricsRegistry).
class Histogram {
public:
    static constexpr std::size_t kMaxBounds = 16;

    // Upper bounds in seconds, ascending; at most kMaxBounds. The array must outlive this.
    explicit Histogram(std::span<const double> upperBounds);

    void observe(double seconds);
    void observe(std::chrono::nanoseconds duration) { observe(double(duration.count()) * 1e-9); }

    std::span<const double> upperBounds() const { return m_bounds; }
    // Per bucket, not cumulative: one per upper bound, then the count above them all. A copy,
    // each bucket read once.
    std::vector<quint64> bucketCounts() const;
    // The buckets added up, so a count never disagrees with the buckets read with it.
    quint64 count() const;
    double sum() const { return m_sum.load(std::memory_order_relaxed); }

    prometheus::HistogramSample sample(QList<prometheus::Label> labels = {}) const;

private:
    std::span<const double> m_bounds;
    std::array<std::atomic<quint64>, kMaxBounds + 1> m_counts{};
    std::atomic<double> m_sum = 0;
};

// The engine's counters and histograms for the Prometheus endpoint. Every label value comes
// from a fixed enum here, never from a target, a host name or a credential.
//
// Threads: exactly one thread writes (the engine's: every non-const function below is called
// there only); families(), exposition() and the other const functions may be called from any
// thread at any time, with no lock and without waiting for the writer. Each field is an atomic
// bumped with relaxed ordering (no lock, no allocation, no text per event); the exposition is
// built only when scraped. A read sees each counter at some recent value, and later reads on
// the same thread never see it smaller (counters never go backwards); two fields read at once
// need not be from the same instant, e.g. a histogram's sum may already include an
// observation its buckets do not show yet.
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
    static constexpr std::size_t kReasons = 5;
    static constexpr std::size_t kCacheUses = 3;
    static constexpr std::size_t kTunnelResults = 4;
    static constexpr std::size_t kFetchResults = 3;

    template <typename T, std::size_t N> using Counters = std::array<std::atomic<T>, N>;

    // Set once when constructed, so read anywhere without an atomic.
    const QByteArray m_version;
    const double m_startTime;
    Counters<quint64, kInbounds> m_accepted{};
    Counters<qint64, kInbounds> m_active{};
    Counters<quint64, kRoutes - 1> m_routed{}; // by RouteAction
    Counters<quint64, kRoutes> m_bytesUp{};
    Counters<quint64, kRoutes> m_bytesDown{};
    Counters<quint64, kConnectErrors> m_connectErrors{};
    std::array<Counters<quint64, kCacheUses>, kReasons> m_decisions{};
    Counters<quint64, kTunnelResults> m_tunnelSetups{};
    Counters<quint64, kFetchResults> m_echFetches{};
    std::atomic<int> m_poolSize = 0;
    std::atomic<int> m_poolReady = 0;
    Histogram m_connectDuration;
    Histogram m_routingDuration;
    Histogram m_tunnelSetupDuration;
};

} // namespace echw
