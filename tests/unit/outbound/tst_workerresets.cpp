// A worker connection reset (TCP RST) at each point of the tunnel's set-up and transfer, end to
// end inside one process: a local client speaks SOCKS5 or HTTP to an Engine, whose tunnel goes
// through a relay in front of the real worker server (TLS 1.3 with ECH, WebSocket). The relay
// sees TLS record boundaries without decrypting anything and resets both of its connections at
// the chosen point. Each reset must give the local client the protocol's failure reply (or,
// mid-transfer, a closed connection), and the next request must work.
#include "InProcessWorker.h"
#include "OriginServer.h"
#include "RunningProxy.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <functional>
#include <memory>
#include <sys/socket.h>
#include <vector>

using namespace echw;
using namespace echw::test;
using namespace echw::server;

namespace {

constexpr int kWaitMs = 15000;
constexpr int kLargeBody = 1024 * 1024;
// Bytes from the worker after CONNECT before a mid-transfer reset: well inside the body.
constexpr qint64 kMidTransferBytes = 64 * 1024;

enum class ResetPoint {
    None,
    AfterTcpConnect,
    MidTlsHandshake,
    AfterTlsBeforeUpgradeResponse,
    AfterUpgradeBeforeConnected,
    MidTransfer,
};

// TLS records (RFC 8446 section 5.1: type, 2 bytes of version, 2 bytes of length) split out of
// one direction of a connection.
class RecordSplitter {
public:
    static constexpr char kApplicationData = 23;

    void append(const QByteArray& bytes) { m_buffer += bytes; }
    // The next complete record, or an empty array while it is still arriving.
    QByteArray next()
    {
        if (m_buffer.size() < 5)
            return {};
        const qsizetype length = (quint8(m_buffer[3]) << 8) | quint8(m_buffer[4]);
        if (m_buffer.size() < 5 + length)
            return {};
        QByteArray record = m_buffer.left(5 + length);
        m_buffer.remove(0, 5 + length);
        return record;
    }

private:
    QByteArray m_buffer;
};

// Closes with a reset rather than a FIN: SO_LINGER with a zero timeout (POSIX close(2)).
void resetConnection(QTcpSocket& socket)
{
    if (socket.socketDescriptor() >= 0) {
        const linger immediately{1, 0};
        ::setsockopt(int(socket.socketDescriptor()), SOL_SOCKET, SO_LINGER, &immediately,
                     sizeof immediately);
    }
    socket.abort();
}

// One client connection through the relay and its connection to the worker.
class RelayLink final : public QObject {
public:
    RelayLink(QTcpSocket* client, quint16 workerPort, ResetPoint point)
        : m_client(client)
        , m_point(point)
    {
        m_client->setParent(this);
        if (m_point == ResetPoint::AfterTcpConnect) {
            reset();
            return;
        }
        connect(&m_worker, &QTcpSocket::connected, this, [this] { fromClient(); });
        connect(m_client, &QTcpSocket::readyRead, this, [this] { fromClient(); });
        connect(&m_worker, &QTcpSocket::readyRead, this, [this] { fromWorker(); });
        connect(m_client, &QTcpSocket::disconnected, this, [this] { m_worker.abort(); });
        connect(&m_worker, &QTcpSocket::disconnected, this, [this] { m_client->abort(); });
        m_worker.connectToHost(QHostAddress::LocalHost, workerPort);
    }

    bool wasReset() const { return m_reset; }

private:
    void fromClient()
    {
        if (m_reset || m_worker.state() != QAbstractSocket::ConnectedState)
            return;
        m_fromClient.append(m_client->readAll());
        for (QByteArray record = m_fromClient.next(); !record.isEmpty();
             record = m_fromClient.next()) {
            if (record[0] == RecordSplitter::kApplicationData) {
                // The client's first encrypted record is its Finished (its handshake is then
                // complete), the second the upgrade request, which it sends right away; the
                // third is CONNECT, sent only once the 101 arrived.
                ++m_clientApplicationRecords;
                if ((m_point == ResetPoint::AfterTlsBeforeUpgradeResponse &&
                     m_clientApplicationRecords == 2) ||
                    (m_point == ResetPoint::AfterUpgradeBeforeConnected &&
                     m_clientApplicationRecords == 3)) {
                    reset();
                    return;
                }
            }
            m_worker.write(record);
        }
    }

    void fromWorker()
    {
        if (m_reset)
            return;
        m_fromWorker.append(m_worker.readAll());
        for (QByteArray record = m_fromWorker.next(); !record.isEmpty();
             record = m_fromWorker.next()) {
            m_client->write(record);
            m_client->flush();
            if (m_point == ResetPoint::MidTlsHandshake) {
                // The ServerHello went out; the rest of the server's flight never does.
                reset();
                return;
            }
            if (m_point == ResetPoint::MidTransfer && m_clientApplicationRecords >= 3) {
                m_afterConnect += record.size();
                if (m_afterConnect >= kMidTransferBytes) {
                    reset();
                    return;
                }
            }
        }
    }

