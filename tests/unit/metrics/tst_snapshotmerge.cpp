#include "metrics/ConnectionRegistry.h"
#include "metrics/SnapshotMerge.h"

#include <QTest>

using namespace echw;

namespace {

constexpr ConnectionSortKey kSortKeys[] = {
    ConnectionSortKey::Started,  ConnectionSortKey::Target,   ConnectionSortKey::Route,
    ConnectionSortKey::Duration, ConnectionSortKey::BytesUp,  ConnectionSortKey::BytesDown,
    ConnectionSortKey::RateUp,   ConnectionSortKey::RateDown,
};
// A new key belongs in kSortKeys.
static_assert(std::size(kSortKeys) == std::size_t(ConnectionSortKey::RateDown) + 1);

TargetAddress target(const char* host, quint16 port)
{
    return *TargetAddress::fromHostPort(QString::fromLatin1(host), port);
}

RoutingDecision decision(RouteAction action, int ruleLine = 0)
{
    RoutingDecision d;
    d.action = action;
    d.reason.kind = RouteReason::Kind::Mode;
    d.reason.ruleLine = ruleLine;
    return d;
}

QList<quint64> ids(const QList<ConnectionSample>& rows)
{
    QList<quint64> result;
    for (const auto& row : rows)
        result << row.id;
    return result;
}

QList<int> ruleLines(const QList<RoutingDecision>& decisions)
{
    QList<int> result;
    for (const auto& d : decisions)
        result << d.reason.ruleLine;
    return result;
}

QList<RoutingDecision> decisions(int first, int count)
{
    QList<RoutingDecision> result;
    for (int i = first; i < first + count; ++i)
        result << decision(RouteAction::Direct, i);
    return result;
}

// Finished connections with ids first, first + 1, ...
QList<ConnectionSample> closedConnections(quint64 first, int count)
{
    QList<ConnectionSample> result;
    for (quint64 id = first; id < first + quint64(count); ++id) {
        ConnectionSample sample;
        sample.id = id;
        result << sample;
    }
    return result;
}

QList<quint64> idsOf(const QList<ConnectionSample>& rows)
{
    QList<quint64> result;
    for (const auto& row : rows)
        result << row.id;
    return result;
}

// One connection listed twice: in the registry that holds every connection and in the
// registry of the engine that serves it.
struct Listed {
    std::unique_ptr<ConnectionEntry> inAll;
    std::unique_ptr<ConnectionEntry> inEngine;

    void setRoute(RouteAction action)
    {
        inAll->setRoute(decision(action));
        inEngine->setRoute(decision(action));
    }
    void add(quint64 up, quint64 down)
    {
        for (ConnectionEntry* entry : {inAll.get(), inEngine.get()}) {
            entry->counters()->up += up;
            entry->counters()->down += down;
        }
    }
};

} // namespace

