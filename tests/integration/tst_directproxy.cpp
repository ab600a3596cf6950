// The headless client in routing mode none, driven by real curl and raw sockets against the
// loopback origin: every byte must arrive unchanged over SOCKS5 and the HTTP proxy.
#include "DeterministicContent.h"
#include "ProcessFixture.h"
#include "TestHelpers.h"

#include <QCryptographicHash>
#include <QFile>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <sys/socket.h>

using namespace std::chrono_literals;
using namespace echw::test;

namespace {

constexpr quint64 kLargeSize = 100ull * 1024 * 1024;
constexpr auto kCurlTimeout = 180s;

} // namespace

class TestDirectProxy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void downloadsLargeBodyByteIdentical_data();
    void downloadsLargeBodyByteIdentical();
    void uploadsLargeBodyByteIdentical_data();
    void uploadsLargeBodyByteIdentical();
    void streamsChunkedUploadThroughHttpProxy();
    void rewritesEveryRequestOfKeepAliveConnectionAcrossHosts();
    void reachesIpv6LiteralTargets_data();
    void reachesIpv6LiteralTargets();
    void carriesHalfCloseBothWays();
    void repliesRefusedForClosedPort();
    void repliesHostUnreachableForUnknownName();
    void answersHttpErrorsForBadTargets();
    void servesGoodClientWhileGarbageArrives();
    void rejectsBadFlagWithExitCode2();

private:
    QStringList curlBase() const;

    QTemporaryDir m_dir;
    std::unique_ptr<ServiceProcess> m_origin;
    std::unique_ptr<ServiceProcess> m_client;
    quint16 m_originPort = 0;
    quint16 m_proxyPort = 0;
    QString m_uploadFile;
    QString m_uploadSha;
};

void TestDirectProxy::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_origin = std::make_unique<ServiceProcess>(
        QStringLiteral(ECHW_ORIGIN_BIN),
        QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1"),
                    QStringLiteral("--listen"), QStringLiteral("::1")});
    m_originPort = m_origin->waitForPort(20s);
    QVERIFY2(m_originPort != 0, "the origin did not start");

    m_client =
        std::make_unique<ServiceProcess>(QStringLiteral(ECHW_CLIENT_BIN), directClientArguments());
    m_proxyPort = m_client->waitForPort(20s);
    QVERIFY2(m_proxyPort != 0, qPrintable(m_client->output()));

    m_uploadFile = m_dir.filePath(QStringLiteral("upload.bin"));
    QVERIFY(echw::test::writeContentFile(m_uploadFile, 42, kLargeSize));
    m_uploadSha = QString::fromLatin1(echw::test::contentSha256Hex(42, kLargeSize));
}

void TestDirectProxy::cleanupTestCase()
{
    if (m_client) {
        QVERIFY2(m_client->isRunning(), "the client died during the tests");
        QCOMPARE(m_client->stop(20s), 0);
    }
}

QStringList TestDirectProxy::curlBase() const
{
    return {QStringLiteral("-sS"),        QStringLiteral("--fail"),
            QStringLiteral("--noproxy"),  QString(),
            QStringLiteral("--max-time"), QStringLiteral("170")};
}

void TestDirectProxy::downloadsLargeBodyByteIdentical_data()
{
    QTest::addColumn<QStringList>("proxyArguments");
    QTest::addColumn<QString>("host");
    const QString proxy = QStringLiteral("127.0.0.1:%1").arg(m_proxyPort);
    QTest::newRow("socks5, proxy gets an address")
        << QStringList{QStringLiteral("--socks5"), proxy} << QStringLiteral("127.0.0.1");
    QTest::newRow("socks5, proxy resolves the name")
        << QStringList{QStringLiteral("--socks5-hostname"), proxy} << QStringLiteral("localhost");
    QTest::newRow("http proxy, absolute form")
        << QStringList{QStringLiteral("-x"), QStringLiteral("http://") + proxy}
        << QStringLiteral("127.0.0.1");
    QTest::newRow("http proxy, CONNECT") << QStringList{QStringLiteral("-p"), QStringLiteral("-x"),
                                                        QStringLiteral("http://") + proxy}
                                         << QStringLiteral("localhost");
}

