// The whole path on one machine: curl -> ech-workers (routing global) -> TLS 1.3 with ECH ->
// WebSocket -> ech-workers-server -> the loopback origin. Every process is the real binary;
// the ECH config comes from the server's own DoH endpoint.
#include "DeterministicContent.h"
#include "DohTestServer.h"
#include "ProcessFixture.h"
#include "TestHelpers.h"
#include "ech/DnsMessage.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QNetworkDatagram>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <memory>

using namespace std::chrono_literals;
using namespace echw::test;

namespace {

constexpr quint64 kTransferSize = 32ull * 1024 * 1024;
const QString kToken = QStringLiteral("t0ken-for-tests");
const QString kPublicName = QStringLiteral("ech-public.test");

// The SOCKS5 reply code for CONNECT to 127.0.0.1:port through the proxy.
int socksReplyCode(quint16 proxyPort, quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, proxyPort);
    if (!socket.waitForConnected(5000))
        return -1;
    socket.write(echw::test::socks5ConnectRequest(QHostAddress(QHostAddress::LocalHost), port));
    if (readExactly(socket, 2, 10s) != QByteArray("\x05\x00", 2))
        return -1;
    const QByteArray reply = readExactly(socket, 10, 30s);
    return reply.size() == 10 ? int(quint8(reply.at(1))) : -1;
}

struct Server {
    std::unique_ptr<ServiceProcess> process;
    quint16 port = 0;
    QString certificate;
    QString echConfig;
};

} // namespace

class TestTunnel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void carriesTrafficByteIdenticalThroughEch_data();
    void carriesTrafficByteIdenticalThroughEch();
    void serverSawEchWithTheInnerName();
    void carriesNonUtf8AndUtf8EarlyDataIntact_data();
    void carriesNonUtf8AndUtf8EarlyDataIntact();
    void mapsWorkerErrorToSocksHostUnreachableAndHttp502();
    void refusesWhenTheTokenDoesNotMatch();
    void recoversFromRejectedEchWithRetryConfigs();
    void failsClearlyWhenDohIsDownOnColdStart();
    void usesCachedConfigWhenDohIsDownOnWarmStart();
    void closesLocalConnectionWhenWorkerDropsAndServesTheNext();
    void dialsPreferredAddressAndSendsThePath();
    void bypassCnSendsListedTargetsDirectAndOthersThroughTheTunnel();
    void userRulesComeBeforeTheLists();
    void pingsIdleTunnels();
    void servesFromItsWarmPoolAndRefills();
    void answersSocksUdpDnsThroughTheTunnel();

private:
    Server startServer(const QString& name, const QStringList& extra);
    std::unique_ptr<ServiceProcess> startClient(const QString& cacheDir, quint16 serverPort,
                                                const QStringList& extra, quint16* port);
    QStringList clientArguments(quint16 serverPort, quint16 dohPort) const;
    // A client of `server` (which also answers DoH) with these flags added.
    std::unique_ptr<ServiceProcess> startClientOf(const Server& server, const QString& cacheName,
                                                  const QStringList& extra, quint16* port);
    QStringList curl(const QStringList& arguments) const;
    RunResult getHello(const QStringList& proxy) const;
    RunResult getHelloFrom(const QString& host, quint16 proxyPort) const;
    QString writeFile(const QString& name, const QByteArray& content) const;
    int sessionsSeen() const;

    QTemporaryDir m_dir;
    std::unique_ptr<ServiceProcess> m_origin;
    quint16 m_originPort = 0;
    Server m_server;
    std::unique_ptr<ServiceProcess> m_client;
    quint16 m_proxyPort = 0;
    QString m_clientCache;
};

Server TestTunnel::startServer(const QString& name, const QStringList& extra)
{
    Server server;
    server.process = std::make_unique<ServiceProcess>(
        QStringLiteral(ECHW_SERVER_BIN),
        QStringList{QStringLiteral("-l"), QStringLiteral("127.0.0.1:0"), QStringLiteral("-token"),
                    kToken, QStringLiteral("-public-name"), kPublicName, QStringLiteral("-state"),
                    m_dir.filePath(name)} +
            extra);
    server.port = server.process->waitForPort(30s);
    const QString output = server.process->output();
    static const QRegularExpression certificate(QStringLiteral("^certificate (.+)$"),
                                                QRegularExpression::MultilineOption);
    static const QRegularExpression config(QStringLiteral("^ech-config (\\S+)$"),
                                           QRegularExpression::MultilineOption);
    server.certificate = certificate.match(output).captured(1).trimmed();
    server.echConfig = config.match(output).captured(1);
    return server;
}

