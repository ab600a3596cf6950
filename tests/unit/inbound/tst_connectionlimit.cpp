// The connection limit inside one process: an Engine with routing none and a limit of two.
#include "Engine.h"

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
    Engine engine;
    QVERIFY(!engine.start(settings));
    const quint16 port = quint16(engine.listenAddress().section(u':', -1).toUInt());

    QTcpSocket first;
    QTcpSocket second;
    QTcpSocket third;
    for (QTcpSocket* socket : {&first, &second, &third}) {
        socket->connectToHost(QHostAddress::LocalHost, port);
        // TCP completes in the kernel even for the waiting one (listen backlog).
        QVERIFY(socket->waitForConnected(5000));
    }
    QVERIFY(greetingAnswered(first, 5000));
    QVERIFY(greetingAnswered(second, 5000));
    QTRY_COMPARE_WITH_TIMEOUT(engine.activeConnections(), 2, 5000);
    // The third is not accepted while two are open: its greeting stays unanswered. The wait
    // is bounded and the assertion is on the absence of an answer, not on a duration.
    QVERIFY(!greetingAnswered(third, 300));
    QCOMPARE(engine.activeConnections(), 2);

    first.abort();
    QVERIFY(QTest::qWaitFor([&] { return third.bytesAvailable() >= 2; }, 5000));
    QCOMPARE(engine.totalConnections(), quint64(3));
}

QTEST_GUILESS_MAIN(TestConnectionLimit)
#include "tst_connectionlimit.moc"