    void reset()
    {
        m_reset = true;
        resetConnection(*m_client);
        resetConnection(m_worker);
    }

    QTcpSocket* m_client;
    QTcpSocket m_worker;
    ResetPoint m_point;
    RecordSplitter m_fromClient;
    RecordSplitter m_fromWorker;
    int m_clientApplicationRecords = 0;
    qint64 m_afterConnect = 0;
    bool m_reset = false;
};

// The relay in front of the worker. The next connection it accepts gets the reset point set
// last; every later one is relayed untouched.
class ResettingRelay final : public QObject {
public:
    explicit ResettingRelay(quint16 workerPort)
        : m_workerPort(workerPort)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* client = m_server.nextPendingConnection())
                m_links.push_back(std::make_unique<RelayLink>(
                    client, m_workerPort, std::exchange(m_next, ResetPoint::None)));
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    quint16 port() const { return m_server.serverPort(); }
    void resetNextConnectionAt(ResetPoint point) { m_next = point; }
    int resets() const
    {
        return int(std::count_if(m_links.begin(), m_links.end(),
                                 [](const auto& link) { return link->wasReset(); }));
    }
    int connections() const { return int(m_links.size()); }

private:
    quint16 m_workerPort;
    QTcpServer m_server;
    ResetPoint m_next = ResetPoint::None;
    std::vector<std::unique_ptr<RelayLink>> m_links;
};

enum class Inbound { Socks5, Http };

QByteArray readUntil(QTcpSocket& socket, const std::function<bool(const QByteArray&)>& enough)
{
    QByteArray received;
    static_cast<void>(QTest::qWaitFor(
        [&] {
            received += socket.readAll();
            return enough(received) || socket.state() == QAbstractSocket::UnconnectedState;
        },
        kWaitMs));
    return received + socket.readAll();
}

bool closedWithin(QTcpSocket& socket, QByteArray* received)
{
    const bool closed = QTest::qWaitFor(
        [&] {
            *received += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        kWaitMs);
    *received += socket.readAll();
    return closed;
}

} // namespace

Q_DECLARE_METATYPE(ResetPoint)
Q_DECLARE_METATYPE(Inbound)

class TestWorkerResets : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void answersTheClientWhenTheWorkerResetsDuringSetUp_data();
    void answersTheClientWhenTheWorkerResetsDuringSetUp();
    void endsTheClientConnectionWhenTheWorkerResetsMidTransfer_data();
    void endsTheClientConnectionWhenTheWorkerResetsMidTransfer();

private:
    // Opens a connection through the proxy to the origin path; returns the socket after the
    // proxy's answer to the set-up (SOCKS5 reply or, for HTTP, nothing yet) in `reply`.
    std::unique_ptr<QTcpSocket> request(Inbound inbound, const QByteArray& path, QByteArray* reply);
    void verifyTheNextRequestWorks(Inbound inbound);

    QTemporaryDir m_dir;
    std::unique_ptr<WorkerServer> m_worker;
    std::unique_ptr<ResettingRelay> m_relay;
    OriginServer m_origin;
    std::unique_ptr<EngineRuntime> m_engine;
    quint16 m_proxyPort = 0;
};

void TestWorkerResets::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const auto credentials =
        workerCredentials(m_dir.path(), {QStringLiteral("localhost"), QStringLiteral("127.0.0.1")},
                          QStringLiteral("resets.test"));
    WorkerSettings settings = loopbackWorkerSettings();
    settings.dohEnabled = true;
    m_worker = startWorker(credentials, std::move(settings));
    m_relay = std::make_unique<ResettingRelay>(m_worker->serverPort());
    QVERIFY(m_relay->listen());
    QVERIFY(m_origin.listen({QHostAddress::LocalHost}));

    ProxySettings proxy;
    proxy.listen = QStringLiteral("127.0.0.1:0");
    proxy.routing = RoutingMode::Global;
    proxy.server.address = QStringLiteral("localhost:%1").arg(m_relay->port());
    proxy.server.preferredIp = QStringLiteral("127.0.0.1");
    proxy.server.dohServer =
        QStringLiteral("https://127.0.0.1:%1/dns-query").arg(m_worker->serverPort());
    proxy.server.echDomain = credentials.publicName;
    proxy.server.caFile = credentials.certificateFile;
    m_engine = std::make_unique<EngineRuntime>();
    const auto error = test::startProxy(*m_engine, proxy);
    QVERIFY2(!error, qPrintable(error.value_or(QString())));
    m_proxyPort = test::proxyPort(*m_engine);
    // A request before any reset: the path itself works.
    verifyTheNextRequestWorks(Inbound::Socks5);
}

void TestWorkerResets::cleanupTestCase()
{
    m_engine.reset();
    m_relay.reset();
    m_worker.reset();
}