class TestSnapshotMerge : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void listsConnectionsAsOneRegistryHoldingThemAllWouldForEverySortOrder()
    {
        qint64 now = 0;
        const ConnectionRegistry::Clock clock = [&] {
            return now;
        };
        ConnectionRegistry all(clock);
        // Two engines with one id sequence, as in the runtime: connection i is id i + 1 in
        // both lists.
        const ConnectionIds sequence = std::make_shared<std::atomic<quint64>>(0);
        ConnectionRegistry first(clock, sequence);
        ConnectionRegistry second(clock, sequence);
        ConnectionRegistry* engines[] = {&first, &second};

        // Equal targets, routes, start times and byte counts, so ties are broken too.
        const char* hosts[] = {"b.example", "a.example", "b.example", "c.example",
                               "a.example", "c.example", "b.example", "d.example"};
        const std::optional<RouteAction> routes[] = {
            RouteAction::Tunnel, RouteAction::Direct, std::nullopt,        RouteAction::Tunnel,
            RouteAction::Block,  std::nullopt,        RouteAction::Direct, RouteAction::Tunnel};
        std::vector<Listed> listed;
        for (std::size_t i = 0; i < std::size(hosts); ++i) {
            if (i % 3 == 0)
                now += 500;
            const QString inbound = i % 2 ? QStringLiteral("HTTP") : QStringLiteral("SOCKS5");
            Listed connection{all.add(inbound, target(hosts[i], 443)),
                              engines[i % 2]->add(inbound, target(hosts[i], 443))};
            QCOMPARE(connection.inEngine->id(), connection.inAll->id());
            if (routes[i])
                connection.setRoute(*routes[i]);
            connection.add(100 * (i % 3), 1000 * (i % 2));
            listed.push_back(std::move(connection));
        }
        // One that ends: its bytes stay in the totals and in the next rates.
        listed[3].add(7, 70);
        listed.erase(listed.begin() + 3);

        EngineSnapshot ofAll;
        EngineSnapshot ofFirst;
        EngineSnapshot ofSecond;
        std::size_t round = 0;
        for (const ConnectionSortKey key : kSortKeys) {
            for (const bool descending : {false, true}) {
                const ConnectionSort sort{key, descending};
                for (std::size_t i = 0; i < listed.size(); ++i)
                    listed[i].add(10 * ((i + round) % 3), 20 * ((i * round) % 4));
                now += 1000 + 250 * (round % 2);
                ++round;
                all.sample(ofAll, sort);
                first.sample(ofFirst, sort);
                second.sample(ofSecond, sort);

                const EngineSnapshot merged = mergeSnapshots({ofFirst, ofSecond}, sort);
                const QByteArray which =
                    "key " + QByteArray::number(int(key)) + (descending ? " descending" : "");
                QVERIFY2(ids(merged.connections) == ids(ofAll.connections), which);
                QVERIFY2(merged.connections == ofAll.connections, which);
                QCOMPARE(merged.bytesUp, ofAll.bytesUp);
                QCOMPARE(merged.bytesDown, ofAll.bytesDown);
                QCOMPARE(merged.rateUp, ofAll.rateUp);
                QCOMPARE(merged.rateDown, ofAll.rateDown);
                QCOMPARE(merged.tunnelConnections, ofAll.tunnelConnections);
                QCOMPARE(merged.directConnections, ofAll.directConnections);
                QCOMPARE(merged.intervalMs, ofAll.intervalMs);
            }
        }
    }

    void sumsCountsAndLeavesTheGroupsOwnFieldsToTheCaller()
    {
        EngineSnapshot first;
        first.sequence = 7;
        first.running = false;
        first.listenAddress = QStringLiteral("127.0.0.1:1080");
        first.tunnel.state = TunnelStatus::State::EchAccepted;
        first.intervalMs = 990;
        first.activeConnections = 3;
        first.totalConnections = 40;
        first.droppedDecisions = 2;
        EngineSnapshot second = first;
        second.running = true;
        second.intervalMs = 1010;
        second.activeConnections = 1;
        second.totalConnections = 2;

        const EngineSnapshot merged = mergeSnapshots({first, second}, {});
        QVERIFY(merged.running);
        QCOMPARE(merged.intervalMs, 1010);
        QCOMPARE(merged.activeConnections, 4);
        QCOMPARE(merged.totalConnections, 42u);
        QCOMPARE(merged.droppedDecisions, 4u);
        QCOMPARE(merged.sequence, 0u);
        QVERIFY(merged.listenAddress.isEmpty());
        QVERIFY(merged.tunnel == TunnelStatus{});
        QVERIFY(!mergeSnapshots({first, first}, {}).running);
    }

    void keepsTheNewestDecisionsUpToTheCapAndCountsTheRestAsDropped()
    {
        EngineSnapshot first;
        first.decisions = decisions(0, 200);
        first.droppedDecisions = 5;
        EngineSnapshot second;
        second.decisions = decisions(1000, 100);

        const EngineSnapshot merged = mergeSnapshots({first, second}, {});
        QCOMPARE(merged.decisions.size(), EngineSnapshot::kMaxDecisions);
        // No decision has a time: engine order, and the cap takes the front of the list.
        QCOMPARE(ruleLines(merged.decisions), ruleLines(decisions(44, 156) + decisions(1000, 100)));
        QCOMPARE(merged.droppedDecisions, 44u + 5u);

        EngineSnapshot few;
        few.decisions = decisions(0, 3);
        const EngineSnapshot underTheCap = mergeSnapshots({few, second}, {});
        QCOMPARE(ruleLines(underTheCap.decisions),
                 ruleLines(decisions(0, 3) + decisions(1000, 100)));
        QCOMPARE(underTheCap.droppedDecisions, 0u);

        EngineSnapshot full;
        full.decisions = decisions(0, EngineSnapshot::kMaxDecisions);
        const EngineSnapshot wholeEngineDropped = mergeSnapshots({few, full}, {});
        QCOMPARE(ruleLines(wholeEngineDropped.decisions), ruleLines(full.decisions));
        QCOMPARE(wholeEngineDropped.droppedDecisions, 3u);
    }

    void keepsTheNewestClosedConnectionsUpToTheCapAndCountsTheRestAsDropped()
    {
        EngineSnapshot first;
        first.closed = closedConnections(1, 400);
        first.droppedClosed = 7;
        EngineSnapshot second;
        second.closed = closedConnections(5000, 200);

        const EngineSnapshot merged = mergeSnapshots({first, second}, {});
        QCOMPARE(merged.closed.size(), EngineSnapshot::kMaxClosed);
        QCOMPARE(idsOf(merged.closed),
                 idsOf(closedConnections(101, 300) + closedConnections(5000, 200)));
        QCOMPARE(merged.droppedClosed, 100u + 7u);

        const EngineSnapshot underTheCap = mergeSnapshots({second, second}, {});
        QCOMPARE(underTheCap.closed.size(), 400);
        QCOMPARE(underTheCap.droppedClosed, 0u);
    }

    void mergingNoEnginesGivesAnEmptyStoppedSnapshot()
    {
        const EngineSnapshot merged = mergeSnapshots({}, {ConnectionSortKey::Target, true});
        QVERIFY(!merged.running);
        QCOMPARE(merged.intervalMs, 0);
        QCOMPARE(merged.activeConnections, 0);
        QCOMPARE(merged.totalConnections, 0u);
        QCOMPARE(merged.bytesUp, 0u);
        QCOMPARE(merged.rateDown, 0.0);
        QVERIFY(merged.connections.isEmpty());
        QVERIFY(merged.decisions.isEmpty());
        QCOMPARE(merged.droppedDecisions, 0u);
    }
};

QTEST_GUILESS_MAIN(TestSnapshotMerge)
#include "tst_snapshotmerge.moc"