QStringList TestTunnel::clientArguments(quint16 serverPort, quint16 dohPort) const
{
    return {
        QStringLiteral("-l"),       QStringLiteral("127.0.0.1:0"),
        QStringLiteral("-f"),       QStringLiteral("localhost:%1").arg(serverPort),
        QStringLiteral("-token"),   kToken,
        QStringLiteral("-dns"),     QStringLiteral("https://127.0.0.1:%1/dns-query").arg(dohPort),
        QStringLiteral("-ech"),     kPublicName,
        QStringLiteral("-ca"),      m_server.certificate,
        QStringLiteral("-routing"), QStringLiteral("global")};
}

std::unique_ptr<ServiceProcess> TestTunnel::startClient(const QString& cacheDir, quint16 serverPort,
                                                        const QStringList& arguments, quint16* port)
{
    Q_UNUSED(serverPort);
    auto client =
        std::make_unique<ServiceProcess>(QStringLiteral(ECHW_CLIENT_BIN), arguments,
                                         QStringList{QStringLiteral("XDG_CACHE_HOME=") + cacheDir});
    *port = client->waitForPort(20s);
    return client;
}

std::unique_ptr<ServiceProcess> TestTunnel::startClientOf(const Server& server,
                                                          const QString& cacheName,
                                                          const QStringList& extra, quint16* port)
{
    QStringList arguments = clientArguments(server.port, server.port);
    arguments[arguments.indexOf(QStringLiteral("-ca")) + 1] = server.certificate;
    return startClient(m_dir.filePath(cacheName), server.port, arguments + extra, port);
}

QStringList TestTunnel::curl(const QStringList& arguments) const
{
    return QStringList{QStringLiteral("-sS"), QStringLiteral("--fail"),
                       QStringLiteral("--max-time"), QStringLiteral("120")} +
           arguments;
}

// GET /hello from the origin through a proxy, with curl's proxy arguments.
RunResult TestTunnel::getHello(const QStringList& proxy) const
{
    return runProcess(
        QStringLiteral(ECHW_CURL_BIN),
        curl(proxy + QStringList{QStringLiteral("http://localhost:%1/hello").arg(m_originPort)}),
        60s);
}

RunResult TestTunnel::getHelloFrom(const QString& host, quint16 proxyPort) const
{
    return runProcess(
        QStringLiteral(ECHW_CURL_BIN),
        curl({QStringLiteral("--socks5-hostname"), QStringLiteral("127.0.0.1:%1").arg(proxyPort),
              QStringLiteral("http://%1:%2/hello").arg(host).arg(m_originPort)}),
        60s);
}

QString TestTunnel::writeFile(const QString& name, const QByteArray& content) const
{
    const QString path = m_dir.filePath(name);
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    if (file.open(QIODevice::WriteOnly))
        file.write(content);
    return path;
}

// WebSocket sessions the main server has opened so far: a tunnelled connection adds one.
int TestTunnel::sessionsSeen() const
{
    return int(m_server.process->output().count(QStringLiteral("WebSocket session on")));
}

void TestTunnel::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_origin = std::make_unique<ServiceProcess>(QStringLiteral(ECHW_ORIGIN_BIN), QStringList());
    m_originPort = m_origin->waitForPort(20s);
    QVERIFY(m_originPort != 0);

    m_server = startServer(QStringLiteral("server"), {QStringLiteral("-doh")});
    QVERIFY2(m_server.port != 0, qPrintable(m_server.process->output()));
    QVERIFY2(QFile::exists(m_server.certificate), qPrintable(m_server.process->output()));
    QVERIFY(!m_server.echConfig.isEmpty());

    m_clientCache = m_dir.filePath(QStringLiteral("client-cache"));
    m_client = startClient(m_clientCache, m_server.port,
                           clientArguments(m_server.port, m_server.port), &m_proxyPort);
    QVERIFY2(m_proxyPort != 0, qPrintable(m_client->output()));
}

