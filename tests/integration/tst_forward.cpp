// ech-workers-server -forward: the server terminates TLS (with ECH) and answers DoH itself, and
// passes every WebSocket upgrade unchanged to a plain-TCP worker runtime behind it. First against
// a plain TCP peer of the test's own that records what reaches it, then against workerd running
// the benchmark's worker script (bench/workerd/), with the real client and origin around it.
#include "DeterministicContent.h"
#include "ProcessFixture.h"
#include "TestHelpers.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <future>
#include <memory>
#include <thread>

using namespace std::chrono_literals;
using namespace echw::test;

namespace {

const QString kToken = QStringLiteral("forward-t0ken");
const QString kPublicName = QStringLiteral("ech-forward.test");

int remainingMs(const QDeadlineTimer& deadline)
{
    return int(std::max<qint64>(1, deadline.remainingTime()));
}

// A plain TCP peer on a thread of its own, with blocking sockets so the test's own blocking TLS
// client can drive the other end: accepts one connection, reads `expected` bytes, answers with
// `answer` and closes. Every wait is under one deadline.
class RecordingUpstream {
public:
    RecordingUpstream(qsizetype expected, QByteArray answer)
    {
        std::promise<quint16> port;
        m_port = port.get_future();
        m_received = std::async(std::launch::async, [expected, answer = std::move(answer),
                                                     port = std::move(port)]() mutable {
            QDeadlineTimer deadline(60s);
            QTcpServer server;
            port.set_value(server.listen(QHostAddress::LocalHost) ? server.serverPort() : 0);
            if (!server.waitForNewConnection(remainingMs(deadline)))
                return QByteArray();
            std::unique_ptr<QTcpSocket> socket(server.nextPendingConnection());
            QByteArray received;
            while (received.size() < expected && !deadline.hasExpired()) {
                if (socket->bytesAvailable() == 0 &&
                    !socket->waitForReadyRead(remainingMs(deadline)))
                    break;
                received += socket->read(expected - received.size());
            }
            socket->write(answer);
            while (socket->bytesToWrite() > 0 && !deadline.hasExpired())
                socket->waitForBytesWritten(remainingMs(deadline));
            socket->disconnectFromHost();
            if (socket->state() != QAbstractSocket::UnconnectedState)
                socket->waitForDisconnected(remainingMs(deadline));
            return received;
        });
    }

    quint16 port() { return m_port.valid() ? (m_portValue = m_port.get()) : m_portValue; }
    QByteArray received() { return m_received.get(); }

private:
    std::future<quint16> m_port;
    quint16 m_portValue = 0;
    std::future<QByteArray> m_received;
};

// Bytes that are not text, so a relay that treated them as such would show.
QByteArray pattern(qsizetype size, int seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char((i * 131 + seed * 7 + (i >> 9)) & 0xff);
    return bytes;
}

struct Server {
    std::unique_ptr<ServiceProcess> process;
    quint16 port = 0;
    QString certificate;
    QString echConfig;
};

// workerd: ECHW_WORKERD in the environment, else what CMake found (empty when neither).
QString workerdProgram()
{
    const QString fromEnvironment = qEnvironmentVariable("ECHW_WORKERD");
    return fromEnvironment.isEmpty() ? QStringLiteral(ECHW_WORKERD_BIN) : fromEnvironment;
}

} // namespace

class TestForward : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void passesTheUpgradeRequestUnchangedAndRelaysBothWays();
    void answersBadGatewayWhenTheRuntimeIsDown();
    void carriesTrafficThroughWorkerdRunningTheBenchmarkWorker();

private:
    Server startServer(const QString& name, const QString& forwardTo);
    std::unique_ptr<QSslSocket> connectTls(const Server& server);

    QTemporaryDir m_dir;
};

void TestForward::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

