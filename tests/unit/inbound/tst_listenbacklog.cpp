// A burst of clients beyond what is being served is queued by the kernel, not dropped: with a
// small listen backlog their SYNs are dropped and they wait for retransmits (or forever, while
// accepting is paused at the connection limit).
#include "RunningProxy.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

using namespace echw;

class TestListenBacklog : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void queuesABurstWhileAcceptingIsPaused()
    {
        EngineRuntime engine;
        ProxySettings settings;
        settings.listen = QStringLiteral("127.0.0.1:0");
        settings.routing = RoutingMode::None;
        settings.connectionLimit = 1;
        QVERIFY(!test::startProxy(engine, settings));
        const quint16 port = test::proxyPort(engine);

        // One established connection (a CONNECT answered) fills the limit: accepting pauses.
        QTcpServer target;
        QVERIFY(target.listen(QHostAddress::LocalHost));
        QTcpSocket first;
        first.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(first.waitForConnected(5000));
        first.write(QByteArray::fromHex("050100"
                                        "05010001"
                                        "7f000001") +
                    char(target.serverPort() >> 8) + char(target.serverPort() & 0xff));
        QVERIFY(QTest::qWaitFor([&] { return first.bytesAvailable() >= 2 + 10; }, 5000));

        // Above Qt's default backlog of 50, below the oldest kernels' somaxconn cap of 128.
        constexpr int kBurst = 120;
        std::vector<std::unique_ptr<QTcpSocket>> clients;
        for (int i = 0; i < kBurst; ++i) {
            clients.push_back(std::make_unique<QTcpSocket>());
            clients.back()->connectToHost(QHostAddress::LocalHost, port);
        }
        const auto connected = [&] {
            return std::count_if(clients.begin(), clients.end(), [](const auto& c) {
                return c->state() == QAbstractSocket::ConnectedState;
            });
        };
        // The kernel completes every handshake at once when the backlog holds them; the wait
        // only bounds a failing run.
        QVERIFY(QTest::qWaitFor([&] { return connected() == kBurst; }, 5000));
        QCOMPARE(test::snapshotOf(engine).activeConnections, 1);
    }
};

QTEST_GUILESS_MAIN(TestListenBacklog)
#include "tst_listenbacklog.moc"
