#include "metrics/ConnectionRegistry.h"

#include <QTest>

using namespace echw;

namespace {

TargetAddress target(const char* host, quint16 port)
{
    return *TargetAddress::fromHostPort(QString::fromLatin1(host), port);
}

RoutingDecision decision(RouteAction action, RouteReason::Kind reason)
{
    RoutingDecision d;
    d.action = action;
    d.reason.kind = reason;
    return d;
}

QList<quint64> ids(const EngineSnapshot& snapshot)
{
    QList<quint64> result;
    for (const auto& row : snapshot.connections)
        result << row.id;
    return result;
}

} // namespace

class TestConnectionRegistry : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void listsConnectionsWithTheirRouteAndBytes()
    {
        qint64 now = 1000;
        ConnectionRegistry registry([&] { return now; });
        auto a = registry.add(QStringLiteral("SOCKS5"), target("example.com", 443));
        auto b = registry.add(QStringLiteral("HTTP"), target("10.0.0.1", 80));
        a->setRoute(decision(RouteAction::Tunnel, RouteReason::Kind::Mode));
        b->setRoute(decision(RouteAction::Direct, RouteReason::Kind::ChinaList));
        a->counters()->up = 100;
        a->counters()->down = 5000;
        now += 3000;

        EngineSnapshot snapshot;
        registry.sample(snapshot, {});
        QCOMPARE(snapshot.connections.size(), 2);
        const ConnectionSample& first = snapshot.connections[0];
        QCOMPARE(first.id, a->id());
        QCOMPARE(first.target, QStringLiteral("example.com:443"));
        QCOMPARE(first.inbound, QStringLiteral("SOCKS5"));
        QCOMPARE(first.route, std::optional(RouteAction::Tunnel));
        QCOMPARE(first.matched->kind, RouteReason::Kind::Mode);
        QCOMPARE(first.durationMs, 3000);
        QCOMPARE(first.bytesDown, 5000u);
        QCOMPARE(snapshot.connections[1].matched->kind, RouteReason::Kind::ChinaList);
        QCOMPARE(snapshot.tunnelConnections, 1);
        QCOMPARE(snapshot.directConnections, 1);
        QCOMPARE(snapshot.bytesUp, 100u);
        QCOMPARE(snapshot.bytesDown, 5000u);
    }

    void ratesAreOverTheIntervalSinceThePreviousSample()
    {
        qint64 now = 0;
        ConnectionRegistry registry([&] { return now; });
        auto entry = registry.add(QStringLiteral("SOCKS5"), target("example.com", 443));
        EngineSnapshot snapshot;
        registry.sample(snapshot, {});
        entry->counters()->down = 4000;
        now += 2000;
        registry.sample(snapshot, {});
        QCOMPARE(snapshot.intervalMs, 2000);
        QCOMPARE(snapshot.connections[0].rateDown, 2000.0);
        QCOMPARE(snapshot.rateDown, 2000.0);
        now += 1000;
        registry.sample(snapshot, {});
        QCOMPARE(snapshot.connections[0].rateDown, 0.0);
    }

    void finishedConnectionsStayInTotalsAndInTheNextRate()
    {
        qint64 now = 0;
        ConnectionRegistry registry([&] { return now; });
        auto entry = registry.add(QStringLiteral("SOCKS5"), target("example.com", 443));
        entry->counters()->up = 300;
        EngineSnapshot snapshot;
        registry.sample(snapshot, {});
        entry->counters()->up = 1300; // 1000 more, then it ends before the next sample
        entry.reset();
        QCOMPARE(registry.size(), 0);
        now += 1000;
        registry.sample(snapshot, {});
        QVERIFY(snapshot.connections.isEmpty());
        QCOMPARE(snapshot.bytesUp, 1300u);
        QCOMPARE(snapshot.rateUp, 1000.0);
        now += 1000;
        registry.sample(snapshot, {});
        QCOMPARE(snapshot.bytesUp, 1300u);
        QCOMPARE(snapshot.rateUp, 0.0);
    }

    void reportsEachFinishedConnectionOnceWithItsFinalCounts()
    {
        qint64 now = 0;
        ConnectionRegistry registry([&] { return now; });
        auto entry = registry.add(QStringLiteral("HTTP CONNECT"), target("example.com", 443));
        entry->setRoute(decision(RouteAction::Tunnel, RouteReason::Kind::UserRule));
        auto staying = registry.add(QStringLiteral("SOCKS5"), target("example.org", 443));
        EngineSnapshot snapshot;
        registry.sample(snapshot, {});
        QVERIFY(snapshot.closed.isEmpty());

        entry->counters()->up = 70;
        entry->counters()->down = 9000;
        now += 2500;
        const quint64 id = entry->id();
        entry.reset();
        // Opened and finished between two samples: never listed live, still reported.
        registry.add(QStringLiteral("SOCKS5"), target("brief.example", 80)).reset();
        now += 500;
        registry.sample(snapshot, {});
        QCOMPARE(snapshot.closed.size(), 2);
        const ConnectionSample& finished = snapshot.closed[0];
        QCOMPARE(finished.id, id);
        QCOMPARE(finished.target, QStringLiteral("example.com:443"));
        QCOMPARE(finished.inbound, QStringLiteral("HTTP CONNECT"));
        QCOMPARE(finished.route, std::optional(RouteAction::Tunnel));
        QCOMPARE(finished.matched->kind, RouteReason::Kind::UserRule);
        QCOMPARE(finished.durationMs, 2500);
        QCOMPARE(finished.bytesUp, 70u);
        QCOMPARE(finished.bytesDown, 9000u);
        QCOMPARE(snapshot.closed[1].target, QStringLiteral("brief.example:80"));
        QCOMPARE(ids(snapshot), QList<quint64>{staying->id()});

        registry.sample(snapshot, {});
        QVERIFY(snapshot.closed.isEmpty());
    }

    void keepsTheNewestFinishedConnectionsBetweenSamples()
    {
        ConnectionRegistry registry([] { return qint64(0); });
        QList<quint64> started;
        for (int i = 0; i < EngineSnapshot::kMaxClosed + 25; ++i) {
            auto entry = registry.add(QStringLiteral("SOCKS5"), target("example.com", 443));
            started << entry->id();
        }
        // (the entries ended as they went out of scope, in start order)
        EngineSnapshot snapshot;
        registry.sample(snapshot, {});
        QCOMPARE(snapshot.closed.size(), EngineSnapshot::kMaxClosed);
        QCOMPARE(snapshot.closed.first().id, started[25]);
        QCOMPARE(snapshot.closed.last().id, started.last());
        QCOMPARE(snapshot.droppedClosed, 25u);
        registry.sample(snapshot, {});
        QCOMPARE(snapshot.droppedClosed, 0u);
    }

    void sortsOnTheEngineSide()
    {
        qint64 now = 0;
        ConnectionRegistry registry([&] { return now; });
        auto a = registry.add(QStringLiteral("SOCKS5"), target("b.example", 1));
        auto b = registry.add(QStringLiteral("SOCKS5"), target("a.example", 1));
        auto c = registry.add(QStringLiteral("SOCKS5"), target("c.example", 1));
        a->counters()->down = 10;
        b->counters()->down = 30;
        c->counters()->down = 20;
        EngineSnapshot snapshot;
        registry.sample(snapshot, {});
        QCOMPARE(ids(snapshot), (QList<quint64>{a->id(), b->id(), c->id()}));
        registry.sample(snapshot, {ConnectionSortKey::Started, true});
        QCOMPARE(ids(snapshot), (QList<quint64>{c->id(), b->id(), a->id()}));
        registry.sample(snapshot, {ConnectionSortKey::Target, false});
        QCOMPARE(ids(snapshot), (QList<quint64>{b->id(), a->id(), c->id()}));
        registry.sample(snapshot, {ConnectionSortKey::BytesDown, true});
        QCOMPARE(ids(snapshot), (QList<quint64>{b->id(), c->id(), a->id()}));
    }

    void registriesSharingOneSequenceNumberInStartOrder()
    {
        const ConnectionIds shared = std::make_shared<std::atomic<quint64>>(0);
        ConnectionRegistry first({}, shared);
        ConnectionRegistry second({}, shared);
        auto a = first.add(QStringLiteral("SOCKS5"), target("example.com", 443));
        auto b = second.add(QStringLiteral("SOCKS5"), target("example.com", 443));
        auto c = first.add(QStringLiteral("SOCKS5"), target("example.com", 443));
        QCOMPARE(a->id(), 1u);
        QCOMPARE(b->id(), 2u);
        QCOMPARE(c->id(), 3u);
        EngineSnapshot snapshot;
        first.sample(snapshot, {ConnectionSortKey::Started, true});
        QCOMPARE(ids(snapshot), (QList<quint64>{3, 1}));
    }

    void closeRunsTheClosersOnlyForLiveConnections()
    {
        ConnectionRegistry registry;
        auto entry = registry.add(QStringLiteral("HTTP"), target("example.com", 80));
        const quint64 id = entry->id();
        int closed = 0;
        entry->setCloser([&] {
            ++closed;
            entry.reset(); // a session ending destroys its entry from inside the closer
        });
        QVERIFY(registry.close(id));
        QCOMPARE(closed, 1);
        QVERIFY(!registry.close(id));
        QCOMPARE(registry.size(), 0);
    }

    void newTargetOnTheSameConnectionClearsTheRoute()
    {
        ConnectionRegistry registry;
        auto entry = registry.add(QStringLiteral("HTTP"), target("a.example", 80));
        entry->setRoute(decision(RouteAction::Direct, RouteReason::Kind::Mode));
        entry->setTarget(target("b.example", 80));
        EngineSnapshot snapshot;
        registry.sample(snapshot, {});
        QCOMPARE(snapshot.connections[0].target, QStringLiteral("b.example:80"));
        QVERIFY(!snapshot.connections[0].route);
        QVERIFY(!snapshot.connections[0].matched);
    }
};

QTEST_GUILESS_MAIN(TestConnectionRegistry)
#include "tst_connectionregistry.moc"
