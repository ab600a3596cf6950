// Several engines on their own threads behind one listening address (EngineGroup), with
// routing none and a loopback echo origin.
#include "DeterministicContent.h"
#include "EngineGroup.h"
#include "OriginServer.h"

#include <QDir>
#include <QFile>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <algorithm>
#include <memory>
#include <numeric>

using namespace echw;

namespace {

constexpr qsizetype kPayload = 32 * 1024;

quint16 portOf(const QString& hostPort)
{
    return quint16(hostPort.section(u':', -1).toUInt());
}

// Threads of this process named like the group's engine threads (Linux names them after
// the QThread's objectName). A joined QThread's system thread may take a moment more to
// leave the list, hence the QTRY below.
int engineThreadsAlive()
{
    int count = 0;
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString& task : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm(tasks.filePath(task + QStringLiteral("/comm")));
        if (comm.open(QIODevice::ReadOnly) && comm.readAll().startsWith("echw-engine"))
            ++count;
    }
    return count;
}

// One SOCKS5 client: greeting and CONNECT to the origin, then "ECHO\n" and a payload that
// must come back byte for byte.
class EchoClient {
public:
    EchoClient(quint16 proxyPort, quint16 originPort, quint64 seed)
        : m_payload(test::content(seed, 0, kPayload))
    {
        QObject::connect(&m_socket, &QTcpSocket::connected, [this, originPort] {
            QByteArray request("\x05\x01\x00\x05\x01\x00\x01\x7f\x00\x00\x01", 11);
            request.append(char(originPort >> 8)).append(char(originPort & 0xff));
            m_socket.write(request);
        });
        QObject::connect(&m_socket, &QTcpSocket::readyRead, [this] { onReadyRead(); });
        m_socket.connectToHost(QHostAddress::LocalHost, proxyPort);
    }

    bool done() const { return m_received.size() >= 12 + kPayload || m_failed; }
    bool succeeded() const { return !m_failed && m_received.mid(12) == m_payload; }

private:
    void onReadyRead()
    {
        const bool replied = m_received.size() >= 12;
        m_received += m_socket.readAll();
        if (replied || m_received.size() < 12)
            return;
        // Method answer 05 00, then the CONNECT reply 05 00 00 01 + address and port.
        if (m_received.left(4) != QByteArray("\x05\x00\x05\x00", 4)) {
            m_failed = true;
            return;
        }
        m_socket.write("ECHO\n");
        m_socket.write(m_payload);
    }

    QTcpSocket m_socket;
    QByteArray m_payload;
    QByteArray m_received;
    bool m_failed = false;
};

ProxySettings directSettings(const QString& listen)
{
    ProxySettings settings;
    settings.listen = listen;
    settings.routing = RoutingMode::None;
    return settings;
}

// Asynchronous: the endpoint is served on this thread.
QByteArray scrape(const QString& hostPort)
{
    QTcpSocket socket;
    QObject::connect(&socket, &QTcpSocket::connected,
                     [&] { socket.write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"); });
    QByteArray response;
    QObject::connect(&socket, &QTcpSocket::readyRead, [&] { response += socket.readAll(); });
    socket.connectToHost(QHostAddress::LocalHost, portOf(hostPort));
    if (!QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; },
                         10'000))
        return {};
    return response;
}

} // namespace

class TestEngineGroup : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void relaysConcurrentClientsByteForByteAcrossEnginesOnOnePort();
    void keepsOneConnectionLimitForAllEngines();
    void failsCleanlyWhenThePortIsTaken();
    void stopJoinsEveryEngineThread();
};

