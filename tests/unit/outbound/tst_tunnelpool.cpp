// The warm pool against the real worker server in-process on loopback: TunnelConnector with a
// pool makes ready sessions (TLS with ECH, WebSocket upgrade) and hands them to new tunnels.
#include "InProcessWorker.h"
#include "OriginServer.h"
#include "config/ProxySettings.h"
#include "ech/EchConfigSource.h"
#include "outbound/TunnelConnector.h"
#include "outbound/TunnelPool.h"
#include "tls/TlsContext.h"

#include <QPointer>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;
using echw::test::unwrap;
using namespace echw::server;
using namespace std::chrono_literals;

namespace {

constexpr int kWaitMs = 10000;

// The worker's own ECH config, answered on the event loop as the real source does.
class FixedEchConfig final : public EchConfigSource {
public:
    explicit FixedEchConfig(QByteArray configList)
        : m_configList(std::move(configList))
    {}
    void get(QObject* context, Callback callback) override
    {
        QMetaObject::invokeMethod(
            context, [list = m_configList, callback = std::move(callback)] { callback(list); },
            Qt::QueuedConnection);
    }
    void replaceWithRetryConfigs(const QByteArray& configs) override { m_configList = configs; }
    void invalidate() override {}

private:
    QByteArray m_configList;
};

// One tunnel opened through the connector, kept with what it received.
class OpenedTunnel : public QObject {
public:
    bool open(Connector& connector, quint16 originPort, QByteArray earlyData)
    {
        const auto target = TargetAddress::fromHostPort(u"127.0.0.1", originPort);
        bool done = false;
        m_handle = connector.open(
            *target, std::move(earlyData),
            [this, &done](Connector::Result result) {
                done = true;
                if (auto* stream = std::get_if<std::unique_ptr<ByteStream>>(&result)) {
                    m_stream = std::move(*stream);
                    connect(m_stream.get(), &ByteStream::readyRead, this, [this] { drain(); });
                    drain();
                } else {
                    m_error = std::get<ConnectError>(result).message;
                }
            },
            nullptr);
        if (!QTest::qWaitFor([&] { return done; }, kWaitMs))
            return false;
        m_handle.release()->deleteLater();
        return m_stream != nullptr;
    }
    ByteStream* stream() const { return m_stream.get(); }
    const QByteArray& received() const { return m_received; }
    const QString& error() const { return m_error; }

private:
    void drain()
    {
        char buffer[16 * 1024];
        qint64 n = 0;
        while ((n = m_stream->read(buffer, sizeof buffer)) > 0)
            m_received.append(buffer, n);
    }

    std::unique_ptr<QObject> m_handle;
    std::unique_ptr<ByteStream> m_stream;
    QByteArray m_received;
    QString m_error;
};

// TCP to the worker through this process until frozen: then both connections stay open and
// nothing passes, like a path that went dead without a reset.
class FreezablePath : public QObject {
public:
    explicit FreezablePath(quint16 target)
    {
        connect(&m_listener, &QTcpServer::newConnection, this, [this, target] {
            while (QTcpSocket* in = m_listener.nextPendingConnection()) {
                in->setParent(this);
                auto* out = new QTcpSocket(this);
                out->connectToHost(QHostAddress::LocalHost, target); // writes wait for it
                connect(in, &QTcpSocket::readyRead, this, [this, in, out] {
                    if (!m_frozen)
                        out->write(in->readAll());
                });
                connect(out, &QTcpSocket::readyRead, this, [this, in, out] {
                    if (!m_frozen)
                        in->write(out->readAll());
                });
            }
        });
        m_listener.listen(QHostAddress::LocalHost);
    }
    quint16 port() const { return m_listener.serverPort(); }
    void freeze() { m_frozen = true; }

private:
    QTcpServer m_listener;
    bool m_frozen = false;
};

} // namespace

class TestTunnelPool : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void fillsToItsSizeAtStart();
    void takesAReadySessionAndRefills();
    void relaysDataByteIdenticallyThroughAPooledSession();
    void dropsSessionsTheWorkerClosedAndOpensAFreshOne();
    void retiresSessionsAtTheRetireAgeAndReplacesThem();
    void replacesRetiredSessionsOnlyWhileDemandPersists();
    void dropsAReadySessionWhosePingGoesUnanswered();
    void backsOffWhenTheWorkerIsUnreachable();
    void hasNoPoolWhenTheSizeIsZero();

private:
    std::unique_ptr<WorkerServer> startServer(WorkerSettings settings = defaultSettings());
    std::unique_ptr<TunnelConnector>
    connectorFor(const WorkerServer& server, TunnelPool::Settings pool,
                 std::chrono::milliseconds keepAliveInterval = 30s);
    static WorkerSettings defaultSettings() { return test::loopbackWorkerSettings(); }

    QTemporaryDir m_dir;
    ServerCredentials m_credentials;
    std::shared_ptr<TlsClientContext> m_tls;
    test::OriginServer m_origin;
};