void TestTunnel::cleanupTestCase()
{
    if (m_client) {
        QVERIFY2(m_client->isRunning(), qPrintable(m_client->output()));
        const int exitCode = m_client->stop(20s);
        QVERIFY2(exitCode == 0, qPrintable(m_client->output().right(20000)));
    }
    if (m_server.process) {
        QVERIFY(m_server.process->isRunning());
        QCOMPARE(m_server.process->stop(20s), 0);
    }
}

void TestTunnel::carriesTrafficByteIdenticalThroughEch_data()
{
    QTest::addColumn<QStringList>("proxy");
    QTest::addColumn<bool>("upload");
    const QString proxy = QStringLiteral("127.0.0.1:%1").arg(m_proxyPort);
    const QStringList socks = {QStringLiteral("--socks5-hostname"), proxy};
    const QStringList http = {QStringLiteral("-x"), QStringLiteral("http://") + proxy};
    const QStringList connect = {QStringLiteral("-p"), QStringLiteral("-x"),
                                 QStringLiteral("http://") + proxy};
    QTest::newRow("socks5 download") << socks << false;
    QTest::newRow("socks5 upload") << socks << true;
    QTest::newRow("http download") << http << false;
    QTest::newRow("http binary POST") << http << true;
    QTest::newRow("http CONNECT download") << connect << false;
}

void TestTunnel::carriesTrafficByteIdenticalThroughEch()
{
    QFETCH(QStringList, proxy);
    QFETCH(bool, upload);
    if (upload) {
        const QString file = m_dir.filePath(QStringLiteral("upload.bin"));
        if (!QFile::exists(file))
            QVERIFY(echw::test::writeContentFile(file, 5, kTransferSize));
        const auto result = runProcess(
            QStringLiteral(ECHW_CURL_BIN),
            curl(proxy +
                 QStringList{QStringLiteral("--data-binary"), QLatin1Char('@') + file,
                             QStringLiteral("http://127.0.0.1:%1/sha256").arg(m_originPort)}),
            150s);
        QVERIFY2(result.exitCode == 0, result.err.constData());
        QCOMPARE(result.out.trimmed(), QByteArray::number(kTransferSize) + ' ' +
                                           echw::test::contentSha256Hex(5, kTransferSize));
        return;
    }
    const QString out = m_dir.filePath(QStringLiteral("download.bin"));
    QFile::remove(out);
    const auto result =
        runProcess(QStringLiteral(ECHW_CURL_BIN),
                   curl(proxy + QStringList{QStringLiteral("-o"), out,
                                            QStringLiteral("http://localhost:%1/bytes/%2?seed=11")
                                                .arg(m_originPort)
                                                .arg(kTransferSize)}),
                   150s);
    QVERIFY2(result.exitCode == 0, result.err.constData());
    QCOMPARE(sha256OfFile(out),
             QString::fromLatin1(echw::test::contentSha256Hex(11, kTransferSize)));
}

void TestTunnel::serverSawEchWithTheInnerName()
{
    const QString output = m_server.process->output();
    QVERIFY2(output.contains(QStringLiteral("ECH accepted")), qPrintable(output));
    QVERIFY2(
        output.contains(QStringLiteral("ECH accepted, inner SNI \"localhost\", outer SNI \"%1\"")
                            .arg(kPublicName)),
        qPrintable(output));
    QVERIFY(!m_client->output().contains(kToken));
    QVERIFY(!output.contains(kToken));
}

void TestTunnel::carriesNonUtf8AndUtf8EarlyDataIntact_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("utf-8 body") << QStringLiteral("grüße, 你好 — plain text").toUtf8();
    QByteArray binary;
    for (int i = 0; i < 256; ++i)
        binary.append(char(255 - i));
    QTest::newRow("non-utf-8 body") << binary;
}