void TestDirectProxy::downloadsLargeBodyByteIdentical()
{
    QFETCH(QStringList, proxyArguments);
    QFETCH(QString, host);
    const QString out = m_dir.filePath(QStringLiteral("download.bin"));
    QFile::remove(out);
    const auto result = runProcess(QStringLiteral(ECHW_CURL_BIN),
                                   curlBase() + proxyArguments +
                                       QStringList{QStringLiteral("-o"), out,
                                                   QStringLiteral("http://%1:%2/bytes/%3?seed=7")
                                                       .arg(host)
                                                       .arg(m_originPort)
                                                       .arg(kLargeSize)},
                                   kCurlTimeout);
    QVERIFY2(result.exitCode == 0, result.err.constData());
    QCOMPARE(QFileInfo(out).size(), qint64(kLargeSize));
    QCOMPARE(sha256OfFile(out), QString::fromLatin1(echw::test::contentSha256Hex(7, kLargeSize)));
}

void TestDirectProxy::uploadsLargeBodyByteIdentical_data()
{
    downloadsLargeBodyByteIdentical_data();
}

void TestDirectProxy::uploadsLargeBodyByteIdentical()
{
    QFETCH(QStringList, proxyArguments);
    QFETCH(QString, host);
    const auto result = runProcess(
        QStringLiteral(ECHW_CURL_BIN),
        curlBase() + proxyArguments +
            QStringList{QStringLiteral("--data-binary"), QLatin1Char('@') + m_uploadFile,
                        QStringLiteral("http://%1:%2/sha256").arg(host).arg(m_originPort)},
        kCurlTimeout);
    QVERIFY2(result.exitCode == 0, result.err.constData());
    QCOMPARE(QString::fromLatin1(result.out.trimmed()),
             QStringLiteral("%1 %2").arg(kLargeSize).arg(m_uploadSha));
}

void TestDirectProxy::streamsChunkedUploadThroughHttpProxy()
{
    const auto result = runProcess(
        QStringLiteral(ECHW_CURL_BIN),
        curlBase() + QStringList{QStringLiteral("-x"),
                                 QStringLiteral("http://127.0.0.1:%1").arg(m_proxyPort),
                                 QStringLiteral("-H"), QStringLiteral("Transfer-Encoding: chunked"),
                                 QStringLiteral("--data-binary"), QLatin1Char('@') + m_uploadFile,
                                 QStringLiteral("http://127.0.0.1:%1/sha256").arg(m_originPort)},
        kCurlTimeout);
    QVERIFY2(result.exitCode == 0, result.err.constData());
    QCOMPARE(QString::fromLatin1(result.out.trimmed()),
             QStringLiteral("%1 %2").arg(kLargeSize).arg(m_uploadSha));
}

void TestDirectProxy::rewritesEveryRequestOfKeepAliveConnectionAcrossHosts()
{
    // Three requests on one proxy connection: two hosts, then back to the first.
    const QString first = QStringLiteral("http://127.0.0.1:%1/echo-headers").arg(m_originPort);
    const QString second = QStringLiteral("http://localhost:%1/echo-headers").arg(m_originPort);
    const auto result = runProcess(
        QStringLiteral(ECHW_CURL_BIN),
        curlBase() + QStringList{QStringLiteral("-x"),
                                 QStringLiteral("http://127.0.0.1:%1").arg(m_proxyPort),
                                 QStringLiteral("-H"),
                                 QStringLiteral("Proxy-Connection: keep-alive"),
                                 QStringLiteral("-w"), QStringLiteral("connects=%{num_connects}\n"),
                                 first, second, first},
        60s);
    QVERIFY2(result.exitCode == 0, result.err.constData());
    const QString out = QString::fromUtf8(result.out);
    // curl opened one connection (to the proxy) and reused it for the next two requests.
    QCOMPARE(out.count(QStringLiteral("connects=1")), 1);
    QCOMPARE(out.count(QStringLiteral("connects=0")), 2);
    // Each request reached the origin in origin form with its own Host and no Proxy-* header.
    QCOMPARE(out.count(QStringLiteral("GET /echo-headers HTTP/1.1\r\n")), 3);
    QCOMPARE(out.count(QStringLiteral("\r\nHost: 127.0.0.1:%1\r\n").arg(m_originPort)), 2);
    QCOMPARE(out.count(QStringLiteral("\r\nHost: localhost:%1\r\n").arg(m_originPort)), 1);
    QVERIFY(!out.contains(QStringLiteral("Proxy-"), Qt::CaseInsensitive));
    QVERIFY(!out.contains(QStringLiteral("http://")));
}