Server TestForward::startServer(const QString& name, const QString& forwardTo)
{
    Server server;
    server.process = std::make_unique<ServiceProcess>(
        QStringLiteral(ECHW_SERVER_BIN),
        QStringList{QStringLiteral("-l"), QStringLiteral("127.0.0.1:0"), QStringLiteral("-doh"),
                    QStringLiteral("-public-name"), kPublicName, QStringLiteral("-state"),
                    m_dir.filePath(name), QStringLiteral("-forward"), forwardTo});
    server.port = server.process->waitForPort(30s);
    static const QRegularExpression certificate(QStringLiteral("^certificate (.+)$"),
                                                QRegularExpression::MultilineOption);
    static const QRegularExpression config(QStringLiteral("^ech-config (\\S+)$"),
                                           QRegularExpression::MultilineOption);
    const QString output = server.process->output();
    server.certificate = certificate.match(output).captured(1).trimmed();
    server.echConfig = config.match(output).captured(1);
    return server;
}

// A TLS client without ECH: the forwarding is the same for both, and Qt's TLS has no ECH.
std::unique_ptr<QSslSocket> TestForward::connectTls(const Server& server)
{
    auto socket = std::make_unique<QSslSocket>();
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates(QSslCertificate::fromPath(server.certificate));
    socket->setSslConfiguration(configuration);
    socket->connectToHostEncrypted(QStringLiteral("localhost"), server.port);
    if (!socket->waitForEncrypted(20000)) {
        qWarning("TLS to the server failed: %s", qPrintable(socket->errorString()));
        return nullptr;
    }
    return socket;
}

void TestForward::passesTheUpgradeRequestUnchangedAndRelaysBothWays()
{
    // Odd spacing and case, a field the server does not know, a query: a proxy that parsed and
    // rebuilt the head would change some of it. The body that follows in the same write is
    // larger than one TLS record and one read, so it reaches the runtime partly with the head
    // and partly through the relay.
    const QByteArray head = "GET /ws/path?x=1&y=%20 HTTP/1.1\r\n"
                            "Host: localhost\r\n"
                            "upgrade:  WebSocket\r\n"
                            "Connection: keep-alive, Upgrade\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            "Sec-WebSocket-Version: 13\r\n"
                            "Sec-WebSocket-Protocol: " +
                            kToken.toUtf8() +
                            "\r\n"
                            "X-Forward-Test:   kept as sent \r\n"
                            "\r\n";
    const QByteArray upload = pattern(300 * 1024, 1);
    const QByteArray answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                              "Connection: Upgrade\r\n\r\n" +
                              pattern(1024 * 1024, 2);
    RecordingUpstream upstream(head.size() + upload.size(), answer);
    QVERIFY(upstream.port() != 0);
    const Server server =
        startServer(QStringLiteral("plain"), QStringLiteral("127.0.0.1:%1").arg(upstream.port()));
    QVERIFY2(server.port != 0, qPrintable(server.process->output()));

    auto tls = connectTls(server);
    QVERIFY(tls);
    tls->write(head + upload);
    const QByteArray back = readUntilClosed(*tls, 60s);
    const QByteArray received = upstream.received();
    QCOMPARE(received.size(), head.size() + upload.size());
    QCOMPARE(received.left(head.size()), head);
    QVERIFY(received.mid(head.size()) == upload);
    QCOMPARE(back.size(), answer.size());
    QVERIFY(back == answer);
    QVERIFY2(server.process->output().contains(QStringLiteral("WebSocket upgrade forwarded to")),
             qPrintable(server.process->output()));
    QCOMPARE(server.process->stop(20s), 0);
}

void TestForward::answersBadGatewayWhenTheRuntimeIsDown()
{
    const Server server =
        startServer(QStringLiteral("down"), QStringLiteral("127.0.0.1:%1").arg(closedPort()));
    QVERIFY2(server.port != 0, qPrintable(server.process->output()));
    auto tls = connectTls(server);
    QVERIFY(tls);
    tls->write("GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n");
    const QByteArray response = readUntilClosed(*tls, 30s);
    QVERIFY2(response.startsWith("HTTP/1.1 502 "), response.constData());
    // The same server still answers DoH and other requests itself.
    auto banner = connectTls(server);
    QVERIFY(banner);
    banner->write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QVERIFY(readUntilClosed(*banner, 30s).startsWith("HTTP/1.1 200 "));
    QCOMPARE(server.process->stop(20s), 0);
}