void TestTunnel::carriesNonUtf8AndUtf8EarlyDataIntact()
{
    // A small POST arrives in one read with its head, so it travels as early data: inside the
    // CONNECT text frame when it is UTF-8, else as the first binary frame after CONNECTED.
    QFETCH(QByteArray, body);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_proxyPort);
    QVERIFY(socket.waitForConnected(5000));
    socket.write(QStringLiteral("POST http://127.0.0.1:%1/sha256 HTTP/1.1\r\nHost: x\r\n"
                                "Content-Length: %2\r\nConnection: close\r\n\r\n")
                     .arg(m_originPort)
                     .arg(body.size())
                     .toLatin1() +
                 body);
    const QByteArray response = readUntilClosed(socket, 30s);
    const QByteArray expected = QByteArray::number(body.size()) + ' ' +
                                QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex();
    QVERIFY2(response.startsWith("HTTP/1.1 200"), response.constData());
    QVERIFY2(response.contains(expected), response.constData());
}

void TestTunnel::mapsWorkerErrorToSocksHostUnreachableAndHttp502()
{
    const quint16 port = closedPort();
    QCOMPARE(socksReplyCode(m_proxyPort, port), 0x04);
    const auto result =
        runProcess(QStringLiteral(ECHW_CURL_BIN),
                   {QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("/dev/null"),
                    QStringLiteral("-w"), QStringLiteral("%{http_code}"), QStringLiteral("-x"),
                    QStringLiteral("http://127.0.0.1:%1").arg(m_proxyPort),
                    QStringLiteral("http://127.0.0.1:%1/").arg(port)},
                   30s);
    QCOMPARE(result.out, QByteArray("502"));
}

void TestTunnel::refusesWhenTheTokenDoesNotMatch()
{
    QStringList arguments = clientArguments(m_server.port, m_server.port);
    arguments[arguments.indexOf(kToken)] = QStringLiteral("wrong-token");
    quint16 port = 0;
    auto client =
        startClient(m_dir.filePath(QStringLiteral("cache-token")), m_server.port, arguments, &port);
    QVERIFY(port != 0);
    const int code = socksReplyCode(port, m_originPort);
    QVERIFY2(code > 0, qPrintable(client->output()));
    QVERIFY(client->output().contains(QStringLiteral("401")));
    QVERIFY(!client->output().contains(QStringLiteral("wrong-token")));
}

void TestTunnel::recoversFromRejectedEchWithRetryConfigs()
{
    // A second server with its own ECH key (same certificate): the client learns the first
    // server's config from DoH, is rejected, and must succeed with the retry configs.
    const QString keyFile =
        QFileInfo(m_server.certificate).dir().filePath(QStringLiteral("certificate-key.pem"));
    Server other =
        startServer(QStringLiteral("other"), {QStringLiteral("-cert"), m_server.certificate,
                                              QStringLiteral("-key"), keyFile});
    QVERIFY2(other.port != 0, qPrintable(other.process->output()));
    QVERIFY(other.echConfig != m_server.echConfig);

    quint16 port = 0;
    auto client = startClient(m_dir.filePath(QStringLiteral("cache-retry")), other.port,
                              clientArguments(other.port, m_server.port), &port);
    QVERIFY(port != 0);
    const auto result =
        getHello({QStringLiteral("--socks5-hostname"), QStringLiteral("127.0.0.1:%1").arg(port)});
    QVERIFY2(result.exitCode == 0, qPrintable(client->output()));
    QVERIFY(client->output().contains(QStringLiteral("retry configs")));
    QVERIFY(other.process->output().contains(QStringLiteral("ECH accepted")));
}

void TestTunnel::failsClearlyWhenDohIsDownOnColdStart()
{
    const quint16 deadDoh = closedPort();
    quint16 port = 0;
    auto client = startClient(m_dir.filePath(QStringLiteral("cache-cold")), m_server.port,
                              clientArguments(m_server.port, deadDoh), &port);
    QVERIFY(port != 0);
    QVERIFY(socksReplyCode(port, m_originPort) > 0);
    QVERIFY2(client->waitForOutput(QStringLiteral("ECH config"), 10s),
             qPrintable(client->output()));
    QVERIFY2(client->output().contains(QStringLiteral("127.0.0.1:%1").arg(deadDoh)),
             qPrintable(client->output()));
}

