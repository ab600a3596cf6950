// The connection limit inside one process: the runtime with three engine threads, routing none
// and a limit of two established connections for all of them together.
#include "RunningProxy.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace echw;

namespace {

// Sends a SOCKS5 greeting and reports whether the method answer arrives within `ms`.
bool greetingAnswered(QTcpSocket& socket, int ms)
{
    socket.write(QByteArray("\x05\x01\x00", 3));
    return QTest::qWaitFor([&] { return socket.bytesAvailable() >= 2; }, ms);
}

// Completes a CONNECT to 127.0.0.1:port after the greeting: the connection is established.
bool connectedTo(QTcpSocket& socket, quint16 port)
{
    socket.write(QByteArray::fromHex("05010001"
                                     "7f000001") +
                 char(port >> 8) + char(port & 0xff));
    return QTest::qWaitFor([&] { return socket.bytesAvailable() >= 2 + 10; }, 5000);
}

} // namespace

class TestConnectionLimit : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void queuesClientsAboveTheLimitAndServesThemInOrder();
};

void TestConnectionLimit::queuesClientsAboveTheLimitAndServesThemInOrder()
{
    ProxySettings settings;
    settings.listen = QStringLiteral("127.0.0.1:0");
    settings.routing = RoutingMode::None;
    settings.connectionLimit = 2;
    EngineRuntime engine;
    QVERIFY(!test::startProxy(engine, settings, 3));
    const quint16 port = test::proxyPort(engine);

    QTcpServer target;
    QVERIFY(target.listen(QHostAddress::LocalHost));

    QTcpSocket first;
    QTcpSocket second;
    QTcpSocket third;
    for (QTcpSocket* socket : {&first, &second}) {
        socket->connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(socket->waitForConnected(5000));
        QVERIFY(greetingAnswered(*socket, 5000));
        QVERIFY(connectedTo(*socket, target.serverPort()));
    }
    QTRY_COMPARE_WITH_TIMEOUT(test::snapshotOf(engine).activeConnections, 2, 5000);
    QCOMPARE(engine.establishedConnections(), 2);
    // On two engine threads: the limit is the runtime's, not each engine's.
    QCOMPARE(engine.handedConnections(), (QList<quint64>{1, 1, 0}));
    // TCP completes in the kernel even for the waiting one (listen backlog).
    third.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(third.waitForConnected(5000));
    // The third is not accepted while two are established: its greeting stays unanswered. The
    // wait is bounded and the assertion is on the absence of an answer, not on a duration.
    QVERIFY(!greetingAnswered(third, 300));
    QCOMPARE(test::snapshotOf(engine).activeConnections, 2);

    first.abort();
    QVERIFY(QTest::qWaitFor([&] { return third.bytesAvailable() >= 2; }, 5000));
    QCOMPARE(test::snapshotOf(engine).totalConnections, quint64(3));
}

QTEST_GUILESS_MAIN(TestConnectionLimit)
#include "tst_connectionlimit.moc"
