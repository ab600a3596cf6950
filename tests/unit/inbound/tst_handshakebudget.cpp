// InboundServer's handshake budget: connections that have not completed a first request are
// few, the oldest dropped for a newer one once it had its time (or past the hard cap);
// established connections are never dropped for it.
#include "inbound/InboundServer.h"
#include "outbound/DirectConnector.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <array>
#include <memory>

using namespace echw;
using namespace std::chrono_literals;

namespace {

constexpr int kBudget = 3;

// A SOCKS5 greeting without authentication and a CONNECT to 127.0.0.1:port, in one write.
QByteArray socks5Connect(quint16 port)
{
    return QByteArray::fromHex("05010005010001"
                               "7f000001") +
           char(port >> 8) + char(port & 0xff);
}

// Hands what it accepts to an InboundServer, as the runtime's acceptor does.
class HandingServer final : public QTcpServer {
public:
    explicit HandingServer(InboundServer& server)
        : m_server(server)
    {}

protected:
    void incomingConnection(qintptr descriptor) override { m_server.adopt(descriptor); }

private:
    InboundServer& m_server;
};

bool closedByPeer(QTcpSocket& socket)
{
    return QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; },
                           5000);
}

} // namespace

class TestHandshakeBudget : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void dropsTheOldestHandshakeOnceItHadItsTime();
    void keepsAYoungBurstUpToTheHardCap();
    void neverDropsAnEstablishedConnection();

private:
    std::unique_ptr<QTcpSocket> connectClient();

    std::unique_ptr<DirectConnector> m_direct;
    InboundContext m_context;
    std::unique_ptr<InboundServer> m_listener;
    std::unique_ptr<HandingServer> m_acceptor;
    QTcpServer m_target;
};

void TestHandshakeBudget::init()
{
    m_direct = std::make_unique<DirectConnector>(5s);
    m_context.connector = m_direct.get();
    m_listener =
        std::make_unique<InboundServer>(std::make_shared<const InboundContext>(m_context), kBudget);
    m_acceptor = std::make_unique<HandingServer>(*m_listener);
    QVERIFY(m_acceptor->listen(QHostAddress::LocalHost));
    QVERIFY(m_target.listen(QHostAddress::LocalHost));
}

void TestHandshakeBudget::cleanup()
{
    m_acceptor.reset();
    m_listener.reset();
    m_target.close();
}

std::unique_ptr<QTcpSocket> TestHandshakeBudget::connectClient()
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, m_acceptor->serverPort());
    if (!socket->waitForConnected(5000))
        return nullptr;
    return socket;
}

void TestHandshakeBudget::dropsTheOldestHandshakeOnceItHadItsTime()
{
    std::array<std::unique_ptr<QTcpSocket>, kBudget + 1> clients;
    for (int i = 0; i < kBudget; ++i) {
        clients[i] = connectClient();
        QVERIFY(clients[i]);
        // One at a time, so that their age is their order.
        QTRY_COMPARE_WITH_TIMEOUT(m_listener->handshakingConnections(), i + 1, 5000);
    }
    // Until the oldest has had its time for the handshake, it is not dropped for a newer one.
    QTest::qWait(int(InboundServer::kDropAge.count()) + 100);
    clients[kBudget] = connectClient();
    QVERIFY(clients[kBudget]);

    QVERIFY2(closedByPeer(*clients[0]), "the oldest handshake was not dropped");
    QCOMPARE(m_listener->droppedHandshakes(), quint64(1));
    QCOMPARE(m_listener->handshakingConnections(), kBudget);
    // The others are still served: their requests go through.
    for (int i = 1; i <= kBudget; ++i) {
        QCOMPARE(clients[i]->state(), QAbstractSocket::ConnectedState);
        clients[i]->write(socks5Connect(m_target.serverPort()));
        QVERIFY(QTest::qWaitFor([&] { return clients[i]->bytesAvailable() >= 12; }, 5000));
        QCOMPARE(clients[i]->read(4), QByteArray::fromHex("05000500"));
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_listener->establishedConnections(), kBudget, 5000);
    QCOMPARE(m_listener->handshakingConnections(), 0);
}

void TestHandshakeBudget::keepsAYoungBurstUpToTheHardCap()
{
    constexpr int kHardCap = InboundServer::kHardFactor * kBudget;
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    for (int i = 0; i < kHardCap; ++i) {
        clients.push_back(connectClient());
        QVERIFY(clients.back());
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_listener->handshakingConnections(), kHardCap, 5000);
    QCOMPARE(m_listener->droppedHandshakes(), quint64(0));
    // Past the hard cap the oldest goes, however young.
    clients.push_back(connectClient());
    QVERIFY(closedByPeer(*clients.front()));
    QCOMPARE(m_listener->droppedHandshakes(), quint64(1));
    QCOMPARE(m_listener->handshakingConnections(), kHardCap);
    // The burst is served: every other client's request goes through.
    for (std::size_t i = 1; i < clients.size(); ++i) {
        clients[i]->write(socks5Connect(m_target.serverPort()));
        QVERIFY(QTest::qWaitFor([&] { return clients[i]->bytesAvailable() >= 12; }, 5000));
        QCOMPARE(clients[i]->read(4), QByteArray::fromHex("05000500"));
    }
}

void TestHandshakeBudget::neverDropsAnEstablishedConnection()
{
    auto established = connectClient();
    QVERIFY(established);
    established->write(socks5Connect(m_target.serverPort()));
    QVERIFY(QTest::qWaitFor([&] { return established->bytesAvailable() >= 12; }, 5000));
    QCOMPARE(established->readAll().left(4), QByteArray::fromHex("05000500"));
    QTRY_VERIFY_WITH_TIMEOUT(m_target.hasPendingConnections(), 5000);
    std::unique_ptr<QTcpSocket> upstream(m_target.nextPendingConnection());
    QCOMPARE(m_listener->establishedConnections(), 1);

    // Idle connections after it, twice the budget past the hard cap.
    constexpr int kHardCap = InboundServer::kHardFactor * kBudget;
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    for (int i = 0; i < kHardCap + 2 * kBudget; ++i) {
        idle.push_back(connectClient());
        QVERIFY(idle.back());
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_listener->droppedHandshakes(), quint64(2 * kBudget), 5000);
    QCOMPARE(m_listener->handshakingConnections(), kHardCap);

    // Still relaying, both ways.
    established->write("ping");
    QVERIFY(QTest::qWaitFor([&] { return upstream->bytesAvailable() >= 4; }, 5000));
    QCOMPARE(upstream->readAll(), QByteArray("ping"));
    upstream->write("pong");
    QVERIFY(QTest::qWaitFor([&] { return established->bytesAvailable() >= 4; }, 5000));
    QCOMPARE(established->readAll(), QByteArray("pong"));
}

QTEST_GUILESS_MAIN(TestHandshakeBudget)
#include "tst_handshakebudget.moc"