void TestTunnel::usesCachedConfigWhenDohIsDownOnWarmStart()
{
    // First run: a server with DoH; the client fetches and stores the config.
    const QString cache = m_dir.filePath(QStringLiteral("cache-warm"));
    auto first =
        std::make_unique<Server>(startServer(QStringLiteral("warm"), {QStringLiteral("-doh")}));
    QVERIFY(first->port != 0);
    const quint16 dohPort = first->port;
    QStringList arguments = clientArguments(first->port, dohPort);
    arguments[arguments.indexOf(QStringLiteral("-ca")) + 1] = first->certificate;
    quint16 port = 0;
    {
        auto client = startClient(cache, first->port, arguments, &port);
        QVERIFY(port != 0);
        QVERIFY2(client->waitForOutput(QStringLiteral("ECH config for"), 20s),
                 qPrintable(client->output()));
    }
    // Second run: the same server (same keys) restarted without DoH, so the DoH address the
    // client knows is dead. The cached config must carry the client through.
    const QString certificate = first->certificate;
    first.reset();
    Server second = startServer(QStringLiteral("warm"), {});
    QVERIFY(second.port != 0);
    arguments = clientArguments(second.port, dohPort);
    arguments[arguments.indexOf(QStringLiteral("-ca")) + 1] = certificate;
    auto client = startClient(cache, second.port, arguments, &port);
    QVERIFY(port != 0);
    const auto result =
        getHello({QStringLiteral("--socks5-hostname"), QStringLiteral("127.0.0.1:%1").arg(port)});
    QVERIFY2(result.exitCode == 0, qPrintable(client->output()));
    QCOMPARE(result.out, QStringLiteral("hello from localhost:%1\n").arg(m_originPort).toUtf8());
    QVERIFY(second.process->output().contains(QStringLiteral("ECH accepted")));
}

void TestTunnel::closesLocalConnectionWhenWorkerDropsAndServesTheNext()
{
    const QString keyFile =
        QFileInfo(m_server.certificate).dir().filePath(QStringLiteral("certificate-key.pem"));
    Server dropping = startServer(QStringLiteral("dropping"),
                                  {QStringLiteral("-doh"), QStringLiteral("-fail-after-bytes"),
                                   QStringLiteral("1000000"), QStringLiteral("-cert"),
                                   m_server.certificate, QStringLiteral("-key"), keyFile});
    QVERIFY2(dropping.port != 0, qPrintable(dropping.process->output()));
    quint16 port = 0;
    auto client = startClient(m_dir.filePath(QStringLiteral("cache-drop")), dropping.port,
                              clientArguments(dropping.port, dropping.port), &port);
    QVERIFY(port != 0);
    const QString proxy = QStringLiteral("127.0.0.1:%1").arg(port);
    const auto cut =
        runProcess(QStringLiteral(ECHW_CURL_BIN),
                   curl({QStringLiteral("--socks5-hostname"), proxy, QStringLiteral("-o"),
                         QStringLiteral("/dev/null"),
                         QStringLiteral("http://localhost:%1/bytes/8000000").arg(m_originPort)}),
                   60s);
    QVERIFY2(cut.exitCode > 0, "the download should have been cut short");
    const auto next = getHello({QStringLiteral("--socks5-hostname"), proxy});
    QVERIFY2(next.exitCode == 0, qPrintable(client->output()));
    QVERIFY(client->isRunning());
}

void TestTunnel::dialsPreferredAddressAndSendsThePath()
{
    // worker.test resolves nowhere: only -ip makes the TCP connection possible, while TLS still
    // checks the certificate for worker.test and the WebSocket asks for the path.
    Server named =
        startServer(QStringLiteral("named"),
                    {QStringLiteral("-doh"), QStringLiteral("-name"), QStringLiteral("worker.test"),
                     QStringLiteral("-name"), QStringLiteral("127.0.0.1")});
    QVERIFY2(named.port != 0, qPrintable(named.process->output()));
    QStringList arguments = clientArguments(named.port, named.port);
    arguments[arguments.indexOf(QStringLiteral("-f")) + 1] =
        QStringLiteral("worker.test:%1/some/path").arg(named.port);
    arguments[arguments.indexOf(QStringLiteral("-ca")) + 1] = named.certificate;
    arguments << QStringLiteral("-ip") << QStringLiteral("127.0.0.1");
    quint16 port = 0;
    auto client =
        startClient(m_dir.filePath(QStringLiteral("cache-named")), named.port, arguments, &port);
    QVERIFY(port != 0);
    const auto result =
        getHello({QStringLiteral("-x"), QStringLiteral("http://127.0.0.1:%1").arg(port)});
    QVERIFY2(result.exitCode == 0, qPrintable(client->output()));
    const QString output = named.process->output();
    QVERIFY2(output.contains(QStringLiteral("inner SNI \"worker.test\"")), qPrintable(output));
    QVERIFY2(output.contains(QStringLiteral("WebSocket session on /some/path")),
             qPrintable(output));
}

