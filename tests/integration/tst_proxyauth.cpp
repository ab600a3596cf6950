// The headless client with -auth (and the LAN switches) in routing mode none, driven by real
// curl: right credentials reach the origin over SOCKS5 and the HTTP proxy, wrong or missing
// ones never do, a LAN listen address needs -auth or -allow-lan, and the password never
// appears in the client's debug log.
#include "ProcessFixture.h"

#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace std::chrono_literals;
using namespace echw::test;

namespace {

const QString kUser = QStringLiteral("alice");
// Distinctive, so that any trace of it in a log is found.
const QString kPassword = QStringLiteral("Pw-q7:zK9x");
constexpr auto kCurlTimeout = 60s;

} // namespace

class TestProxyAuth : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void servesClientsWithTheRightPassword_data();
    void servesClientsWithTheRightPassword();
    void neverForwardsProxyAuthorization();
    void refusesWrongOrMissingCredentialsBeforeAnyByteReachesTheTarget_data();
    void refusesWrongOrMissingCredentialsBeforeAnyByteReachesTheTarget();
    void answers407WithoutCredentials();
    void refusesLanAddressWithoutAuth();
    void warnsWhenLanIsAllowedWithoutAuth();

private:
    QStringList curlBase() const;
    QString proxy() const { return QStringLiteral("127.0.0.1:%1").arg(m_proxyPort); }
    QString credentials() const { return kUser + u':' + kPassword; }

    std::unique_ptr<ServiceProcess> m_origin;
    std::unique_ptr<ServiceProcess> m_client;
    quint16 m_originPort = 0;
    quint16 m_proxyPort = 0;
    // A target that only counts: any connection here means bad credentials got through.
    QTcpServer m_sink;
};