std::unique_ptr<QTcpSocket> TestWorkerResets::request(Inbound inbound, const QByteArray& path,
                                                      QByteArray* reply)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, m_proxyPort);
    if (!socket->waitForConnected(kWaitMs))
        return socket;
    const QByteArray origin = "127.0.0.1:" + QByteArray::number(m_origin.port());
    if (inbound == Inbound::Http) {
        socket->write("GET http://" + origin + path + " HTTP/1.1\r\nHost: " + origin + "\r\n\r\n");
        return socket;
    }
    socket->write(bytes({5, 1, 0}));
    if (readUntil(*socket, [](const QByteArray& r) { return r.size() >= 2; }) != bytes({5, 0}))
        return socket;
    QByteArray connectRequest = bytes({5, 1, 0, 1, 127, 0, 0, 1});
    connectRequest += char(m_origin.port() >> 8);
    connectRequest += char(m_origin.port() & 0xff);
    socket->write(connectRequest);
    *reply = readUntil(*socket, [](const QByteArray& r) { return r.size() >= 10; });
    if (reply->size() >= 10 && (*reply)[1] == 0)
        socket->write("GET " + path + " HTTP/1.1\r\nHost: " + origin + "\r\n\r\n");
    return socket;
}

void TestWorkerResets::verifyTheNextRequestWorks(Inbound inbound)
{
    QByteArray reply;
    auto socket = request(inbound, "/hello", &reply);
    const QByteArray response =
        readUntil(*socket, [](const QByteArray& r) { return r.contains("hello from"); });
    QVERIFY2(response.startsWith("HTTP/1.1 200") && response.contains("hello from"),
             response.left(200).constData());
}

void TestWorkerResets::answersTheClientWhenTheWorkerResetsDuringSetUp_data()
{
    QTest::addColumn<Inbound>("inbound");
    QTest::addColumn<ResetPoint>("point");
    const std::pair<const char*, ResetPoint> points[] = {
        {"after TCP connect", ResetPoint::AfterTcpConnect},
        {"mid TLS handshake", ResetPoint::MidTlsHandshake},
        {"after TLS before the 101", ResetPoint::AfterTlsBeforeUpgradeResponse},
        {"after the 101 before CONNECTED", ResetPoint::AfterUpgradeBeforeConnected},
    };
    for (const auto& [name, point] : points) {
        QTest::addRow("SOCKS5, %s", name) << Inbound::Socks5 << point;
        QTest::addRow("HTTP, %s", name) << Inbound::Http << point;
    }
}

void TestWorkerResets::answersTheClientWhenTheWorkerResetsDuringSetUp()
{
    QFETCH(Inbound, inbound);
    QFETCH(ResetPoint, point);
    const int resetsBefore = m_relay->resets();
    m_relay->resetNextConnectionAt(point);

    QByteArray reply;
    auto socket = request(inbound, "/hello", &reply);
    if (inbound == Inbound::Socks5) {
        // RFC 1928 section 6: a failure reply (general failure: the worker broke, the target
        // was never asked), then the proxy closes.
        QCOMPARE(reply.left(3), bytes({5, 1, 0}));
    } else {
        reply = readUntil(*socket, [](const QByteArray& r) { return r.contains("\r\n\r\n"); });
        QVERIFY2(reply.startsWith("HTTP/1.1 502 "), reply.left(200).constData());
    }
    QVERIFY(closedWithin(*socket, &reply));
    QCOMPARE(m_relay->resets(), resetsBefore + 1);

    verifyTheNextRequestWorks(inbound);
}

void TestWorkerResets::endsTheClientConnectionWhenTheWorkerResetsMidTransfer_data()
{
    QTest::addColumn<Inbound>("inbound");
    QTest::newRow("SOCKS5") << Inbound::Socks5;
    QTest::newRow("HTTP") << Inbound::Http;
}

void TestWorkerResets::endsTheClientConnectionWhenTheWorkerResetsMidTransfer()
{
    QFETCH(Inbound, inbound);
    const int resetsBefore = m_relay->resets();
    m_relay->resetNextConnectionAt(ResetPoint::MidTransfer);

    QByteArray reply;
    auto socket = request(inbound, "/bytes/" + QByteArray::number(kLargeBody), &reply);
    if (inbound == Inbound::Socks5)
        QCOMPARE(reply.left(3), bytes({5, 0, 0}));
    QByteArray received;
    QVERIFY(closedWithin(*socket, &received));
    // The response had begun and stopped short: the client sees the truncation.
    QVERIFY2(received.startsWith("HTTP/1.1 200"), received.left(200).constData());
    QVERIFY(received.size() < kLargeBody);
    QCOMPARE(m_relay->resets(), resetsBefore + 1);

    verifyTheNextRequestWorks(inbound);
}

QTEST_GUILESS_MAIN(TestWorkerResets)
#include "tst_workerresets.moc"
