// Who may use the proxy, end to end inside one process: an Engine without a tunnel (routing
// none) in front of a loopback origin, driven by raw SOCKS5 and HTTP clients.
#include "RunningProxy.h"
#include "TestValues.h"

#include <QLoggingCategory>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace echw;
using namespace echw::test;

namespace {

const QString kUser = QStringLiteral("alice");
const QString kPassword = QStringLiteral("Pw-7f3a9c");

QStringList g_log;     // since the last clear
QStringList g_fullLog; // the whole run
QtMessageHandler g_previousHandler = nullptr;

void captureLog(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    g_log.append(message);
    g_fullLog.append(message);
    if (type != QtDebugMsg)
        g_previousHandler(type, context, message);
}

qsizetype logLinesContaining(const QString& text)
{
    return std::count_if(g_log.begin(), g_log.end(),
                         [&text](const QString& line) { return line.contains(text); });
}

quint16 portOf(const EngineRuntime& engine)
{
    return test::proxyPort(engine);
}

// Reads until `n` bytes or the end of the connection, whichever comes first.
QByteArray readBytes(QTcpSocket& socket, qsizetype n)
{
    QByteArray received;
    // A timeout shows as a short result, which the caller's comparison reports.
    static_cast<void>(QTest::qWaitFor(
        [&] {
            received += socket.read(n - received.size());
            return received.size() >= n || socket.state() == QAbstractSocket::UnconnectedState;
        },
        10000));
    return received;
}

bool waitForClose(QTcpSocket& socket)
{
    return QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; },
                           10000);
}

QByteArray socksLogin(const QString& user, const QString& password)
{
    const QByteArray u = user.toUtf8();
    const QByteArray p = password.toUtf8();
    return bytes({1, int(u.size())}) + u + bytes({int(p.size())}) + p;
}

QByteArray socksConnect(quint16 port)
{
    return bytes({5, 1, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xff});
}

} // namespace

class TestProxyAuthentication : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void refusesNetworkAddressWithoutCredentials_data();
    void refusesNetworkAddressWithoutCredentials();
    void startsOnLoopbackWithoutCredentials_data();
    void startsOnLoopbackWithoutCredentials();
    void startsOnNetworkAddressWhenAllowedWithoutAuth();
    void startsOnNetworkAddressWithCredentials();
    void refusesInvalidCredentials();

    void socks5ClientWithRightPasswordReachesTheOrigin();
    void socks5ClientWithWrongPasswordNeverReachesTheOrigin_data();
    void socks5ClientWithWrongPasswordNeverReachesTheOrigin();
    void socks5ClientWithoutAuthMethodIsRefused();
    void httpClientWithRightPasswordReachesTheOrigin();
    void httpClientWithoutPasswordGets407();
    void neverLogsThePassword();

private:
    void startWithCredentials();

    QTcpServer m_origin;
    std::unique_ptr<EngineRuntime> m_engine;
};

void TestProxyAuthentication::initTestCase()
{
    QLoggingCategory::setFilterRules(QStringLiteral("echw.*.debug=true"));
    g_previousHandler = qInstallMessageHandler(captureLog);
    QVERIFY(m_origin.listen(QHostAddress::LocalHost));
}

void TestProxyAuthentication::init()
{
    m_engine = std::make_unique<EngineRuntime>();
    while (auto* pending = m_origin.nextPendingConnection())
        delete pending;
}

void TestProxyAuthentication::cleanupTestCase()
{
    m_engine.reset();
    qInstallMessageHandler(g_previousHandler);
}

void TestProxyAuthentication::startWithCredentials()
{
    ProxySettings settings = test::directSettings(QStringLiteral("127.0.0.1:0"));
    settings.authUser = kUser;
    settings.authPassword = kPassword;
    const auto error = test::startProxy(*m_engine, settings);
    QVERIFY2(!error, qPrintable(error.value_or(QString())));
}