void TestTunnelPool::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_credentials =
        test::workerCredentials(m_dir.filePath(QStringLiteral("state")),
                                {QStringLiteral("localhost")}, QStringLiteral("public.test"));
    m_tls = unwrap(TlsClientContext::create(m_credentials.certificateFile));
    QVERIFY2(m_origin.listen({QHostAddress::LocalHost}), qPrintable(m_origin.errorString()));
}

std::unique_ptr<WorkerServer> TestTunnelPool::startServer(WorkerSettings settings)
{
    return test::startWorker(m_credentials, std::move(settings));
}

std::unique_ptr<TunnelConnector>
TestTunnelPool::connectorFor(const WorkerServer& server, TunnelPool::Settings pool,
                             std::chrono::milliseconds keepAliveInterval)
{
    TunnelConnector::Settings settings;
    settings.host = QStringLiteral("localhost");
    settings.port = server.serverPort();
    settings.dialAddress = QStringLiteral("127.0.0.1");
    settings.pool = pool;
    settings.keepAliveInterval = keepAliveInterval;
    return std::make_unique<TunnelConnector>(
        settings, m_tls, std::make_shared<FixedEchConfig>(m_credentials.echConfigList));
}

void TestTunnelPool::fillsToItsSizeAtStart()
{
    auto server = startServer();
    auto connector = connectorFor(*server, {.maxSize = 2});
    const TunnelPool* pool = connector->pool();
    QVERIFY(pool);
    QTRY_COMPARE_WITH_TIMEOUT(pool->readyCount(), 2, kWaitMs);
    QCOMPARE(pool->fillingCount(), 0);
    QCOMPARE(server->counters().sessions, 2u);    // two upgrades answered 101
    QCOMPARE(server->counters().echAccepted, 2u); // each with ECH
    QCOMPARE(server->counters().targetsConnected, 0u);
}

void TestTunnelPool::takesAReadySessionAndRefills()
{
    auto server = startServer();
    auto connector = connectorFor(*server, {.maxSize = 2});
    const TunnelPool* pool = connector->pool();
    QTRY_COMPARE_WITH_TIMEOUT(pool->readyCount(), 2, kWaitMs);

    OpenedTunnel tunnel;
    QVERIFY2(tunnel.open(*connector, m_origin.port(), "ECHO\n"), qPrintable(tunnel.error()));
    QCOMPARE(pool->counters().taken, 1u);
    QCOMPARE(pool->counters().missed, 0u);
    QCOMPARE(server->counters().targetsConnected, 1u);
    // The refill: a third session, none opened for the tunnel itself.
    QTRY_COMPARE_WITH_TIMEOUT(pool->readyCount(), 2, kWaitMs);
    QCOMPARE(server->counters().sessions, 3u);
    QCOMPARE(pool->counters().opened, 3u);
}

void TestTunnelPool::relaysDataByteIdenticallyThroughAPooledSession()
{
    auto server = startServer();
    auto connector = connectorFor(*server, {.maxSize = 1});
    QTRY_COMPARE_WITH_TIMEOUT(connector->pool()->readyCount(), 1, kWaitMs);

    OpenedTunnel tunnel;
    // Early data that is not valid UTF-8 goes as the first binary frame after CONNECTED.
    const QByteArray early = QByteArray("ECHO\n") + QByteArray("\xff\xfe\x00\x01", 4);
    QVERIFY2(tunnel.open(*connector, m_origin.port(), early), qPrintable(tunnel.error()));
    QCOMPARE(connector->pool()->counters().taken, 1u);
    QByteArray payload(256 * 1024, Qt::Uninitialized);
    QRandomGenerator generator(7);
    generator.fillRange(reinterpret_cast<quint32*>(payload.data()), payload.size() / 4);
    tunnel.stream()->write(payload);
    const QByteArray expected = early.mid(5) + payload;
    QTRY_COMPARE_WITH_TIMEOUT(tunnel.received().size(), expected.size(), kWaitMs);
    QVERIFY(tunnel.received() == expected);
}