void TestTunnel::bypassCnSendsListedTargetsDirectAndOthersThroughTheTunnel()
{
    // A list that claims loopback for China: loopback targets go direct, by address and by a
    // name that resolves there.
    writeFile(QStringLiteral("lists-loopback/chn_ip.txt"), "127.0.0.0 127.255.255.255\n");
    QStringList arguments = clientArguments(m_server.port, m_server.port);
    arguments[arguments.indexOf(QStringLiteral("global"))] = QStringLiteral("bypass_cn");
    quint16 port = 0;
    auto direct =
        startClient(m_dir.filePath(QStringLiteral("cache-bypass")), m_server.port,
                    arguments + QStringList{QStringLiteral("-lists"),
                                            m_dir.filePath(QStringLiteral("lists-loopback"))},
                    &port);
    QVERIFY2(port != 0, qPrintable(direct->output()));
    int before = sessionsSeen();
    for (const QString& host : {QStringLiteral("127.0.0.1"), QStringLiteral("localhost")}) {
        const auto result = getHelloFrom(host, port);
        QVERIFY2(result.exitCode == 0, qPrintable(direct->output()));
    }
    QCOMPARE(sessionsSeen(), before);

    // A list without loopback: the same targets now go through the tunnel.
    writeFile(QStringLiteral("lists-other/chn_ip.txt"), "1.0.1.0 1.0.3.255\n");
    auto tunnelled =
        startClient(m_dir.filePath(QStringLiteral("cache-bypass")), m_server.port,
                    arguments + QStringList{QStringLiteral("-lists"),
                                            m_dir.filePath(QStringLiteral("lists-other"))},
                    &port);
    QVERIFY2(port != 0, qPrintable(tunnelled->output()));
    before = sessionsSeen();
    const auto result = getHelloFrom(QStringLiteral("127.0.0.1"), port);
    QVERIFY2(result.exitCode == 0, qPrintable(tunnelled->output()));
    QCOMPARE(sessionsSeen(), before + 1);
}

void TestTunnel::userRulesComeBeforeTheLists()
{
    writeFile(QStringLiteral("lists-loopback/chn_ip.txt"), "127.0.0.0 127.255.255.255\n");
    const QString rules =
        writeFile(QStringLiteral("rules.txt"), "# tunnel this name although its address is listed\n"
                                               "domain:localhost tunnel\n"
                                               "cidr:127.0.0.1/32 block\n");
    QStringList arguments = clientArguments(m_server.port, m_server.port);
    arguments[arguments.indexOf(QStringLiteral("global"))] = QStringLiteral("bypass_cn");
    arguments << QStringLiteral("-lists") << m_dir.filePath(QStringLiteral("lists-loopback"))
              << QStringLiteral("-rules") << rules;
    quint16 port = 0;
    auto client =
        startClient(m_dir.filePath(QStringLiteral("cache-rules")), m_server.port, arguments, &port);
    QVERIFY2(port != 0, qPrintable(client->output()));
    const int before = sessionsSeen();
    QVERIFY2(getHelloFrom(QStringLiteral("localhost"), port).exitCode == 0,
             qPrintable(client->output()));
    QCOMPARE(sessionsSeen(), before + 1);
    // SOCKS5 0x02: connection not allowed by ruleset; HTTP 403.
    QCOMPARE(socksReplyCode(port, m_originPort), 0x02);
    const auto http =
        runProcess(QStringLiteral(ECHW_CURL_BIN),
                   {QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("/dev/null"),
                    QStringLiteral("-w"), QStringLiteral("%{http_code}"), QStringLiteral("-x"),
                    QStringLiteral("http://127.0.0.1:%1").arg(port),
                    QStringLiteral("http://127.0.0.1:%1/hello").arg(m_originPort)},
                   30s);
    QCOMPARE(http.out, QByteArray("403"));
    QCOMPARE(sessionsSeen(), before + 1);

    // A bad rule stops the client with an error naming it.
    const QString bad = writeFile(QStringLiteral("bad-rules.txt"), "suffix:exa mple.com direct\n");
    arguments[arguments.indexOf(rules)] = bad;
    const auto failed = runProcess(QStringLiteral(ECHW_CLIENT_BIN), arguments, 20s);
    QCOMPARE(failed.exitCode, 1);
    QVERIFY2(failed.err.contains("exa mple.com"), failed.err.constData());
}

