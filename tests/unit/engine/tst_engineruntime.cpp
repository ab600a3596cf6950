// The runtime: engines on their own threads behind one listening address, with routing none
// and a loopback echo origin.
#include "DeterministicContent.h"
#include "DohTestServer.h"
#include "InProcessWorker.h"
#include "OriginServer.h"
#include "RunningProxy.h"
#include "routing/RouteLists.h"

#include <QDir>
#include <QFile>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>
#include <mutex>
#include <numeric>

using namespace echw;

namespace {

constexpr qsizetype kPayload = 32 * 1024;

quint16 portOf(const QString& hostPort)
{
    return quint16(hostPort.section(u':', -1).toUInt());
}

// Threads of this process named like the runtime's engine threads (Linux names them after
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

// The log lines of every thread while it lives, in order.
class LogCapture {
public:
    LogCapture()
    {
        s_current = this;
        m_previous = qInstallMessageHandler(&LogCapture::handle);
    }
    ~LogCapture()
    {
        qInstallMessageHandler(m_previous);
        s_current = nullptr;
    }
    int count(const QString& fragment) const
    {
        const std::lock_guard lock(m_mutex);
        return int(std::count_if(m_lines.begin(), m_lines.end(),
                                 [&](const QString& line) { return line.contains(fragment); }));
    }

private:
    static void handle(QtMsgType type, const QMessageLogContext& context, const QString& message)
    {
        if (LogCapture* capture = s_current) {
            const std::lock_guard lock(capture->m_mutex);
            capture->m_lines.append(message);
        }
        if (type >= QtWarningMsg && s_current && s_current->m_previous)
            s_current->m_previous(type, context, message);
    }

    static inline LogCapture* s_current = nullptr;
    QtMessageHandler m_previous = nullptr;
    mutable std::mutex m_mutex;
    QStringList m_lines;
};

// A TCP forwarder in front of a worker that counts the connections it forwards: which server a
// tunnel went to.
class CountingForwarder final : public QTcpServer {
public:
    explicit CountingForwarder(quint16 targetPort)
        : m_targetPort(targetPort)
    {}
    int forwarded() const { return m_forwarded; }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        ++m_forwarded;
        auto* client = new QTcpSocket(this);
        auto* upstream = new QTcpSocket(this);
        client->setSocketDescriptor(descriptor);
        QObject::connect(client, &QTcpSocket::readyRead, upstream,
                         [client, upstream] { upstream->write(client->readAll()); });
        QObject::connect(upstream, &QTcpSocket::readyRead, client,
                         [client, upstream] { client->write(upstream->readAll()); });
        QObject::connect(upstream, &QTcpSocket::connected, upstream,
                         [client, upstream] { upstream->write(client->readAll()); });
        for (auto [from, to] : {std::pair{client, upstream}, std::pair{upstream, client}})
            QObject::connect(from, &QTcpSocket::disconnected, to,
                             [to] { to->disconnectFromHost(); });
        upstream->connectToHost(QHostAddress::LocalHost, m_targetPort);
    }

private:
    quint16 m_targetPort;
    int m_forwarded = 0;
};

