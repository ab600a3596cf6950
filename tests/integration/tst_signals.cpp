// Stopping by signal, again and again, while traffic flows: the real client (default engine
// threads, direct and tunnelled transfers, names resolved on the way) and the real server get
// SIGTERM, SIGINT or SIGHUP, once or twice in a row, in the middle of downloads. Every stop
// must be a clean exit with code 0: no crash, no death by the signal itself.
//
// ECHW_SIGNAL_STOPS sets how many client stops the test makes (default 30; the long run in
// docs/ARCHITECTURE.md uses hundreds).
#include "ProcessFixture.h"
#include "TestHelpers.h"

#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>
#include <vector>

using namespace echw::test;
using namespace std::chrono_literals;

namespace {

const QString kPublicName = QStringLiteral("signals.test");
constexpr int kSignals[] = {SIGTERM, SIGINT, SIGHUP};
constexpr int kDownloadsPerStop = 3;

QString signalName(int number)
{
    return number == SIGTERM
               ? QStringLiteral("SIGTERM")
               : (number == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGHUP"));
}

} // namespace

class TestSignals : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void theClientStopsCleanlyOnEverySignalDuringTransfers();
    void theServerStopsCleanlyOnEverySignalDuringTransfers();

private:
    std::unique_ptr<ServiceProcess> startServer();
    std::unique_ptr<ServiceProcess> startClient(quint16 serverPort, bool tunnel,
                                                bool singleLoop = false);
    // Downloads through the proxy at `proxyPort` that have begun to arrive.
    std::vector<std::unique_ptr<QTcpSocket>> startDownloads(quint16 proxyPort);

    QTemporaryDir m_dir;
    std::unique_ptr<ServiceProcess> m_origin;
    quint16 m_originPort = 0;
    QString m_certificate;
};

void TestSignals::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_origin = std::make_unique<ServiceProcess>(QStringLiteral(ECHW_ORIGIN_BIN), QStringList());
    m_originPort = m_origin->waitForPort(30s);
    QVERIFY(m_originPort != 0);
}

void TestSignals::cleanupTestCase()
{
    m_origin.reset();
}

std::unique_ptr<ServiceProcess> TestSignals::startServer()
{
    auto server = std::make_unique<ServiceProcess>(
        QStringLiteral(ECHW_SERVER_BIN),
        QStringList{QStringLiteral("-l"), QStringLiteral("127.0.0.1:0"), QStringLiteral("-doh"),
                    QStringLiteral("-allow-internal-targets"), QStringLiteral("-public-name"),
                    kPublicName, QStringLiteral("-state"),
                    m_dir.filePath(QStringLiteral("server"))});
    if (server->waitForPort(30s) == 0)
        return server;
    static const QRegularExpression certificate(QStringLiteral("^certificate (.+)$"),
                                                QRegularExpression::MultilineOption);
    m_certificate = certificate.match(server->output()).captured(1).trimmed();
    return server;
}

std::unique_ptr<ServiceProcess> TestSignals::startClient(quint16 serverPort, bool tunnel,
                                                         bool singleLoop)
{
    // The worker is named either way (the flag is required); routing none leaves it unused.
    QStringList arguments{QStringLiteral("-l"),
                          QStringLiteral("127.0.0.1:0"),
                          QStringLiteral("-routing"),
                          tunnel ? QStringLiteral("global") : QStringLiteral("none"),
                          QStringLiteral("-f"),
                          QStringLiteral("localhost:%1").arg(serverPort),
                          QStringLiteral("-dns"),
                          QStringLiteral("https://127.0.0.1:%1/dns-query").arg(serverPort),
                          QStringLiteral("-ech"),
                          kPublicName,
                          QStringLiteral("-ca"),
                          m_certificate};
    if (singleLoop)
        arguments << QStringLiteral("-threads") << QStringLiteral("1");
    return std::make_unique<ServiceProcess>(
        QStringLiteral(ECHW_CLIENT_BIN), arguments,
        QStringList{QStringLiteral("XDG_CACHE_HOME=") + m_dir.filePath(QStringLiteral("cache")),
                    QStringLiteral("XDG_DATA_HOME=") + m_dir.filePath(QStringLiteral("data"))});
}

std::vector<std::unique_ptr<QTcpSocket>> TestSignals::startDownloads(quint16 proxyPort)
{
    std::vector<std::unique_ptr<QTcpSocket>> downloads;
    for (int i = 0; i < kDownloadsPerStop; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, proxyPort);
        // By name: the proxy resolves it (a lookup on one of its threads) or the worker does.
        socket->write(socks5ConnectRequest("localhost", m_originPort));
        socket->write("GET /bytes/500000000 HTTP/1.1\r\nHost: localhost\r\n\r\n");
        downloads.push_back(std::move(socket));
    }
    // Greeting reply, CONNECT reply, then body bytes: well into the transfer.
    for (auto& socket : downloads)
        static_cast<void>(readExactly(*socket, 2 + 10 + 64 * 1024, 20s));
    return downloads;
}

void TestSignals::theClientStopsCleanlyOnEverySignalDuringTransfers()
{
    auto server = startServer();
    QVERIFY(server->isRunning() && !m_certificate.isEmpty());
    const quint16 serverPort = server->waitForPort(1s);
    const int stops = qEnvironmentVariableIntValue("ECHW_SIGNAL_STOPS") > 0
                          ? qEnvironmentVariableIntValue("ECHW_SIGNAL_STOPS")
                          : 30;
    int abnormal = 0;
    for (int i = 0; i < stops; ++i) {
        const int signalNumber = kSignals[i % 3];
        const bool tunnel = (i / 3) % 2 == 0;
        const int times = 1 + (i / 6) % 2;
        // Every fourth round of six with one engine thread (-threads 1), the others with one
        // engine thread per core.
        const bool singleLoop = (i / 6) % 4 == 3;
        auto client = startClient(serverPort, tunnel, singleLoop);
        const quint16 proxyPort = client->waitForPort(30s);
        QVERIFY2(proxyPort != 0, qPrintable(client->output()));
        const auto downloads = startDownloads(proxyPort);
        const int exitCode = client->stopWith(signalNumber, times, 30s);
        if (exitCode != 0) {
            ++abnormal;
            qWarning("stop %d (%s x%d, %s, %s): exit %d\n%s", i,
                     qPrintable(signalName(signalNumber)), times, tunnel ? "tunnel" : "direct",
                     singleLoop ? "one engine thread" : "engine threads", exitCode,
                     qPrintable(client->output().left(12000)));
        }
    }
    QCOMPARE(abnormal, 0);
}

void TestSignals::theServerStopsCleanlyOnEverySignalDuringTransfers()
{
    for (int i = 0; i < 6; ++i) {
        const int signalNumber = kSignals[i % 3];
        const int times = 1 + i / 3;
        auto server = startServer();
        const quint16 serverPort = server->waitForPort(1s);
        QVERIFY(serverPort != 0);
        auto client = startClient(serverPort, true);
        const quint16 proxyPort = client->waitForPort(30s);
        QVERIFY(proxyPort != 0);
        const auto downloads = startDownloads(proxyPort);
        QCOMPARE(server->stopWith(signalNumber, times, 30s), 0);
        QVERIFY2(server->output().contains(QStringLiteral("stopping")),
                 qPrintable(server->output().right(2000)));
    }
}

QTEST_GUILESS_MAIN(TestSignals)
#include "tst_signals.moc"