void TestTunnelPool::dropsSessionsTheWorkerClosedAndOpensAFreshOne()
{
    WorkerSettings settings = defaultSettings();
    settings.connectFrameTimeout = 300ms; // the worker closes sessions that send no CONNECT
    auto server = startServer(settings);
    TunnelPool::Settings pool{.maxSize = 2};
    // Every death counts as a failure and the backoff outlasts the test: no refill, so the
    // pool stays empty once the worker closed both.
    pool.minimumLife = 60s;
    pool.firstBackoff = 60s;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^warm pool: ")));
    auto connector = connectorFor(*server, pool);
    QTRY_COMPARE_WITH_TIMEOUT(connector->pool()->counters().opened, 2u, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(connector->pool()->counters().died, 2u, kWaitMs);
    QCOMPARE(connector->pool()->readyCount(), 0);

    OpenedTunnel tunnel;
    QVERIFY2(tunnel.open(*connector, m_origin.port(), "ECHO\n"), qPrintable(tunnel.error()));
    QCOMPARE(connector->pool()->counters().taken, 0u);
    QCOMPARE(connector->pool()->counters().missed, 1u);
    QCOMPARE(server->counters().sessions, 3u);
    tunnel.stream()->write("still here");
    QTRY_COMPARE_WITH_TIMEOUT(tunnel.received(), QByteArray("still here"), kWaitMs);
}

void TestTunnelPool::retiresSessionsAtTheRetireAgeAndReplacesThem()
{
    auto server = startServer();
    TunnelPool::Settings pool{.maxSize = 2};
    pool.retireAge = 300ms;
    // Pinged several times before they retire: answered pings keep a session.
    auto connector = connectorFor(*server, pool, 50ms);
    const TunnelPool* tunnels = connector->pool();
    QTRY_COMPARE_WITH_TIMEOUT(tunnels->readyCount(), 2, kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(tunnels->counters().retired >= 2, kWaitMs);
    // Start counts as demand for the whole demand window (a minute): both are replaced.
    QTRY_COMPARE_WITH_TIMEOUT(tunnels->readyCount(), 2, kWaitMs);
    QVERIFY(server->counters().sessions >= 4u);
    QCOMPARE(tunnels->counters().died, 0u);
}

void TestTunnelPool::replacesRetiredSessionsOnlyWhileDemandPersists()
{
    auto server = startServer();
    TunnelPool::Settings pool{.maxSize = 3, .idleSize = 1};
    pool.retireAge = 300ms;
    pool.demandWindow = 100ms;
    auto connector = connectorFor(*server, pool);
    const TunnelPool* tunnels = connector->pool();
    QTRY_VERIFY_WITH_TIMEOUT(tunnels->counters().retired >= 3, kWaitMs);
    // Without demand only the idle size is kept.
    QVERIFY(tunnels->readyCount() + tunnels->fillingCount() <= 1);
    QTRY_COMPARE_WITH_TIMEOUT(tunnels->readyCount(), 1, kWaitMs);
}

void TestTunnelPool::dropsAReadySessionWhosePingGoesUnanswered()
{
    auto server = startServer();
    FreezablePath path(server->serverPort());
    TunnelConnector::Settings settings;
    settings.host = QStringLiteral("localhost");
    settings.port = path.port();
    settings.dialAddress = QStringLiteral("127.0.0.1");
    settings.keepAliveInterval = 200ms;
    settings.pool.maxSize = 1;
    settings.pool.minimumLife = 0ms; // a death is no failure here: no backoff warning
    TunnelConnector connector(settings, m_tls,
                              std::make_shared<FixedEchConfig>(m_credentials.echConfigList));
    QTRY_COMPARE_WITH_TIMEOUT(connector.pool()->readyCount(), 1, kWaitMs);
    path.freeze();
    // A ping goes out, the next interval finds it unanswered: the session is dropped.
    QTRY_COMPARE_WITH_TIMEOUT(connector.pool()->counters().died, 1u, kWaitMs);
    QCOMPARE(connector.pool()->readyCount(), 0);
}

void TestTunnelPool::backsOffWhenTheWorkerIsUnreachable()
{
    quint16 closedPort = 0;
    {
        auto server = startServer();
        closedPort = server->serverPort();
    }
    TunnelConnector::Settings settings;
    settings.host = QStringLiteral("localhost");
    settings.port = closedPort;
    settings.dialAddress = QStringLiteral("127.0.0.1");
    settings.pool.maxSize = 4;
    settings.pool.maxFilling = 4;
    settings.pool.firstBackoff = 200ms;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^warm pool: .*next try "
                                                                         "in 200 ms")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^warm pool: .*next try "
                                                                         "in 400 ms")));
    TunnelConnector connector(settings, m_tls,
                              std::make_shared<FixedEchConfig>(m_credentials.echConfigList));
    // The first round tries 4 at once; each later round after the backoff tries again.
    QTRY_VERIFY_WITH_TIMEOUT(connector.pool()->counters().failures >= 8, kWaitMs);
    // Doubling backoff: far from a hot loop after 0.2 + 0.4 s.
    QVERIFY(connector.pool()->counters().failures <= 12);
    QCOMPARE(connector.pool()->readyCount(), 0);
}

void TestTunnelPool::hasNoPoolWhenTheSizeIsZero()
{
    auto server = startServer();
    auto connector = connectorFor(*server, {});
    QVERIFY(!connector->pool());
    OpenedTunnel tunnel;
    QVERIFY2(tunnel.open(*connector, m_origin.port(), "ECHO\n"), qPrintable(tunnel.error()));
    QCOMPARE(server->counters().sessions, 1u);
    QCOMPARE(ProxySettings{}.warmPoolSize, 0); // the CLI stays drop-in: no pool by default
}

QTEST_GUILESS_MAIN(TestTunnelPool)
#include "tst_tunnelpool.moc"