void TestTunnel::answersSocksUdpDnsThroughTheTunnel()
{
    // A DoH server in this process (HTTPS on 127.0.0.1), which the client reaches through the
    // worker; the client trusts the worker and the DoH server through one CA file.
    const QString dohName = QStringLiteral("udp-dns.test");
    const QByteArray echConfig = QByteArray::fromBase64(m_server.echConfig.toLatin1());
    const DohTestCertificate dohCertificate = createDohTestCertificate(m_dir.path());
    QVERIFY(!dohCertificate.caFile.isEmpty());
    DohTestServer doh(dohCertificate.certificate, dohName, echConfig);
    QVERIFY(doh.listen(QHostAddress::LocalHost));
    QFile workerCertificate(m_server.certificate);
    QVERIFY(workerCertificate.open(QIODevice::ReadOnly));
    const QString caFile =
        writeFile(QStringLiteral("udp-ca.pem"),
                  workerCertificate.readAll() + '\n' + dohCertificate.certificate.certificatePem);
    QStringList arguments = clientArguments(m_server.port, m_server.port);
    arguments[arguments.indexOf(QStringLiteral("-ca")) + 1] = caFile;
    arguments << QStringLiteral("-udp-dns") << doh.url().toString() << QStringLiteral("-loglevel")
              << QStringLiteral("debug");
    quint16 port = 0;
    auto client =
        startClient(m_dir.filePath(QStringLiteral("cache-udp")), m_server.port, arguments, &port);
    QVERIFY2(port != 0, qPrintable(client->output()));

    // UDP ASSOCIATE from an address and port not known yet (RFC 1928 section 6).
    QTcpSocket control;
    control.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(control.waitForConnected(5000));
    control.write(QByteArray("\x05\x01\x00\x05\x03\x00\x01\x00\x00\x00\x00\x00\x00", 13));
    QCOMPARE(readExactly(control, 2), QByteArray("\x05\x00", 2));
    const QByteArray reply = readExactly(control, 10);
    QCOMPARE(reply.first(8), QByteArray("\x05\x00\x00\x01\x7f\x00\x00\x01", 8));
    const quint16 relayPort = quint16(quint8(reply[8]) << 8 | quint8(reply[9]));
    QVERIFY(relayPort != 0);

    // A datagram to port 80 is dropped; the DNS query after it is answered.
    QUdpSocket udp;
    QVERIFY(udp.bind(QHostAddress::LocalHost, 0));
    const QByteArray header80("\x00\x00\x00\x01\xc0\x00\x02\x35\x00\x50", 10);
    const QByteArray header53("\x00\x00\x00\x01\xc0\x00\x02\x35\x00\x35", 10);
    const QByteArray query = echw::buildDnsQuery(dohName, echw::DnsType::Https, 0x5353);
    const int sessionsBefore = sessionsSeen();
    udp.writeDatagram(header80 + "GET / HTTP/1.0\r\n\r\n", QHostAddress::LocalHost, relayPort);
    udp.writeDatagram(header53 + query, QHostAddress::LocalHost, relayPort);
    QVERIFY2(QTest::qWaitFor([&udp] { return udp.hasPendingDatagrams(); }, 30000),
             qPrintable(client->output()));
    const QNetworkDatagram answer = udp.receiveDatagram();
    QCOMPARE(answer.senderPort(), int(relayPort));
    // The answer names the server the query was addressed to (section 7).
    QCOMPARE(answer.data().first(10), header53);
    const QByteArray dns = answer.data().sliced(10);
    const auto response = echw::parseDnsResponse(dns);
    QVERIFY(std::holds_alternative<echw::DnsResponse>(response));
    QCOMPARE(std::get<echw::DnsResponse>(response).id, quint16(0x5353));
    QCOMPARE(std::get<echw::DnsResponse>(response).questions.size(), 1);
    QCOMPARE(std::get<echw::DnsResponse>(response).questions.first().name, dohName);
    QCOMPARE(std::get<echw::DnsResponse>(response).questions.first().type, echw::DnsType::Https);
    const auto ech = echw::extractEchConfig(dns, dohName);
    QVERIFY(std::holds_alternative<echw::EchLookupResult>(ech));
    QCOMPARE(std::get<echw::EchLookupResult>(ech).echConfigList, echConfig);
    QVERIFY(!udp.hasPendingDatagrams());
    QVERIFY(client->waitForOutput(QStringLiteral("dropped a datagram to 192.0.2.53:80"), 10s));

    // The query went as a POST through the worker: one more WebSocket session there.
    QCOMPARE(doh.requests.size(), 1);
    QCOMPARE(doh.requests.first().method, QByteArray("POST"));
    QCOMPARE(doh.requests.first().dnsQuery, query);
    QTRY_COMPARE(sessionsSeen(), sessionsBefore + 1);

    // Closing the control connection ends the association (RFC 1928 section 6).
    control.disconnectFromHost();
    QVERIFY2(client->waitForOutput(
                 QStringLiteral("UDP association on 127.0.0.1:%1 ended: 1 queries, 1 answers")
                     .arg(relayPort),
                 10s),
             qPrintable(client->output()));
    QVERIFY(client->isRunning());
}

