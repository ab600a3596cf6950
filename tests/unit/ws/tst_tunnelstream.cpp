// TunnelStream against the real worker server in-process on loopback: the upgrade as the
// deployed worker answers it with and without a token of its own, then CONNECT and data.
#include "InProcessWorker.h"
#include "OriginServer.h"
#include "net/SocketStream.h"
#include "net/TcpDialer.h"
#include "tls/TlsContext.h"
#include "tls/TlsStream.h"
#include "ws/TunnelStream.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;
using echw::test::unwrap;
using namespace echw::server;
using namespace std::chrono_literals;

namespace {

const QString kServerName = QStringLiteral("localhost");
const QString kToken = QStringLiteral("t0ken-Under-Test");
constexpr int kWaitMs = 10000;

// One tunnel through the worker, as TunnelConnector builds it: TCP, TLS with ECH, TunnelStream.
class Tunnel : public QObject {
public:
    Tunnel(SSL_CTX* tls, QByteArray echConfigList, TunnelStream::Setup setup)
        : m_tlsContext(tls)
        , m_echConfigList(std::move(echConfigList))
        , m_setup(std::move(setup))
    {}

    // Until CONNECTED or a failure; false when neither came in time.
    bool open(quint16 port)
    {
        m_dialer = std::make_unique<TcpDialer>(
            *TargetAddress::fromHostPort(u"127.0.0.1", port), 5s,
            [this](TcpDialer::Result result) { onTcp(std::move(result)); });
        m_dialer->start();
        return QTest::qWaitFor([this] { return m_established || !m_error.isEmpty(); }, kWaitMs);
    }
    bool established() const { return m_established; }
    const QString& error() const { return m_error; }
    const QByteArray& received() const { return m_received; }

private:
    void onTcp(TcpDialer::Result result)
    {
        if (auto* error = std::get_if<ConnectError>(&result)) {
            m_error = error->message;
            return;
        }
        QString error;
        m_tls = TlsStream::client(std::get<std::unique_ptr<SocketStream>>(std::move(result)),
                                  m_tlsContext, {kServerName, m_echConfigList}, &error);
        if (!m_tls) {
            m_error = error;
            return;
        }
        connect(m_tls.get(), &ByteStream::failed, this,
                [this](const QString& reason) { m_error = reason; });
        connect(m_tls.get(), &TlsStream::handshakeFinished, this, [this] {
            m_tunnel = std::make_unique<TunnelStream>(std::move(m_tls), m_setup);
            connect(m_tunnel.get(), &TunnelStream::established, this,
                    [this] { m_established = true; });
            connect(m_tunnel.get(), &TunnelStream::setupFailed, this,
                    [this](const ConnectError& failure) { m_error = failure.message; });
            connect(m_tunnel.get(), &ByteStream::readyRead, this, [this] {
                char buffer[4096];
                qint64 n = 0;
                while ((n = m_tunnel->read(buffer, sizeof buffer)) > 0)
                    m_received.append(buffer, n);
            });
            m_tunnel->start();
        });
        m_tls->startHandshake();
    }

    SSL_CTX* m_tlsContext;
    QByteArray m_echConfigList;
    TunnelStream::Setup m_setup;
    std::unique_ptr<TcpDialer> m_dialer;
    std::unique_ptr<TlsStream> m_tls;
    std::unique_ptr<TunnelStream> m_tunnel;
    bool m_established = false;
    QString m_error;
    QByteArray m_received;
};

} // namespace

class TestTunnelStream : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void acceptsAWorkerWithoutTokenWarningOncePerServer();
    void acceptsTheConfirmedTokenWithoutWarning();
    void failsWhenTheWorkerRefusesTheToken();

private:
    std::unique_ptr<Tunnel> openTunnel(const WorkerServer& server, const QString& token);

    QTemporaryDir m_dir;
    ServerCredentials m_credentials;
    std::shared_ptr<TlsClientContext> m_tls;
    test::OriginServer m_origin;
};

void TestTunnelStream::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_credentials = test::workerCredentials(m_dir.filePath(QStringLiteral("state")), {kServerName},
                                            QStringLiteral("public.test"));
    m_tls = unwrap(TlsClientContext::create(m_credentials.certificateFile));
    QVERIFY2(m_origin.listen({QHostAddress::LocalHost}), qPrintable(m_origin.errorString()));
}

// Opened with early data for the origin's echo mode, so that data through the tunnel shows.
std::unique_ptr<Tunnel> TestTunnelStream::openTunnel(const WorkerServer& server,
                                                     const QString& token)
{
    TunnelStream::Setup setup;
    setup.upgrade.host = kServerName;
    setup.upgrade.port = server.serverPort();
    setup.upgrade.subprotocol = token;
    setup.target = *TargetAddress::fromHostPort(u"127.0.0.1", m_origin.port());
    setup.earlyData = "ECHO\nhello";
    setup.timeout = 5s;
    auto tunnel = std::make_unique<Tunnel>(m_tls->get(), m_credentials.echConfigList, setup);
    return tunnel->open(server.serverPort()) ? std::move(tunnel) : nullptr;
}

// The deployed worker without a token answers 101 without Sec-WebSocket-Protocol, and so does
// ours: the client goes on (RFC 6455 section 4.1, no subprotocol selected) and says once per
// server, not per connection, that the token is not checked.
void TestTunnelStream::acceptsAWorkerWithoutTokenWarningOncePerServer()
{
    auto server = test::startWorker(m_credentials, test::loopbackWorkerSettings());
    const QRegularExpression warning(
        QStringLiteral("the worker localhost:%1/ accepted the connection without confirming the "
                       "token: it does not check tokens")
            .arg(server->serverPort()));
    QTest::ignoreMessage(QtWarningMsg, warning);
    // A second warning for the same server fails the test.
    QTest::failOnWarning(warning);
    for (int i = 0; i < 2; ++i) {
        auto tunnel = openTunnel(*server, kToken);
        QVERIFY(tunnel);
        QVERIFY2(tunnel->established(), qPrintable(tunnel->error()));
        QTRY_COMPARE_WITH_TIMEOUT(tunnel->received(), QByteArray("hello"), kWaitMs);
    }
    QCOMPARE(server->counters().sessions, 2u);
}

void TestTunnelStream::acceptsTheConfirmedTokenWithoutWarning()
{
    WorkerSettings settings = test::loopbackWorkerSettings();
    settings.token = kToken.toUtf8();
    auto server = test::startWorker(m_credentials, settings);
    QTest::failOnWarning(QRegularExpression(QStringLiteral("does not check tokens")));
    auto tunnel = openTunnel(*server, kToken);
    QVERIFY(tunnel);
    QVERIFY2(tunnel->established(), qPrintable(tunnel->error()));
    QTRY_COMPARE_WITH_TIMEOUT(tunnel->received(), QByteArray("hello"), kWaitMs);
}

void TestTunnelStream::failsWhenTheWorkerRefusesTheToken()
{
    WorkerSettings settings = test::loopbackWorkerSettings();
    settings.token = "another-token";
    auto server = test::startWorker(m_credentials, settings);
    auto tunnel = openTunnel(*server, kToken);
    QVERIFY(tunnel);
    QVERIFY(!tunnel->established());
    QCOMPARE(tunnel->error(), QStringLiteral("the worker refused the token (HTTP 401)"));
    QCOMPARE(server->counters().sessions, 0u);
}

QTEST_GUILESS_MAIN(TestTunnelStream)
#include "tst_tunnelstream.moc"