void TestProxyAuthentication::refusesNetworkAddressWithoutCredentials_data()
{
    QTest::addColumn<QString>("listen");
    QTest::newRow("ipv4 any") << QStringLiteral("0.0.0.0:0");
    QTest::newRow("ipv6 any") << QStringLiteral("[::]:0");
    QTest::newRow("no host") << QStringLiteral(":0");
    QTest::newRow("lan address") << QStringLiteral("192.168.1.10:30000");
}

void TestProxyAuthentication::refusesNetworkAddressWithoutCredentials()
{
    QFETCH(QString, listen);
    const auto error = test::startProxy(*m_engine, test::directSettings(listen));
    QVERIFY(error);
    QVERIFY2(error->startsWith(QStringLiteral("listening on %1 would open the proxy to the "
                                              "network")
                                   .arg(listen)),
             qPrintable(*error));
    QVERIFY2(error->contains(QStringLiteral("-auth USER:PASSWORD")), qPrintable(*error));
    QVERIFY2(error->contains(QStringLiteral("-allow-lan")), qPrintable(*error));
    QVERIFY(!m_engine->isRunning());
}

void TestProxyAuthentication::startsOnLoopbackWithoutCredentials_data()
{
    QTest::addColumn<QString>("listen");
    QTest::newRow("127.0.0.1") << QStringLiteral("127.0.0.1:0");
    QTest::newRow("elsewhere in 127/8") << QStringLiteral("127.0.0.2:0");
    QTest::newRow("localhost") << QStringLiteral("localhost:0");
}

void TestProxyAuthentication::startsOnLoopbackWithoutCredentials()
{
    QFETCH(QString, listen);
    g_log.clear();
    const auto error = test::startProxy(*m_engine, test::directSettings(listen));
    QVERIFY2(!error, qPrintable(error.value_or(QString())));
    QCOMPARE(logLinesContaining(QStringLiteral("authentication")), 0);
    QCOMPARE(logLinesContaining(QStringLiteral("log in")), 0);
}

void TestProxyAuthentication::startsOnNetworkAddressWhenAllowedWithoutAuth()
{
    g_log.clear();
    ProxySettings settings = test::directSettings(QStringLiteral("0.0.0.0:0"));
    settings.allowLanWithoutAuth = true;
    const auto error = test::startProxy(*m_engine, settings);
    QVERIFY2(!error, qPrintable(error.value_or(QString())));
    QVERIFY(m_engine->isRunning());
    QCOMPARE(logLinesContaining(QStringLiteral(
                 "without authentication: anyone who can reach this port can use the proxy")),
             1);
}

void TestProxyAuthentication::startsOnNetworkAddressWithCredentials()
{
    g_log.clear();
    ProxySettings settings = test::directSettings(QStringLiteral("0.0.0.0:0"));
    settings.authUser = kUser;
    settings.authPassword = kPassword;
    const auto error = test::startProxy(*m_engine, settings);
    QVERIFY2(!error, qPrintable(error.value_or(QString())));
    QCOMPARE(logLinesContaining(QStringLiteral("clients must log in")), 1);
    QCOMPARE(logLinesContaining(QStringLiteral("without authentication")), 0);

    // Loopback clients of a LAN listener log in too.
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, portOf(*m_engine));
    QVERIFY(client.waitForConnected(5000));
    client.write(bytes({5, 1, 0}));
    QCOMPARE(readBytes(client, 2), bytes({5, 0xff}));
}

void TestProxyAuthentication::refusesInvalidCredentials()
{
    ProxySettings settings = test::directSettings(QStringLiteral("0.0.0.0:0"));
    settings.authUser = kUser;
    const auto error = test::startProxy(*m_engine, settings);
    QVERIFY(error);
    QVERIFY2(error->contains(QStringLiteral("both a user name and a password")),
             qPrintable(*error));
    QVERIFY(!m_engine->isRunning());
}

