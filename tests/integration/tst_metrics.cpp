// The headless client with -metrics, driven by real curl through a loopback worker server: the
// scraped counters follow the traffic (accepted connections, refused connects, bytes, tunnel
// set-ups, ECH config lookups), promtool accepts the exposition, the token never appears in
// it, and the endpoint answers 404 and 405 and drops a client that stalls.
#include "ProcessFixture.h"
#include "TestHelpers.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace std::chrono_literals;
using namespace echw::test;

namespace {

// Distinctive, so that any trace of it in the exposition is found.
const QString kToken = QStringLiteral("Tk-metrics-9f3Qz");
const QString kPublicName = QStringLiteral("ech-public.test");
constexpr qsizetype kDownloadSize = 200'000;

// The value of the series (name with its labels, as rendered), or -1 when it is missing.
double valueOf(const QByteArray& exposition, const QByteArray& series)
{
    for (const QByteArray& line : exposition.split('\n')) {
        if (line.startsWith(series + ' '))
            return line.mid(series.size() + 1).toDouble();
    }
    return -1;
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void countsTrafficAndPassesPromtool();
    void answers404And405();
    void dropsAClientThatStallsAtTheDeadline();
    void refusesANetworkAddressUnlessAllowed();

private:
    QStringList curl(const QStringList& arguments) const;
    QByteArray scrape();
    QString metricsUrl(const QString& path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_metricsPort).arg(path);
    }

    QTemporaryDir m_dir;
    std::unique_ptr<ServiceProcess> m_origin;
    std::unique_ptr<ServiceProcess> m_server;
    std::unique_ptr<ServiceProcess> m_client;
    quint16 m_originPort = 0;
    quint16 m_proxyPort = 0;
    quint16 m_metricsPort = 0;
};

void TestMetrics::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_origin = std::make_unique<ServiceProcess>(
        QStringLiteral(ECHW_ORIGIN_BIN),
        QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1")});
    m_originPort = m_origin->waitForPort(20s);
    QVERIFY2(m_originPort != 0, "the origin did not start");

    m_server = std::make_unique<ServiceProcess>(
        QStringLiteral(ECHW_SERVER_BIN),
        QStringList{QStringLiteral("-l"), QStringLiteral("127.0.0.1:0"), QStringLiteral("-token"),
                    kToken, QStringLiteral("-public-name"), kPublicName, QStringLiteral("-state"),
                    m_dir.filePath(QStringLiteral("server")), QStringLiteral("-doh")});
    const quint16 serverPort = m_server->waitForPort(30s);
    QVERIFY2(serverPort != 0, qPrintable(m_server->output()));
    static const QRegularExpression certificateLine(QStringLiteral("^certificate (.+)$"),
                                                    QRegularExpression::MultilineOption);
    const QString certificate = certificateLine.match(m_server->output()).captured(1).trimmed();
    QVERIFY2(!certificate.isEmpty(), qPrintable(m_server->output()));

    // Names go through the tunnel, the loopback address directly: both paths are counted.
    const QString rules = m_dir.filePath(QStringLiteral("rules.txt"));
    QFile file(rules);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("domain:localhost tunnel\ncidr:127.0.0.1/32 direct\n");
    file.close();

    const quint16 metricsPort = closedPort();
    QVERIFY(metricsPort != 0);
    m_client = std::make_unique<ServiceProcess>(
        QStringLiteral(ECHW_CLIENT_BIN),
        QStringList{QStringLiteral("-l"), QStringLiteral("127.0.0.1:0"), QStringLiteral("-f"),
                    QStringLiteral("localhost:%1").arg(serverPort), QStringLiteral("-token"),
                    kToken, QStringLiteral("-dns"),
                    QStringLiteral("https://127.0.0.1:%1/dns-query").arg(serverPort),
                    QStringLiteral("-ech"), kPublicName, QStringLiteral("-ca"), certificate,
                    QStringLiteral("-routing"), QStringLiteral("global"), QStringLiteral("-rules"),
                    rules, QStringLiteral("-metrics"),
                    QStringLiteral("127.0.0.1:%1").arg(metricsPort)},
        QStringList{QStringLiteral("XDG_CACHE_HOME=") + m_dir.filePath(QStringLiteral("cache"))});
    m_proxyPort = m_client->waitForPort(20s);
    QVERIFY2(m_proxyPort != 0, qPrintable(m_client->output()));
    QVERIFY2(m_client->waitForOutput(
                 QStringLiteral("metrics at http://127.0.0.1:%1/metrics").arg(metricsPort), 5s),
             qPrintable(m_client->output()));
    m_metricsPort = metricsPort;
}

