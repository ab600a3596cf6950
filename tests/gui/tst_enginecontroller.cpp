// The engine on its own thread, driven the way the GUI drives it: queued calls in, snapshots
// out, with real traffic from a SOCKS5 client to the loopback origin.
#include "EngineController.h"
#include "OriginServer.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace echw;

namespace {

constexpr int kWaitMs = 10'000;

QByteArray socks5Connect(quint16 port)
{
    QByteArray request("\x05\x01\x00\x05\x01\x00\x01\x7f\x00\x00\x01", 11);
    request.append(char(port >> 8)).append(char(port & 0xff));
    return request;
}

} // namespace

class TestEngineController : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_origin.listen({QHostAddress::LocalHost})); }

    void init()
    {
        m_controller = std::make_unique<EngineController>();
        m_controller->setSnapshotInterval(std::chrono::milliseconds(50));
    }

    void cleanup() { m_controller.reset(); }

    void snapshotsListLiveConnectionsWithRouteAndBytes()
    {
        startDirect();
        QTcpSocket client;
        openEcho(client);
        const QByteArray payload(20'000, 'x');
        client.write(payload);
        QByteArray echoed;
        QVERIFY(QTest::qWaitFor(
            [&] {
                echoed += client.readAll();
                return echoed.size() >= payload.size();
            },
            kWaitMs));

        EngineSnapshot snapshot;
        QVERIFY(waitForSnapshot(
            [&](const EngineSnapshot& s) {
                return s.connections.size() == 1 && s.connections[0].bytesDown >= 20'000;
            },
            &snapshot));
        const ConnectionSample& row = snapshot.connections[0];
        QCOMPARE(row.target, QStringLiteral("127.0.0.1:%1").arg(m_origin.port()));
        QCOMPARE(row.inbound, QStringLiteral("SOCKS5"));
        QCOMPARE(row.route, std::optional(RouteAction::Direct));
        QVERIFY(row.matched);
        QCOMPARE(row.matched->kind, echw::RouteReason::Kind::Mode);
        QCOMPARE(row.matched->mode, echw::RoutingMode::None);
        QCOMPARE(row.bytesUp, quint64(5 + payload.size())); // "ECHO\n" and the payload
        QCOMPARE(snapshot.directConnections, 1);
        QCOMPARE(snapshot.tunnelConnections, 0);
        QCOMPARE(snapshot.activeConnections, 1);
        QVERIFY(snapshot.running);
        QCOMPARE(snapshot.listenAddress, m_controller->listenAddress());
    }

    void decisionsArriveOnceInBatches()
    {
        startDirect();
        QList<RoutingDecision> decisions;
        connect(m_controller.get(), &EngineController::snapshotReady, this,
                [&](const EngineSnapshot& s) { decisions += s.decisions; });
        QTcpSocket first;
        QTcpSocket second;
        openEcho(first);
        openEcho(second);
        QVERIFY(QTest::qWaitFor([&] { return decisions.size() >= 2; }, kWaitMs));
        // More snapshots pass; no decision is sent twice.
        QSignalSpy spy(m_controller.get(), &EngineController::snapshotReady);
        QVERIFY(QTest::qWaitFor([&] { return spy.size() >= 3; }, kWaitMs));
        QCOMPARE(decisions.size(), 2);
        QCOMPARE(decisions[0].action, RouteAction::Direct);
        QCOMPARE(decisions[0].target.port, m_origin.port());
    }

    void closeConnectionEndsItAndKeepsItsBytesInTheTotals()
    {
        startDirect();
        QTcpSocket client;
        openEcho(client);
        client.write(QByteArray(1000, 'y'));
        EngineSnapshot before;
        QVERIFY(waitForSnapshot(
            [](const EngineSnapshot& s) {
                return s.connections.size() == 1 && s.connections[0].bytesDown >= 1000;
            },
            &before));
        m_controller->closeConnection(before.connections[0].id);
        QVERIFY(QTest::qWaitFor(
            [&] {
                client.readAll();
                return client.state() == QAbstractSocket::UnconnectedState;
            },
            kWaitMs));
        EngineSnapshot after;
        QVERIFY(waitForSnapshot([](const EngineSnapshot& s) { return s.connections.isEmpty(); },
                                &after));
        QCOMPARE(after.bytesDown, before.connections[0].bytesDown);
        QCOMPARE(after.totalConnections, 1u);
    }

    void startFailureIsReportedWithTheReason()
    {
        QTcpServer occupied;
        QVERIFY(occupied.listen(QHostAddress::LocalHost));
        ProxySettings settings;
        settings.listen = QStringLiteral("127.0.0.1:%1").arg(occupied.serverPort());
        settings.routing = RoutingMode::None;
        QSignalSpy failed(m_controller.get(), &EngineController::startFailed);
        m_controller->start(std::get<EngineConfig>(EngineConfig::parse(settings)));
        QVERIFY(failed.wait(kWaitMs));
        QVERIFY2(failed[0][0].toString().contains(QStringLiteral("cannot listen")),
                 qPrintable(failed[0][0].toString()));
        QVERIFY(!m_controller->isRunning());
    }

    void stopEndsConnectionsAndReportsOnce()
    {
        startDirect();
        QTcpSocket client;
        openEcho(client);
        QSignalSpy stopped(m_controller.get(), &EngineController::stopped);
        m_controller->stop();
        QVERIFY(stopped.wait(kWaitMs));
        QVERIFY(!m_controller->isRunning());
        QVERIFY(QTest::qWaitFor([&] { return client.state() == QAbstractSocket::UnconnectedState; },
                                kWaitMs));
        m_controller->stop();
        startDirect(); // a stopped engine starts again
        QCOMPARE(stopped.size(), 1);
    }

private:
    void startDirect()
    {
        ProxySettings settings;
        settings.listen = QStringLiteral("127.0.0.1:0");
        settings.routing = RoutingMode::None;
        QSignalSpy started(m_controller.get(), &EngineController::started);
        m_controller->start(std::get<EngineConfig>(EngineConfig::parse(settings)));
        QVERIFY(started.wait(kWaitMs));
        QVERIFY(m_controller->isRunning());
        m_port = quint16(m_controller->listenAddress().section(u':', -1).toUInt());
        QVERIFY(m_port != 0);
    }

    void openEcho(QTcpSocket& client)
    {
        client.connectToHost(QHostAddress::LocalHost, m_port);
        client.write(socks5Connect(m_origin.port()));
        QByteArray reply;
        QVERIFY(QTest::qWaitFor(
            [&] {
                reply += client.read(12 - reply.size());
                return reply.size() >= 12;
            },
            kWaitMs));
        QCOMPARE(reply.left(4), QByteArray("\x05\x00\x05\x00", 4));
        client.write("ECHO\n");
    }

    // The first snapshot for which predicate holds, into *out; false when none came in time.
    template <typename Predicate> bool waitForSnapshot(Predicate predicate, EngineSnapshot* out)
    {
        bool matched = false;
        auto connection = connect(m_controller.get(), &EngineController::snapshotReady, this,
                                  [&](const EngineSnapshot& s) {
                                      if (!matched && predicate(s)) {
                                          *out = s;
                                          matched = true;
                                      }
                                  });
        const bool ok = QTest::qWaitFor([&] { return matched; }, kWaitMs);
        disconnect(connection);
        return ok;
    }

    test::OriginServer m_origin;
    std::unique_ptr<EngineController> m_controller;
    quint16 m_port = 0;
};

QTEST_MAIN(TestEngineController)
#include "tst_enginecontroller.moc"
