// Every handshake state has a deadline: an Engine with a short one, and clients that stall.
#include "RunningProxy.h"

#include <QTcpSocket>
#include <QTest>

using namespace echw;

class TestHandshakeDeadline : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void closesStalledClients_data();
    void closesStalledClients();

private:
    EngineRuntime m_engine;
    quint16 m_port = 0;
};

void TestHandshakeDeadline::initTestCase()
{
    ProxySettings settings;
    settings.listen = QStringLiteral("127.0.0.1:0");
    settings.routing = RoutingMode::None;
    settings.handshakeTimeout = std::chrono::milliseconds(200);
    QVERIFY(!test::startProxy(m_engine, settings));
    m_port = test::proxyPort(m_engine);
}

void TestHandshakeDeadline::closesStalledClients_data()
{
    QTest::addColumn<QByteArray>("sent");
    QTest::addColumn<QByteArray>("reply");
    QTest::newRow("nothing sent") << QByteArray() << QByteArray();
    QTest::newRow("half a SOCKS5 greeting") << QByteArray("\x05\x02\x00", 3) << QByteArray();
    QTest::newRow("SOCKS5 request cut short")
        << QByteArray("\x05\x01\x00\x05\x01\x00\x01\x7f", 8) << QByteArray("\x05\x00", 2);
    QTest::newRow("half an HTTP head")
        << QByteArray("GET http://a.example/ HTTP/1.1\r\nHo") << QByteArray("HTTP/1.1 408 ");
}

void TestHandshakeDeadline::closesStalledClients()
{
    QFETCH(QByteArray, sent);
    QFETCH(QByteArray, reply);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(socket.waitForConnected(5000));
    socket.write(sent);
    QByteArray received;
    // The proxy closes the connection by itself; the wait only bounds a failing run.
    QVERIFY(QTest::qWaitFor(
        [&] {
            received += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        10000));
    received += socket.readAll();
    QVERIFY2(received.startsWith(reply), received.constData());
    if (reply.isEmpty())
        QVERIFY(received.isEmpty());
}

QTEST_GUILESS_MAIN(TestHandshakeDeadline)
#include "tst_handshakedeadline.moc"