// GET /bytes through SOCKS5, read as it arrives.
class Download {
public:
    Download(quint16 proxyPort, quint16 originPort, quint64 seed, qsizetype size)
    {
        QObject::connect(&m_socket, &QTcpSocket::connected, [this, originPort, seed, size] {
            QByteArray request("\x05\x01\x00\x05\x01\x00\x01\x7f\x00\x00\x01", 11);
            request.append(char(originPort >> 8)).append(char(originPort & 0xff));
            request += QStringLiteral("GET /bytes/%1?seed=%2 HTTP/1.1\r\nHost: origin\r\n"
                                      "Connection: close\r\n\r\n")
                           .arg(size)
                           .arg(seed)
                           .toLatin1();
            m_socket.write(request);
        });
        QObject::connect(&m_socket, &QTcpSocket::readyRead, [this] {
            if (!m_paused)
                m_received += m_socket.readAll();
        });
        // Paused, at most this much waits here: the rest backs up through the proxy.
        m_socket.setReadBufferSize(256 * 1024);
        QObject::connect(&m_socket, &QTcpSocket::disconnected, [this] { m_ended = true; });
        m_socket.connectToHost(QHostAddress::LocalHost, proxyPort);
    }
    qsizetype received() const { return m_received.size(); }
    void pause() { m_paused = true; }
    void resume()
    {
        m_paused = false;
        m_received += m_socket.readAll();
    }
    bool ended() const { return m_ended; }
    // The body after the SOCKS5 replies and the response head.
    QByteArray body() const
    {
        const qsizetype head = m_received.indexOf("\r\n\r\n", 12);
        return head < 0 ? QByteArray() : m_received.mid(head + 4);
    }

private:
    QTcpSocket m_socket;
    QByteArray m_received;
    bool m_ended = false;
    bool m_paused = false;
};

} // namespace

class TestEngineRuntime : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void relaysConcurrentClientsByteForByteAcrossEnginesOnOnePort();
    void failsCleanlyWhenThePortIsTaken();
    void stopJoinsEveryEngineThread();
    void fourThreadsShareOneListLoadAndOneEchFetch();
    void reconfiguringKeepsOpenTransfersAndRoutesNewConnectionsAnew();
};

void TestEngineRuntime::relaysConcurrentClientsByteForByteAcrossEnginesOnOnePort()
{
    test::OriginServer origin;
    QVERIFY(origin.listen({QHostAddress::LocalHost}));
    EngineRuntime runtime;
    ProxySettings settings = test::directSettings(QStringLiteral("127.0.0.1:0"));
    settings.metricsListen = QStringLiteral("127.0.0.1:0");
    const auto error = test::startProxy(runtime, settings, 4);
    QVERIFY2(!error, qPrintable(error.value_or(QString())));
    QCOMPARE(engineThreadsAlive(), 4);
    const quint16 port = portOf(runtime.listenAddress());
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

    const QList<quint64> handed = runtime.handedConnections();
    QCOMPARE(handed.size(), 4);
    QCOMPARE(std::accumulate(handed.begin(), handed.end(), quint64(0)), quint64(kClients));
    QVERIFY2(std::count_if(handed.begin(), handed.end(), [](quint64 n) { return n > 0; }) > 1,
             "every connection went to one engine");

    // One endpoint counts for every engine.
    const QByteArray metrics = scrape(runtime.metricsAddress());
    QVERIFY2(metrics.contains("\nechw_connections_accepted_total{inbound=\"socks5\"} 200\n"),
             metrics.constData());
    QCOMPARE(metrics.count("echw_build_info{"), 1);

    clients.clear();
    QTRY_COMPARE_WITH_TIMEOUT(runtime.establishedConnections(), 0, 10'000);
}

void TestEngineRuntime::failsCleanlyWhenThePortIsTaken()
{
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost));
    const QString address = QStringLiteral("127.0.0.1:%1").arg(taken.serverPort());
    EngineRuntime runtime;
    const auto error = test::startProxy(runtime, test::directSettings(address), 3);
    QVERIFY(error);
    QVERIFY2(error->startsWith(QStringLiteral("cannot listen on ") + address), qPrintable(*error));
    QVERIFY(!runtime.isRunning());
    QVERIFY(runtime.handedConnections().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(engineThreadsAlive(), 0, 2000);
}