void TestTunnel::pingsIdleTunnels()
{
    Server server =
        startServer(QStringLiteral("keepalive"),
                    {QStringLiteral("-doh"), QStringLiteral("-loglevel"), QStringLiteral("debug")});
    QVERIFY2(server.port != 0, qPrintable(server.process->output()));
    quint16 port = 0;
    auto client = startClientOf(server, QStringLiteral("cache-ping"),
                                {QStringLiteral("-keepalive"), QStringLiteral("1")}, &port);
    QVERIFY(port != 0);
    // An open, idle tunnel to the origin: the client pings it, the server sees the pings.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(socket.waitForConnected(5000));
    socket.write(
        echw::test::socks5ConnectRequest(QHostAddress(QHostAddress::LocalHost), m_originPort));
    QCOMPARE(readExactly(socket, 12, 20s).size(), 12);
    QVERIFY2(server.process->waitForOutput(QStringLiteral(": ping"), 10s),
             qPrintable(server.process->output()));
    QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
}

void TestTunnel::servesFromItsWarmPoolAndRefills()
{
    Server server =
        startServer(QStringLiteral("pool"),
                    {QStringLiteral("-doh"), QStringLiteral("-loglevel"), QStringLiteral("debug")});
    QVERIFY2(server.port != 0, qPrintable(server.process->output()));
    quint16 port = 0;
    auto client = startClientOf(server, QStringLiteral("cache-pool"),
                                {QStringLiteral("-pool"), QStringLiteral("2")}, &port);
    QVERIFY(port != 0);
    const auto sessions = [&] {
        return int(server.process->output().count(QStringLiteral("WebSocket session on")));
    };
    // Two sessions upgraded before any request.
    QTRY_COMPARE_WITH_TIMEOUT(sessions(), 2, 20000);
    const auto result = getHelloFrom(QStringLiteral("127.0.0.1"), port);
    QVERIFY2(result.exitCode == 0, qPrintable(client->output()));
    QVERIFY(result.out.startsWith("hello from"));
    // The request took a ready session; the pool made a third to stay at two.
    QTRY_COMPARE_WITH_TIMEOUT(sessions(), 3, 20000);
    QCOMPARE(server.process->output().count(QStringLiteral(": connected to")), 1);
}

QTEST_GUILESS_MAIN(TestTunnel)
#include "tst_tunnel.moc"