void TestDirectProxy::reachesIpv6LiteralTargets_data()
{
    QTest::addColumn<QStringList>("proxyArguments");
    const QString proxy = QStringLiteral("127.0.0.1:%1").arg(m_proxyPort);
    QTest::newRow("socks5") << QStringList{QStringLiteral("--socks5"), proxy};
    QTest::newRow("http proxy") << QStringList{QStringLiteral("-x"),
                                               QStringLiteral("http://") + proxy};
    QTest::newRow("http CONNECT") << QStringList{QStringLiteral("-p"), QStringLiteral("-x"),
                                                 QStringLiteral("http://") + proxy};
}

void TestDirectProxy::reachesIpv6LiteralTargets()
{
    QFETCH(QStringList, proxyArguments);
    const auto result =
        runProcess(QStringLiteral(ECHW_CURL_BIN),
                   curlBase() + proxyArguments +
                       QStringList{QStringLiteral("-g"),
                                   QStringLiteral("http://[::1]:%1/hello").arg(m_originPort)},
                   30s);
    QVERIFY2(result.exitCode == 0, result.err.constData());
    QCOMPARE(result.out, QStringLiteral("hello from [::1]:%1\n").arg(m_originPort).toUtf8());
}

void TestDirectProxy::carriesHalfCloseBothWays()
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_proxyPort);
    QVERIFY(socket.waitForConnected(5000));
    socket.write(socks5ConnectRequest("127.0.0.1", m_originPort));
    QCOMPARE(readExactly(socket, 2), QByteArray("\x05\x00", 2));
    QCOMPARE(readExactly(socket, 10), QByteArray("\x05\x00\x00\x01\0\0\0\0\0\0", 10));

    const QByteArray payload = echw::test::content(3, 0, 3 * 1024 * 1024 + 17);
    socket.write("SINK\n");
    socket.write(payload);
    while (socket.bytesToWrite() > 0)
        QVERIFY(socket.waitForBytesWritten(10000));
    // Our direction ends; the origin only answers after seeing that EOF through the proxy.
    QCOMPARE(::shutdown(int(socket.socketDescriptor()), SHUT_WR), 0);
    const QByteArray summary = readUntilClosed(socket, 30s);
    const QByteArray expected =
        QByteArray::number(payload.size()) + ' ' +
        QCryptographicHash::hash(payload, QCryptographicHash::Sha256).toHex() + '\n';
    QCOMPARE(summary, expected);
}

void TestDirectProxy::repliesRefusedForClosedPort()
{
    const quint16 closedPort = echw::test::closedPort();
    QVERIFY(closedPort != 0);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_proxyPort);
    QVERIFY(socket.waitForConnected(5000));
    socket.write(socks5ConnectRequest("127.0.0.1", closedPort));
    QCOMPARE(readExactly(socket, 2), QByteArray("\x05\x00", 2));
    const QByteArray reply = readExactly(socket, 10);
    QCOMPARE(reply.size(), 10);
    QCOMPARE(int(reply.at(1)), 0x05);
    readUntilClosed(socket);
    QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
}

void TestDirectProxy::repliesHostUnreachableForUnknownName()
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_proxyPort);
    QVERIFY(socket.waitForConnected(5000));
    // RFC 6761: .invalid never resolves.
    socket.write(socks5ConnectRequest("no-such-host.invalid", 80));
    QCOMPARE(readExactly(socket, 2), QByteArray("\x05\x00", 2));
    const QByteArray reply = readExactly(socket, 10, 30s);
    QCOMPARE(reply.size(), 10);
    QCOMPARE(int(reply.at(1)), 0x04);
}

