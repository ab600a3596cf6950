#include "metrics/MetricsRegistry.h"

#include <QTest>

#include <atomic>
#include <numeric>
#include <thread>

using namespace echw;

namespace {

constexpr double kBounds[] = {0.1, 0.5, 1};

// The value of the line starting with `series` plus a space, or -1.
double valueOf(const QByteArray& text, const QByteArray& series)
{
    for (const QByteArray& line : text.split('\n')) {
        if (line.startsWith(series + ' '))
            return line.mid(series.size() + 1).toDouble();
    }
    return -1;
}

// The first sample's value, or the first histogram's count, of the family called `name`.
double readingOf(const QList<prometheus::Family>& families, QByteArrayView name)
{
    for (const prometheus::Family& family : families) {
        if (family.name != name)
            continue;
        if (!family.histograms.isEmpty()) {
            const auto& counts = family.histograms.front().bucketCounts;
            return double(std::accumulate(counts.begin(), counts.end(), quint64(0)));
        }
        return family.samples.front().value;
    }
    return -1;
}

} // namespace

class TestMetricsRegistry : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void histogramSortsObservationsIntoBucketsByUpperBound()
    {
        Histogram histogram(kBounds);
        histogram.observe(0.05);
        histogram.observe(0.1); // on a bound: that bucket (le is "less or equal")
        histogram.observe(0.3);
        histogram.observe(2.0);
        histogram.observe(std::chrono::milliseconds(700));
        const auto counts = histogram.bucketCounts();
        QCOMPARE(counts.size(), std::size_t(4));
        QCOMPARE(counts[0], quint64(2));
        QCOMPARE(counts[1], quint64(1));
        QCOMPARE(counts[2], quint64(1));
        QCOMPARE(counts[3], quint64(1));
        QCOMPARE(histogram.count(), quint64(5));
        QCOMPARE(histogram.sum(), 0.05 + 0.1 + 0.3 + 2.0 + 0.7);
    }

    void countsEventsUnderFixedLabels()
    {
        MetricsRegistry metrics("1.2.3");
        metrics.connectionAccepted(MetricsRegistry::Inbound::Socks5);
        metrics.connectionAccepted(MetricsRegistry::Inbound::Http);
        metrics.connectionAccepted(MetricsRegistry::Inbound::Http);
        metrics.connectionFinished(MetricsRegistry::Inbound::Http);
        metrics.connectFailed(ConnectError::Kind::Refused);
        metrics.connectSucceeded(std::chrono::milliseconds(20));
        metrics.connectionBytes(RouteAction::Direct, 10, 1000);
        metrics.connectionBytes(std::nullopt, 5, 0);
        RoutingDecision decision;
        decision.action = RouteAction::Tunnel;
        decision.reason.kind = RouteReason::Kind::ChinaList;
        decision.cache = RoutingDecision::CacheUse::Hit;
        decision.elapsedNs = 2'000;
        metrics.routingDecided(decision);
        metrics.tunnelSetup(MetricsRegistry::TunnelSetupResult::EchRejectedRetry);
        metrics.tunnelSetup(MetricsRegistry::TunnelSetupResult::Ok, std::chrono::milliseconds(150));
        metrics.echConfigFetched(MetricsRegistry::EchConfigFetchResult::FailedServedStale);
        metrics.setTunnelPool(4, 3);

        const QByteArray text = metrics.exposition();
        QCOMPARE(valueOf(text, "echw_build_info{version=\"1.2.3\"}"), 1.0);
        QCOMPARE(valueOf(text, "echw_connections_accepted_total{inbound=\"socks5\"}"), 1.0);
        QCOMPARE(valueOf(text, "echw_connections_accepted_total{inbound=\"http\"}"), 2.0);
        QCOMPARE(valueOf(text, "echw_connections_active{inbound=\"http\"}"), 1.0);
        QCOMPARE(valueOf(text, "echw_connect_errors_total{reason=\"refused\"}"), 1.0);
        QCOMPARE(valueOf(text, "echw_connect_errors_total{reason=\"blocked\"}"), 0.0);
        QCOMPARE(valueOf(text, "echw_connect_duration_seconds_bucket{le=\"0.025\"}"), 1.0);
        QCOMPARE(valueOf(text, "echw_connect_duration_seconds_count"), 1.0);
        QCOMPARE(valueOf(text, "echw_relayed_bytes_total{direction=\"down\",route=\"direct\"}"),
                 1000.0);
        QCOMPARE(valueOf(text, "echw_relayed_bytes_total{direction=\"up\",route=\"none\"}"), 5.0);
        QCOMPARE(valueOf(text, "echw_connections_routed_total{route=\"tunnel\"}"), 1.0);
        QCOMPARE(valueOf(text, "echw_routing_decisions_total{reason=\"china_list\",cache=\"hit\"}"),
                 1.0);
        QCOMPARE(valueOf(text, "echw_routing_decision_duration_seconds_bucket{le=\"1e-05\"}"), 1.0);
        QCOMPARE(valueOf(text, "echw_tunnel_setups_total{result=\"ok\"}"), 1.0);
        QCOMPARE(valueOf(text, "echw_tunnel_setups_total{result=\"ech_rejected_retry\"}"), 1.0);
        QCOMPARE(valueOf(text, "echw_tunnel_setup_duration_seconds_bucket{le=\"0.1\"}"), 0.0);
        QCOMPARE(valueOf(text, "echw_tunnel_setup_duration_seconds_bucket{le=\"0.2\"}"), 1.0);
        QCOMPARE(valueOf(text, "echw_ech_config_fetches_total{result=\"failed_served_stale\"}"),
                 1.0);
        QCOMPARE(valueOf(text, "echw_tunnel_pool_size"), 4.0);
        QCOMPARE(valueOf(text, "echw_tunnel_pool_ready"), 3.0);
        QVERIFY(valueOf(text, "echw_start_time_seconds") > 1.6e9);
    }

    void sumsEnginesSampleBySampleWithOneBuildInfoAndTheEarliestStart()
    {
        MetricsRegistry first("1.2.3");
        MetricsRegistry second("1.2.3");
        first.connectionAccepted(MetricsRegistry::Inbound::Socks5);
        second.connectionAccepted(MetricsRegistry::Inbound::Socks5);
        second.connectionAccepted(MetricsRegistry::Inbound::Http);
        first.connectSucceeded(std::chrono::milliseconds(20));
        second.connectSucceeded(std::chrono::milliseconds(30));
        first.setTunnelPool(2, 1);
        second.setTunnelPool(2, 2);

        const QList<prometheus::Family> summed =
            MetricsRegistry::sum({first.families(), second.families()});
        const QByteArray text = prometheus::render(summed);
        QCOMPARE(text.count("echw_build_info{"), 1);
        QCOMPARE(valueOf(text, "echw_build_info{version=\"1.2.3\"}"), 1.0);
        QCOMPARE(valueOf(text, "echw_start_time_seconds"),
                 std::min(valueOf(first.exposition(), "echw_start_time_seconds"),
                          valueOf(second.exposition(), "echw_start_time_seconds")));
        QCOMPARE(valueOf(text, "echw_connections_accepted_total{inbound=\"socks5\"}"), 2.0);
        QCOMPARE(valueOf(text, "echw_connections_accepted_total{inbound=\"http\"}"), 1.0);
        QCOMPARE(valueOf(text, "echw_connect_duration_seconds_count"), 2.0);
        QCOMPARE(valueOf(text, "echw_connect_duration_seconds_sum"), 0.05);
        QCOMPARE(valueOf(text, "echw_tunnel_pool_size"), 4.0);
        QCOMPARE(valueOf(text, "echw_tunnel_pool_ready"), 3.0);
        QCOMPARE(MetricsRegistry::sum({first.families()}).size(), first.families().size());
    }

    void readersOnAnotherThreadSeeCountersOnlyGrowWhileTheEngineThreadBumpsThem()
    {
        MetricsRegistry metrics("0");
        // Bumped once per round: the first sample of each family, a histogram's count, and a
        // gauge set to the round.
        const QByteArrayView counted[] = {
            "echw_connections_accepted_total", "echw_connect_errors_total",
            "echw_connections_routed_total",   "echw_relayed_bytes_total",
            "echw_tunnel_setups_total",        "echw_connect_duration_seconds",
            "echw_tunnel_pool_size",
        };
        constexpr quint64 kMinRounds = 20'000;
        constexpr int kMinReads = 200;
        std::atomic<int> reads = 0;
        std::atomic<bool> writing = true;
        quint64 rounds = 0;
        // The writer goes on until the reader has rendered kMinReads times, so the reads
        // overlap the writes however the two threads are scheduled.
        std::thread engine([&] {
            RoutingDecision decision;
            decision.action = RouteAction::Direct;
            while (rounds < kMinRounds || reads.load() < kMinReads) {
                ++rounds;
                metrics.connectionAccepted(MetricsRegistry::Inbound::Socks5);
                metrics.connectFailed(ConnectError::Kind::NameNotResolved);
                metrics.routingDecided(decision);
                metrics.connectionBytes(RouteAction::Direct, 1, 2);
                metrics.tunnelSetup(MetricsRegistry::TunnelSetupResult::Ok,
                                    std::chrono::milliseconds(1));
                metrics.connectSucceeded(std::chrono::milliseconds(1));
                metrics.setTunnelPool(int(rounds), 0);
            }
            writing.store(false);
        });

        // No QVERIFY until the writer is joined: a failing one would return past a joinable
        // std::thread.
        std::vector<double> previous(std::size(counted), 0.0);
        QByteArray wentBack;
        while (writing.load()) {
            const QList<prometheus::Family> families = metrics.families();
            for (std::size_t i = 0; i < std::size(counted); ++i) {
                const double now = readingOf(families, counted[i]);
                if (now < previous[i] && wentBack.isEmpty())
                    wentBack = counted[i].toByteArray() + " went from " +
                               QByteArray::number(previous[i]) + " to " + QByteArray::number(now);
                previous[i] = now;
            }
            reads.fetch_add(1);
        }
        engine.join();
        QVERIFY2(wentBack.isEmpty(), wentBack.constData());

        const QList<prometheus::Family> families = metrics.families();
        for (const QByteArrayView name : counted)
            QCOMPARE(readingOf(families, name), double(rounds));
        QCOMPARE(metrics.connectionsAccepted(MetricsRegistry::Inbound::Socks5), rounds);
        QCOMPARE(metrics.connectErrors(ConnectError::Kind::NameNotResolved), rounds);
        const QByteArray text = metrics.exposition();
        QCOMPARE(valueOf(text, "echw_relayed_bytes_total{direction=\"down\",route=\"direct\"}"),
                 double(2 * rounds));
        QCOMPARE(valueOf(text, "echw_connect_duration_seconds_count"), double(rounds));
        QVERIFY(qAbs(valueOf(text, "echw_connect_duration_seconds_sum") - double(rounds) * 0.001) <
                1e-6);
    }

    void everyFamilyHasHelpAndType()
    {
        const MetricsRegistry metrics("0");
        for (const auto& family : metrics.families()) {
            QVERIFY(family.name.startsWith("echw_"));
            QVERIFY(!family.help.isEmpty());
            if (family.type == prometheus::Family::Type::Counter)
                QVERIFY2(family.name.endsWith("_total"), family.name.constData());
        }
    }
};

QTEST_GUILESS_MAIN(TestMetricsRegistry)
#include "tst_metricsregistry.moc"