void TestMetrics::cleanupTestCase()
{
    if (m_client) {
        QVERIFY2(m_client->isRunning(), "the client died during the tests");
        QCOMPARE(m_client->stop(20s), 0);
    }
}

QStringList TestMetrics::curl(const QStringList& arguments) const
{
    return QStringList{QStringLiteral("-sS"), QStringLiteral("--noproxy"), QString(),
                       QStringLiteral("--max-time"), QStringLiteral("60")} +
           arguments;
}

QByteArray TestMetrics::scrape()
{
    const RunResult result = runProcess(
        QStringLiteral(ECHW_CURL_BIN),
        curl({QStringLiteral("--fail"), QStringLiteral("-D"),
              m_dir.filePath(QStringLiteral("head")), metricsUrl(QStringLiteral("/metrics"))}),
        90s);
    if (result.exitCode != 0)
        qWarning("scrape failed: %s", result.err.constData());
    return result.exitCode == 0 ? result.out : QByteArray();
}

void TestMetrics::countsTrafficAndPassesPromtool()
{
    const QString proxy = QStringLiteral("127.0.0.1:%1").arg(m_proxyPort);
    // Direct, over the HTTP proxy.
    RunResult download = runProcess(
        QStringLiteral(ECHW_CURL_BIN),
        curl({QStringLiteral("--fail"), QStringLiteral("-x"), QStringLiteral("http://") + proxy,
              QStringLiteral("http://127.0.0.1:%1/bytes/%2?seed=3")
                  .arg(m_originPort)
                  .arg(kDownloadSize)}),
        90s);
    QCOMPARE(download.exitCode, 0);
    QCOMPARE(download.out.size(), kDownloadSize);
    // Through the tunnel, over SOCKS5 with the name.
    RunResult hello =
        runProcess(QStringLiteral(ECHW_CURL_BIN),
                   curl({QStringLiteral("--fail"), QStringLiteral("--socks5-hostname"), proxy,
                         QStringLiteral("http://localhost:%1/hello").arg(m_originPort)}),
                   90s);
    QVERIFY2(hello.exitCode == 0, qPrintable(m_client->output()));
    // Direct to a closed port: refused.
    const quint16 closed = closedPort();
    RunResult refused = runProcess(QStringLiteral(ECHW_CURL_BIN),
                                   curl({QStringLiteral("--socks5"), proxy,
                                         QStringLiteral("http://127.0.0.1:%1/").arg(closed)}),
                                   90s);
    QVERIFY(refused.exitCode != 0);

    const QByteArray text = scrape();
    QVERIFY2(!text.isEmpty(), "no exposition");
    QFile head(m_dir.filePath(QStringLiteral("head")));
    QVERIFY(head.open(QIODevice::ReadOnly));
    QVERIFY(head.readAll().contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));

    const double socks5 = valueOf(text, "echw_connections_accepted_total{inbound=\"socks5\"}");
    const double http = valueOf(text, "echw_connections_accepted_total{inbound=\"http\"}");
    QVERIFY2(socks5 >= 2 && http >= 1 && socks5 + http >= 3, text.constData());
    QVERIFY2(valueOf(text, "echw_connect_errors_total{reason=\"refused\"}") >= 1, text.constData());
    QVERIFY2(valueOf(text, "echw_relayed_bytes_total{direction=\"down\",route=\"direct\"}") >=
                 double(kDownloadSize),
             text.constData());
    QVERIFY2(valueOf(text, "echw_relayed_bytes_total{direction=\"down\",route=\"tunnel\"}") > 0,
             text.constData());
    QVERIFY2(valueOf(text, "echw_connections_routed_total{route=\"direct\"}") >= 2,
             text.constData());
    QVERIFY2(valueOf(text, "echw_connections_routed_total{route=\"tunnel\"}") >= 1,
             text.constData());
    QVERIFY2(valueOf(text, "echw_tunnel_setups_total{result=\"ok\"}") >= 1, text.constData());
    QVERIFY2(valueOf(text, "echw_tunnel_setup_duration_seconds_count") >= 1, text.constData());
    QVERIFY2(valueOf(text, "echw_ech_config_fetches_total{result=\"ok\"}") >= 1, text.constData());
    QVERIFY2(valueOf(text, "echw_connect_duration_seconds_count") >= 2, text.constData());
    QVERIFY2(valueOf(text, "echw_routing_decision_duration_seconds_count") >= 3, text.constData());
    QCOMPARE(valueOf(text, "echw_tunnel_pool_ready"), 0.0);
    QVERIFY(text.contains("echw_build_info{version=\""));

    // Neither the token nor any target name or port is a label value.
    QVERIFY(!text.contains(kToken.toUtf8()));
    QVERIFY(!text.contains("localhost"));
    QVERIFY(!text.contains(QByteArray::number(m_originPort)));

    const QString promtool = QStringLiteral(ECHW_PROMTOOL_BIN);
    QVERIFY2(QFileInfo(promtool).isExecutable(),
             "promtool not found: scripts/bootstrap.sh puts it in third_party/promtool (from the "
             "Debian package prometheus); re-run cmake after it");
    QFile scraped(m_dir.filePath(QStringLiteral("scrape.txt")));
    QVERIFY(scraped.open(QIODevice::WriteOnly));
    scraped.write(text);
    scraped.close();
    QProcess check;
    check.setStandardInputFile(scraped.fileName());
    check.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
    QVERIFY(check.waitForFinished(60'000));
    const QByteArray verdict = check.readAllStandardOutput() + check.readAllStandardError();
    QVERIFY2(check.exitStatus() == QProcess::NormalExit && check.exitCode() == 0,
             verdict.constData());
    QVERIFY2(verdict.trimmed().isEmpty(), verdict.constData());
}

void TestMetrics::answers404And405()
{
    const auto status = [this](const QStringList& arguments) {
        return runProcess(QStringLiteral(ECHW_CURL_BIN),
                          curl(QStringList{QStringLiteral("-o"), QStringLiteral("/dev/null"),
                                           QStringLiteral("-w"), QStringLiteral("%{http_code}")} +
                               arguments),
                          90s)
            .out;
    };
    QCOMPARE(status({metricsUrl(QStringLiteral("/"))}), QByteArray("404"));
    QCOMPARE(status({metricsUrl(QStringLiteral("/metrics/x"))}), QByteArray("404"));
    QCOMPARE(status({QStringLiteral("-X"), QStringLiteral("POST"),
                     metricsUrl(QStringLiteral("/metrics"))}),
             QByteArray("405"));
    QCOMPARE(status({metricsUrl(QStringLiteral("/metrics"))}), QByteArray("200"));
}

void TestMetrics::dropsAClientThatStallsAtTheDeadline()
{
    QTcpSocket slow;
    slow.connectToHost(QHostAddress::LocalHost, m_metricsPort);
    QVERIFY(slow.waitForConnected(5000));
    QElapsedTimer timer;
    timer.start();
    slow.write("GET /metrics HTTP/1.1\r\nHost: x\r\n");
    QVERIFY(slow.waitForBytesWritten(5000));
    const QByteArray answer = readUntilClosed(slow, 20s);
    QVERIFY2(slow.state() == QAbstractSocket::UnconnectedState, "still open after 20 s");
    QVERIFY(answer.isEmpty());
    QVERIFY2(timer.elapsed() >= 4'000, qPrintable(QString::number(timer.elapsed())));
    // The endpoint still serves.
    QVERIFY(!scrape().isEmpty());
}

void TestMetrics::refusesANetworkAddressUnlessAllowed()
{
    const RunResult result = runProcess(QStringLiteral(ECHW_CLIENT_BIN),
                                        {QStringLiteral("-l"), QStringLiteral("127.0.0.1:0"),
                                         QStringLiteral("-f"), QStringLiteral("x.example:443"),
                                         QStringLiteral("-routing"), QStringLiteral("none"),
                                         QStringLiteral("-metrics"), QStringLiteral("0.0.0.0:0")},
                                        30s);
    QVERIFY(result.exitCode != 0);
    QVERIFY2(result.err.contains("-metrics-allow-lan"), result.err.constData());
}

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