void TestForward::carriesTrafficThroughWorkerdRunningTheBenchmarkWorker()
{
    const QString workerd = workerdProgram();
    if (workerd.isEmpty() || !QFile::exists(workerd))
        QSKIP("workerd is not installed (scripts/bootstrap.sh --bench installs it, or set "
              "ECHW_WORKERD): the forwarding itself is covered by the tests above");

    ServiceProcess origin(QStringLiteral(ECHW_ORIGIN_BIN), {});
    const quint16 originPort = origin.waitForPort(20s);
    QVERIFY(originPort != 0);

    ServiceProcess runtime(workerd, {QStringLiteral("serve"), QStringLiteral(ECHW_WORKER_CONFIG)},
                           {QStringLiteral("ECHW_WORKER_TOKEN=") + kToken});
    static const QRegularExpression listening(
        QStringLiteral("Listening on http://127\\.0\\.0\\.1:(\\d+)"));
    const quint16 runtimePort = runtime.waitForPort(30s, listening);
    QVERIFY2(runtimePort != 0, qPrintable(runtime.output()));

    const Server server =
        startServer(QStringLiteral("workerd"), QStringLiteral("127.0.0.1:%1").arg(runtimePort));
    QVERIFY2(server.port != 0, qPrintable(server.process->output()));

    ServiceProcess client(
        QStringLiteral(ECHW_CLIENT_BIN),
        {QStringLiteral("-l"), QStringLiteral("127.0.0.1:0"), QStringLiteral("-f"),
         QStringLiteral("localhost:%1").arg(server.port), QStringLiteral("-token"), kToken,
         QStringLiteral("-dns"), QStringLiteral("https://127.0.0.1:%1/dns-query").arg(server.port),
         QStringLiteral("-ech"), kPublicName, QStringLiteral("-ca"), server.certificate,
         QStringLiteral("-routing"), QStringLiteral("global")},
        {QStringLiteral("XDG_CACHE_HOME=") + m_dir.filePath(QStringLiteral("client-cache"))});
    const quint16 proxyPort = client.waitForPort(20s);
    QVERIFY2(proxyPort != 0, qPrintable(client.output()));

    constexpr quint64 kSize = 8ull * 1024 * 1024;
    const QString proxy = QStringLiteral("127.0.0.1:%1").arg(proxyPort);
    const QString out = m_dir.filePath(QStringLiteral("download.bin"));
    auto download = runProcess(
        QStringLiteral(ECHW_CURL_BIN),
        {QStringLiteral("-sS"), QStringLiteral("--fail"), QStringLiteral("--max-time"),
         QStringLiteral("60"), QStringLiteral("--socks5-hostname"), proxy, QStringLiteral("-o"),
         out, QStringLiteral("http://127.0.0.1:%1/bytes/%2?seed=3").arg(originPort).arg(kSize)},
        90s);
    QVERIFY2(download.exitCode == 0, download.err.constData());
    QCOMPARE(sha256OfFile(out), QString::fromLatin1(contentSha256Hex(3, kSize)));

    const QString in = m_dir.filePath(QStringLiteral("upload.bin"));
    QVERIFY(writeContentFile(in, 4, kSize));
    auto upload =
        runProcess(QStringLiteral(ECHW_CURL_BIN),
                   {QStringLiteral("-sS"), QStringLiteral("--fail"), QStringLiteral("--max-time"),
                    QStringLiteral("60"), QStringLiteral("--socks5-hostname"), proxy,
                    QStringLiteral("--data-binary"), QLatin1Char('@') + in,
                    QStringLiteral("http://127.0.0.1:%1/sha256").arg(originPort)},
                   90s);
    QVERIFY2(upload.exitCode == 0, upload.err.constData());
    QCOMPARE(upload.out.trimmed(), QByteArray::number(kSize) + ' ' + contentSha256Hex(4, kSize));

    // The sessions ran in workerd: our server forwarded them and counted no session of its own.
    const QString serverOutput = server.process->output();
    QVERIFY2(serverOutput.contains(QStringLiteral("WebSocket upgrade forwarded to")),
             qPrintable(serverOutput));
    QVERIFY(!serverOutput.contains(QStringLiteral("WebSocket session on")));
    QCOMPARE(client.stop(20s), 0);
    QCOMPARE(server.process->stop(20s), 0);
}

QTEST_MAIN(TestForward)
#include "tst_forward.moc"