void TestProxyAuthentication::socks5ClientWithRightPasswordReachesTheOrigin()
{
    startWithCredentials();
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, portOf(*m_engine));
    QVERIFY(client.waitForConnected(5000));
    client.write(bytes({5, 2, 0, 2}));
    QCOMPARE(readBytes(client, 2), bytes({5, 2}));
    client.write(socksLogin(kUser, kPassword));
    QCOMPARE(readBytes(client, 2), bytes({1, 0}));
    client.write(socksConnect(m_origin.serverPort()));
    QCOMPARE(readBytes(client, 10), bytes({5, 0, 0, 1, 0, 0, 0, 0, 0, 0}));
    client.write("ping");
    QVERIFY(QTest::qWaitFor([&] { return m_origin.hasPendingConnections(); }, 10000));
    std::unique_ptr<QTcpSocket> accepted(m_origin.nextPendingConnection());
    QCOMPARE(readBytes(*accepted, 4), QByteArray("ping"));
}

void TestProxyAuthentication::socks5ClientWithWrongPasswordNeverReachesTheOrigin_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::newRow("wrong password") << kUser << kPassword + u'x';
    QTest::newRow("wrong user") << QStringLiteral("bob") << kPassword;
}

void TestProxyAuthentication::socks5ClientWithWrongPasswordNeverReachesTheOrigin()
{
    QFETCH(QString, user);
    QFETCH(QString, password);
    startWithCredentials();
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, portOf(*m_engine));
    QVERIFY(client.waitForConnected(5000));
    // The whole handshake in one write: the request after a failed login is never served.
    client.write(bytes({5, 1, 2}) + socksLogin(user, password) +
                 socksConnect(m_origin.serverPort()) + "ping");
    QCOMPARE(readBytes(client, 5), bytes({5, 2, 1, 1}));
    QVERIFY(waitForClose(client));
    QVERIFY(!m_origin.hasPendingConnections());
}

void TestProxyAuthentication::socks5ClientWithoutAuthMethodIsRefused()
{
    startWithCredentials();
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, portOf(*m_engine));
    QVERIFY(client.waitForConnected(5000));
    client.write(bytes({5, 1, 0}) + socksConnect(m_origin.serverPort()));
    QCOMPARE(readBytes(client, 3), bytes({5, 0xff}));
    QVERIFY(waitForClose(client));
    QVERIFY(!m_origin.hasPendingConnections());
}

void TestProxyAuthentication::httpClientWithRightPasswordReachesTheOrigin()
{
    startWithCredentials();
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, portOf(*m_engine));
    QVERIFY(client.waitForConnected(5000));
    const QByteArray authorization = (kUser + u':' + kPassword).toUtf8().toBase64();
    client.write("GET http://127.0.0.1:" + QByteArray::number(m_origin.serverPort()) +
                 "/x HTTP/1.1\r\nProxy-Authorization: Basic " + authorization + "\r\n\r\n");
    QVERIFY(QTest::qWaitFor([&] { return m_origin.hasPendingConnections(); }, 10000));
    std::unique_ptr<QTcpSocket> accepted(m_origin.nextPendingConnection());
    const QByteArray expected =
        "GET /x HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_origin.serverPort()) +
        "\r\n\r\n";
    // The credentials are for the proxy and never go on to the origin.
    QCOMPARE(readBytes(*accepted, expected.size()), expected);
}

void TestProxyAuthentication::httpClientWithoutPasswordGets407()
{
    startWithCredentials();
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, portOf(*m_engine));
    QVERIFY(client.waitForConnected(5000));
    client.write("CONNECT 127.0.0.1:" + QByteArray::number(m_origin.serverPort()) +
                 " HTTP/1.1\r\n\r\n");
    QVERIFY(waitForClose(client));
    const QByteArray response = client.readAll();
    QVERIFY2(response.startsWith("HTTP/1.1 407 Proxy Authentication Required\r\n"),
             response.constData());
    QVERIFY(response.contains("\r\nProxy-Authenticate: Basic realm=\"ech-workers\"\r\n"));
    QVERIFY(!m_origin.hasPendingConnections());
}

void TestProxyAuthentication::neverLogsThePassword()
{
    // Every test before this one ran with debug logging on; wrong and right logins included.
    QVERIFY(g_fullLog.size() > 0);
    for (const QString& line : g_fullLog)
        QVERIFY2(!line.contains(kPassword), qPrintable(line));
}

QTEST_GUILESS_MAIN(TestProxyAuthentication)
#include "tst_proxyauthentication.moc"