void TestDirectProxy::answersHttpErrorsForBadTargets()
{
    struct Case {
        QByteArray request;
        QByteArray statusLine;
    };
    // A refused port rather than an unknown name: a slow resolver would make that a 504.
    const QByteArray refused = "127.0.0.1:" + QByteArray::number(closedPort());
    const QList<Case> cases = {
        {"GET http://" + refused + "/ HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 502 Bad Gateway\r\n"},
        {"CONNECT " + refused + " HTTP/1.1\r\n\r\n", "HTTP/1.1 502 Bad Gateway\r\n"},
        {"GET /relative HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n"},
        {"PURGE http://a.example/ HTTP/1.1\r\n\r\n", "HTTP/1.1 405 Method Not Allowed\r\n"},
        // Any method the proxy does not know, whatever its first letter, and one in lower case
        // (methods are case-sensitive): 405, not a silent close.
        {"BREW http://a.example/ HTTP/1.1\r\n\r\n", "HTTP/1.1 405 Method Not Allowed\r\n"},
        {"FOO / HTTP/1.1\r\n\r\n", "HTTP/1.1 405 Method Not Allowed\r\n"},
        {"get http://a.example/ HTTP/1.1\r\n\r\n", "HTTP/1.1 405 Method Not Allowed\r\n"},
        // Not a proxy protocol at all (a TLS ClientHello): closed without a reply.
        {QByteArray("\x16\x03\x01\x00\x05hello", 10), ""},
    };
    for (const Case& c : cases) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_proxyPort);
        QVERIFY(socket.waitForConnected(5000));
        socket.write(c.request);
        const QByteArray response = readUntilClosed(socket, 30s);
        QVERIFY2(response.startsWith(c.statusLine), c.request.constData());
        if (c.statusLine.isEmpty())
            QVERIFY(response.isEmpty());
    }
}

void TestDirectProxy::servesGoodClientWhileGarbageArrives()
{
    const QString out = m_dir.filePath(QStringLiteral("during-garbage.bin"));
    QProcess curl;
    curl.start(QStringLiteral(ECHW_CURL_BIN),
               curlBase() + QStringList{QStringLiteral("--socks5-hostname"),
                                        QStringLiteral("127.0.0.1:%1").arg(m_proxyPort),
                                        QStringLiteral("--limit-rate"), QStringLiteral("20M"),
                                        QStringLiteral("-o"), out,
                                        QStringLiteral("http://localhost:%1/bytes/%2?seed=9")
                                            .arg(m_originPort)
                                            .arg(kLargeSize / 4)});
    QVERIFY(curl.waitForStarted(5000));

    // Garbage of every first-byte flavour: random, SOCKS5-looking, HTTP-looking.
    QRandomGenerator random(1234);
    for (int i = 0; i < 300 && curl.state() == QProcess::Running; ++i) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_proxyPort);
        QVERIFY(socket.waitForConnected(5000));
        QByteArray junk(int(random.bounded(1, 2048)), Qt::Uninitialized);
        for (char& c : junk)
            c = char(random.bounded(256));
        if (i % 3 == 1)
            junk[0] = 0x05;
        else if (i % 3 == 2)
            junk.prepend("GET ");
        socket.write(junk);
        socket.waitForBytesWritten(1000);
        socket.abort();
    }
    QVERIFY(curl.waitForFinished(int(std::chrono::milliseconds(kCurlTimeout).count())));
    QCOMPARE(curl.exitCode(), 0);
    QCOMPARE(sha256OfFile(out),
             QString::fromLatin1(echw::test::contentSha256Hex(9, kLargeSize / 4)));
    QVERIFY(m_client->isRunning());

    // And the proxy still serves a fresh client.
    const auto after = runProcess(
        QStringLiteral(ECHW_CURL_BIN),
        curlBase() + QStringList{QStringLiteral("-x"),
                                 QStringLiteral("http://127.0.0.1:%1").arg(m_proxyPort),
                                 QStringLiteral("http://127.0.0.1:%1/hello").arg(m_originPort)},
        30s);
    QCOMPARE(after.exitCode, 0);
    QCOMPARE(after.out, QStringLiteral("hello from 127.0.0.1:%1\n").arg(m_originPort).toUtf8());
}

void TestDirectProxy::rejectsBadFlagWithExitCode2()
{
    const auto result = runProcess(QStringLiteral(ECHW_CLIENT_BIN),
                                   {QStringLiteral("-f"), QStringLiteral("x.example:443"),
                                    QStringLiteral("-routing"), QStringLiteral("sideways")},
                                   10s);
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains("-routing"));
    QCOMPARE(result.err.count('\n'), 1);
}

QTEST_GUILESS_MAIN(TestDirectProxy)
#include "tst_directproxy.moc"