void TestEngineRuntime::stopJoinsEveryEngineThread()
{
    EngineRuntime runtime;
    QVERIFY(!test::startProxy(runtime, test::directSettings(QStringLiteral("127.0.0.1:0")), 3));
    QCOMPARE(engineThreadsAlive(), 3);
    // A client in the middle of its handshake when the runtime stops.
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, portOf(runtime.listenAddress()));
    QVERIFY(client.waitForConnected(5000));
    QTRY_VERIFY_WITH_TIMEOUT(runtime.handedConnections().contains(1), 5000);

    runtime.stop();
    QVERIFY(!runtime.isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(engineThreadsAlive(), 0, 2000);
    QTRY_VERIFY_WITH_TIMEOUT(client.state() == QAbstractSocket::UnconnectedState, 5000);

    // And it starts again.
    QVERIFY(!test::startProxy(runtime, test::directSettings(QStringLiteral("127.0.0.1:0")), 3));
    QCOMPARE(engineThreadsAlive(), 3);
}

void TestEngineRuntime::fourThreadsShareOneListLoadAndOneEchFetch()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto credentials = test::workerCredentials(
        dir.path(), {QStringLiteral("localhost"), QStringLiteral("127.0.0.1")},
        QStringLiteral("shared.test"));
    const auto worker = test::startWorker(credentials, test::loopbackWorkerSettings());
    test::DohTestServer doh(credentials.certificate, credentials.publicName,
                            credentials.echConfigList);
    QVERIFY(doh.listen(QHostAddress::LocalHost));
    test::OriginServer origin;
    QVERIFY(origin.listen({QHostAddress::LocalHost}));
    // A list without loopback: the clients below are tunnelled.
    QFile list(QDir(dir.path()).filePath(kIpv4ListFileName));
    QVERIFY(list.open(QIODevice::WriteOnly));
    list.write("1.0.1.0 1.0.1.255\n");
    list.close();

    ProxySettings settings;
    settings.listen = QStringLiteral("127.0.0.1:0");
    settings.routing = RoutingMode::BypassCn;
    settings.listDirectory = dir.path();
    settings.server.address = QStringLiteral("localhost:%1").arg(worker->serverPort());
    settings.server.preferredIp = QStringLiteral("127.0.0.1");
    settings.server.dohServer = doh.url().toString();
    settings.server.echDomain = credentials.publicName;
    settings.server.caFile = credentials.certificateFile;

    LogCapture log;
    EngineRuntime runtime;
    const auto error = test::startProxy(runtime, settings, 4);
    QVERIFY2(!error, qPrintable(error.value_or(QString())));
    const quint16 port = portOf(runtime.listenAddress());

    constexpr int kClients = 8;
    std::vector<std::unique_ptr<EchoClient>> clients;
    for (int i = 0; i < kClients; ++i)
        clients.push_back(std::make_unique<EchoClient>(port, origin.port(), quint64(i)));
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(clients.begin(), clients.end(), [](const auto& c) { return c->done(); }),
        30'000);
    for (int i = 0; i < kClients; ++i)
        QVERIFY2(clients[i]->succeeded(), qPrintable(QStringLiteral("client %1").arg(i)));
    const QList<quint64> handed = runtime.handedConnections();
    QCOMPARE(std::count(handed.begin(), handed.end(), quint64(kClients / 4)), 4);

    // Every engine tunnelled with ECH, yet one DoH query and one list load were made.
    QCOMPARE(doh.requests.size(), 1);
    QCOMPARE(log.count(QStringLiteral("China lists")), 1);
    QCOMPARE(log.count(QStringLiteral("ECH config for shared.test ready")), 1);

    // The dashboard sees the connections of all four threads, each id once.
    const EngineSnapshot snapshot = test::snapshotOf(runtime);
    QCOMPARE(snapshot.connections.size(), kClients);
    QCOMPARE(snapshot.tunnelConnections, kClients);
    QCOMPARE(snapshot.tunnel.state, TunnelStatus::State::EchAccepted);
    QSet<quint64> ids;
    for (const ConnectionSample& row : snapshot.connections)
        ids.insert(row.id);
    QCOMPARE(ids.size(), kClients);
}