void TestProxyAuth::initTestCase()
{
    m_origin = std::make_unique<ServiceProcess>(
        QStringLiteral(ECHW_ORIGIN_BIN),
        QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1")});
    m_originPort = m_origin->waitForPort(20s);
    QVERIFY2(m_originPort != 0, "the origin did not start");
    QVERIFY(m_sink.listen(QHostAddress::LocalHost));

    m_client = std::make_unique<ServiceProcess>(
        QStringLiteral(ECHW_CLIENT_BIN),
        QStringList{QStringLiteral("-l"), QStringLiteral("127.0.0.1:0"), QStringLiteral("-auth"),
                    credentials(), QStringLiteral("-f"), QStringLiteral("x.example:443"),
                    QStringLiteral("-routing"), QStringLiteral("none"), QStringLiteral("-loglevel"),
                    QStringLiteral("debug")});
    m_proxyPort = m_client->waitForPort(20s);
    QVERIFY2(m_proxyPort != 0, qPrintable(m_client->output()));
}

void TestProxyAuth::cleanupTestCase()
{
    if (!m_client)
        return;
    QVERIFY2(m_client->isRunning(), "the client died during the tests");
    QCOMPARE(m_client->stop(20s), 0);
    const QString log = m_client->output();
    // The log is at debug level and saw good and bad logins, yet never the password.
    QVERIFY2(log.contains(QStringLiteral("route ")), qPrintable(log));
    QVERIFY2(log.contains(QStringLiteral("wrong user name or password")), qPrintable(log));
    QVERIFY2(!log.contains(kPassword), "the password appeared in the client's log");
    QVERIFY(!log.contains(QString::fromLatin1(credentials().toUtf8().toBase64())));
}

QStringList TestProxyAuth::curlBase() const
{
    return {QStringLiteral("-sS"),        QStringLiteral("--fail"),
            QStringLiteral("--noproxy"),  QString(),
            QStringLiteral("--max-time"), QStringLiteral("50")};
}

void TestProxyAuth::servesClientsWithTheRightPassword_data()
{
    QTest::addColumn<QStringList>("proxyArguments");
    QTest::newRow("socks5, proxy resolves the name")
        << QStringList{QStringLiteral("--socks5-hostname"), proxy(), QStringLiteral("--proxy-user"),
                       credentials()};
    QTest::newRow("http proxy, absolute form") << QStringList{
        QStringLiteral("-x"), QStringLiteral("http://%1@%2").arg(credentials(), proxy())};
    QTest::newRow("http proxy, CONNECT")
        << QStringList{QStringLiteral("-p"), QStringLiteral("-x"),
                       QStringLiteral("http://%1@%2").arg(credentials(), proxy())};
}

void TestProxyAuth::servesClientsWithTheRightPassword()
{
    QFETCH(QStringList, proxyArguments);
    // Two requests: on a keep-alive HTTP proxy connection the second needs credentials too.
    const QString url = QStringLiteral("http://localhost:%1/bytes/5000?seed=3").arg(m_originPort);
    const auto result = runProcess(
        QStringLiteral(ECHW_CURL_BIN),
        curlBase() + proxyArguments +
            QStringList{QStringLiteral("-w"), QStringLiteral("|%{http_code}|"), url, url},
        kCurlTimeout);
    QVERIFY2(result.exitCode == 0, result.err.constData());
    QCOMPARE(result.out.count("|200|"), 2);
    QCOMPARE(result.out.size(), 2 * (5000 + 5));
}

void TestProxyAuth::neverForwardsProxyAuthorization()
{
    const auto result = runProcess(
        QStringLiteral(ECHW_CURL_BIN),
        curlBase() +
            QStringList{QStringLiteral("-x"),
                        QStringLiteral("http://%1@%2").arg(credentials(), proxy()),
                        QStringLiteral("http://127.0.0.1:%1/echo-headers").arg(m_originPort)},
        kCurlTimeout);
    QVERIFY2(result.exitCode == 0, result.err.constData());
    QVERIFY2(result.out.startsWith("GET /echo-headers HTTP/1.1\r\n"), result.out.constData());
    QVERIFY(!result.out.contains("Proxy-"));
    QVERIFY(!result.out.contains(credentials().toUtf8().toBase64()));
}

void TestProxyAuth::refusesWrongOrMissingCredentialsBeforeAnyByteReachesTheTarget_data()
{
    QTest::addColumn<QStringList>("proxyArguments");
    QTest::addColumn<int>("exitCode"); // 0: any failure
    const QString wrong = kUser + QStringLiteral(":") + kPassword + u'x';
    // curl 7.73 and later: CURLE_PROXY (97) for a refused SOCKS5 login.
    QTest::newRow("socks5, wrong password")
        << QStringList{QStringLiteral("--socks5-hostname"), proxy(), QStringLiteral("--proxy-user"),
                       wrong}
        << 97;
    QTest::newRow("socks5, wrong user")
        << QStringList{QStringLiteral("--socks5-hostname"), proxy(), QStringLiteral("--proxy-user"),
                       QStringLiteral("bob:") + kPassword}
        << 97;
    QTest::newRow("socks5, no credentials")
        << QStringList{QStringLiteral("--socks5-hostname"), proxy()} << 97;
    QTest::newRow("http proxy, wrong password")
        << QStringList{QStringLiteral("-x"), QStringLiteral("http://%1@%2").arg(wrong, proxy())}
        << 22;
    QTest::newRow("http proxy CONNECT, wrong password")
        << QStringList{QStringLiteral("-p"), QStringLiteral("-x"),
                       QStringLiteral("http://%1@%2").arg(wrong, proxy())}
        << 0;
    QTest::newRow("http proxy CONNECT, no credentials")
        << QStringList{QStringLiteral("-p"), QStringLiteral("-x"),
                       QStringLiteral("http://") + proxy()}
        << 0;
}

void TestProxyAuth::refusesWrongOrMissingCredentialsBeforeAnyByteReachesTheTarget()
{
    QFETCH(QStringList, proxyArguments);
    QFETCH(int, exitCode);
    const auto result =
        runProcess(QStringLiteral(ECHW_CURL_BIN),
                   curlBase() + proxyArguments +
                       QStringList{QStringLiteral("http://127.0.0.1:%1/").arg(m_sink.serverPort())},
                   kCurlTimeout);
    QVERIFY2(result.exitCode != 0, result.out.constData());
    if (exitCode != 0)
        QVERIFY2(result.exitCode == exitCode, result.err.constData());
    // curl has finished, so a connection the proxy made would be queued by now.
    QVERIFY(!m_sink.waitForNewConnection(200));
}

void TestProxyAuth::answers407WithoutCredentials()
{
    const auto result =
        runProcess(QStringLiteral(ECHW_CURL_BIN),
                   QStringList{QStringLiteral("-sS"), QStringLiteral("-i"), QStringLiteral("-x"),
                               QStringLiteral("http://") + proxy(),
                               QStringLiteral("http://127.0.0.1:%1/").arg(m_sink.serverPort())},
                   kCurlTimeout);
    QVERIFY2(result.exitCode == 0, result.err.constData());
    QVERIFY2(result.out.startsWith("HTTP/1.1 407 Proxy Authentication Required\r\n"),
             result.out.constData());
    QVERIFY(result.out.contains("\r\nProxy-Authenticate: Basic realm=\"ech-workers\"\r\n"));
    QVERIFY(!m_sink.waitForNewConnection(200));
}

void TestProxyAuth::refusesLanAddressWithoutAuth()
{
    const auto result = runProcess(QStringLiteral(ECHW_CLIENT_BIN),
                                   {QStringLiteral("-l"), QStringLiteral("0.0.0.0:0"),
                                    QStringLiteral("-f"), QStringLiteral("x.example:443"),
                                    QStringLiteral("-routing"), QStringLiteral("none")},
                                   20s);
    QVERIFY2(result.exitCode != 0 && result.exitCode != -1, result.err.constData());
    QVERIFY2(result.err.contains("listening on 0.0.0.0:0 would open the proxy to the network"),
             result.err.constData());
    QVERIFY2(result.err.contains("-auth USER:PASSWORD"), result.err.constData());
    QVERIFY2(result.err.contains("-allow-lan"), result.err.constData());
}

void TestProxyAuth::warnsWhenLanIsAllowedWithoutAuth()
{
    ServiceProcess open(QStringLiteral(ECHW_CLIENT_BIN),
                        {QStringLiteral("-l"), QStringLiteral("0.0.0.0:0"),
                         QStringLiteral("-allow-lan"), QStringLiteral("-f"),
                         QStringLiteral("x.example:443"), QStringLiteral("-routing"),
                         QStringLiteral("none")});
    const quint16 port = open.waitForPort(20s);
    QVERIFY2(port != 0, qPrintable(open.output()));
    QVERIFY2(open.output().contains(QStringLiteral(
                 "without authentication: anyone who can reach this port can use the proxy")),
             qPrintable(open.output()));
    // Open means open: a client without credentials is served.
    const auto result = runProcess(
        QStringLiteral(ECHW_CURL_BIN),
        curlBase() +
            QStringList{QStringLiteral("--socks5-hostname"),
                        QStringLiteral("127.0.0.1:%1").arg(port),
                        QStringLiteral("http://localhost:%1/bytes/10?seed=1").arg(m_originPort)},
        kCurlTimeout);
    QVERIFY2(result.exitCode == 0, result.err.constData());
    QCOMPARE(result.out.size(), 10);
    QCOMPARE(open.stop(20s), 0);
}

QTEST_GUILESS_MAIN(TestProxyAuth)
#include "tst_proxyauth.moc"