void TestEngineGroup::relaysConcurrentClientsByteForByteAcrossEnginesOnOnePort()
{
    test::OriginServer origin;
    QVERIFY(origin.listen({QHostAddress::LocalHost}));
    EngineGroup group(4);
    ProxySettings settings = directSettings(QStringLiteral("127.0.0.1:0"));
    settings.metricsListen = QStringLiteral("127.0.0.1:0");
    const auto error = group.start(settings);
    QVERIFY2(!error, qPrintable(error.value_or(QString())));
    QCOMPARE(engineThreadsAlive(), 4);
    const quint16 port = portOf(group.listenAddress());
    QVERIFY(port != 0);

    constexpr int kClients = 200;
    std::vector<std::unique_ptr<EchoClient>> clients;
    for (int i = 0; i < kClients; ++i)
        clients.push_back(std::make_unique<EchoClient>(port, origin.port(), quint64(i)));
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(clients.begin(), clients.end(), [](const auto& c) { return c->done(); }),
        60'000);
    for (int i = 0; i < kClients; ++i)
        QVERIFY2(clients[i]->succeeded(), qPrintable(QStringLiteral("client %1").arg(i)));

    const QList<quint64> handed = group.handedConnections();
    QCOMPARE(handed.size(), 4);
    QCOMPARE(std::accumulate(handed.begin(), handed.end(), quint64(0)), quint64(kClients));
    QVERIFY2(std::count_if(handed.begin(), handed.end(), [](quint64 n) { return n > 0; }) > 1,
             "every connection went to one engine");

    // One endpoint counts for every engine.
    const QByteArray metrics = scrape(group.metricsAddress());
    QVERIFY2(metrics.contains("\nechw_connections_accepted_total{inbound=\"socks5\"} 200\n"),
             metrics.constData());
    QCOMPARE(metrics.count("echw_build_info{"), 1);

    clients.clear();
    QTRY_COMPARE_WITH_TIMEOUT(group.establishedConnections(), 0, 10'000);
}

void TestEngineGroup::keepsOneConnectionLimitForAllEngines()
{
    ProxySettings settings = directSettings(QStringLiteral("127.0.0.1:0"));
    settings.connectionLimit = 2;
    EngineGroup group(3);
    QVERIFY(!group.start(settings));
    const quint16 port = portOf(group.listenAddress());

    QTcpServer target;
    QVERIFY(target.listen(QHostAddress::LocalHost));
    const quint16 targetPort = target.serverPort();

    QTcpSocket first;
    QTcpSocket second;
    QTcpSocket third;
    // Two established connections (a CONNECT answered), on different engines.
    for (QTcpSocket* socket : {&first, &second}) {
        socket->connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(socket->waitForConnected(5000));
        socket->write(QByteArray::fromHex("050100"
                                          "05010001"
                                          "7f000001") +
                      char(targetPort >> 8) + char(targetPort & 0xff));
        QTRY_VERIFY_WITH_TIMEOUT(socket->bytesAvailable() >= 2 + 10, 5000);
    }
    QTRY_COMPARE_WITH_TIMEOUT(group.establishedConnections(), 2, 5000);
    // The third waits while two are established anywhere in the group: no answer, bounded
    // wait.
    third.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(third.waitForConnected(5000));
    third.write(QByteArray("\x05\x01\x00", 3));
    QVERIFY(!QTest::qWaitFor([&] { return third.bytesAvailable() >= 2; }, 300));

    first.abort();
    QTRY_VERIFY_WITH_TIMEOUT(third.bytesAvailable() >= 2, 5000);
}

void TestEngineGroup::failsCleanlyWhenThePortIsTaken()
{
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost));
    const QString address = QStringLiteral("127.0.0.1:%1").arg(taken.serverPort());
    EngineGroup group(3);
    const auto error = group.start(directSettings(address));
    QVERIFY(error);
    QVERIFY2(error->startsWith(QStringLiteral("cannot listen on ") + address), qPrintable(*error));
    QVERIFY(!group.isRunning());
    QVERIFY(group.handedConnections().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(engineThreadsAlive(), 0, 2000);
}

void TestEngineGroup::stopJoinsEveryEngineThread()
{
    EngineGroup group(3);
    QVERIFY(!group.start(directSettings(QStringLiteral("127.0.0.1:0"))));
    QCOMPARE(engineThreadsAlive(), 3);
    // A client in the middle of its handshake when the group stops.
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, portOf(group.listenAddress()));
    QVERIFY(client.waitForConnected(5000));
    QTRY_VERIFY_WITH_TIMEOUT(group.handedConnections().contains(1), 5000);

    group.stop();
    QVERIFY(!group.isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(engineThreadsAlive(), 0, 2000);
    QTRY_VERIFY_WITH_TIMEOUT(client.state() == QAbstractSocket::UnconnectedState, 5000);

    // And it starts again.
    QVERIFY(!group.start(directSettings(QStringLiteral("127.0.0.1:0"))));
    QCOMPARE(engineThreadsAlive(), 3);
}

QTEST_GUILESS_MAIN(TestEngineGroup)
#include "tst_enginegroup.moc"