void TestEngineRuntime::reconfiguringKeepsOpenTransfersAndRoutesNewConnectionsAnew()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto credentials = test::workerCredentials(
        dir.path(), {QStringLiteral("localhost"), QStringLiteral("127.0.0.1")},
        QStringLiteral("switch.test"));
    const auto workerA = test::startWorker(credentials, test::loopbackWorkerSettings());
    const auto workerB = test::startWorker(credentials, test::loopbackWorkerSettings());
    CountingForwarder toA(workerA->serverPort());
    CountingForwarder toB(workerB->serverPort());
    QVERIFY(toA.listen(QHostAddress::LocalHost));
    QVERIFY(toB.listen(QHostAddress::LocalHost));
    test::DohTestServer doh(credentials.certificate, credentials.publicName,
                            credentials.echConfigList);
    QVERIFY(doh.listen(QHostAddress::LocalHost));
    test::OriginServer origin;
    QVERIFY(origin.listen({QHostAddress::LocalHost}));

    ProxySettings settings;
    settings.listen = QStringLiteral("127.0.0.1:0");
    settings.routing = RoutingMode::Global;
    settings.server.address = QStringLiteral("localhost:%1").arg(toA.serverPort());
    settings.server.preferredIp = QStringLiteral("127.0.0.1");
    settings.server.dohServer = doh.url().toString();
    settings.server.echDomain = credentials.publicName;
    settings.server.caFile = credentials.certificateFile;
    EngineRuntime runtime;
    const auto error = test::startProxy(runtime, settings);
    QVERIFY2(!error, qPrintable(error.value_or(QString())));
    const quint16 port = portOf(runtime.listenAddress());
    const auto apply = [&](const ProxySettings& changed) {
        auto parsed = EngineConfig::parse(changed);
        QVERIFY(std::holds_alternative<EngineConfig>(parsed));
        const auto problem = runtime.reconfigure(std::get<EngineConfig>(parsed));
        QVERIFY2(!problem, qPrintable(problem.value_or(QString())));
    };

    // A long download through server A, under way when the server and then the mode change.
    constexpr qsizetype kSize = 24 * 1024 * 1024;
    Download first(port, origin.port(), 7, kSize);
    QTRY_VERIFY_WITH_TIMEOUT(first.received() > 1024 * 1024, 30'000);
    first.pause(); // held mid-transfer while the configuration changes twice
    QCOMPARE(toA.forwarded(), 1);

    ProxySettings serverB = settings;
    serverB.server.address = QStringLiteral("localhost:%1").arg(toB.serverPort());
    apply(serverB);
    Download second(port, origin.port(), 8, 64 * 1024);
    QTRY_VERIFY_WITH_TIMEOUT(second.ended(), 30'000);
    QCOMPARE(second.body(), test::content(8, 0, 64 * 1024));
    QCOMPARE(toB.forwarded(), 1); // the new connection went to the new server
    QCOMPARE(toA.forwarded(), 1);

    ProxySettings direct = serverB;
    direct.routing = RoutingMode::None;
    apply(direct);
    Download third(port, origin.port(), 9, 64 * 1024);
    QTRY_VERIFY_WITH_TIMEOUT(third.ended(), 30'000);
    QCOMPARE(third.body(), test::content(9, 0, 64 * 1024));
    QCOMPARE(toA.forwarded() + toB.forwarded(), 2); // direct: no tunnel for it

    // The first download went on through A, to its last byte.
    QVERIFY(!first.ended());
    QVERIFY(first.received() < kSize);
    first.resume();
    QTRY_VERIFY_WITH_TIMEOUT(first.ended(), 60'000);
    QCOMPARE(first.body().size(), kSize);
    QVERIFY(first.body() == test::content(7, 0, kSize));
    QCOMPARE(runtime.threadCount(), EngineConfig::defaultThreads());
}

QTEST_GUILESS_MAIN(TestEngineRuntime)
#include "tst_engineruntime.moc"
