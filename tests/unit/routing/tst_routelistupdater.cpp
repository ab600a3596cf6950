// RouteListUpdater against a plain HTTP server on loopback: a good download replaces the lists,
// and every kind of bad one (error status, empty, HTML, bad line, too few ranges, truncated,
// oversized, cut short, too slow) leaves the files exactly as they were.
#include "DohTestServer.h"
#include "ScopedEnvironment.h"
#include "routing/RouteListUpdater.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;
using namespace std::chrono_literals;

namespace {

QByteArray bundledList(const QString& name)
{
    QFile file(QFINDTESTDATA(QStringLiteral("../../../resources/china-ip-list/") + name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read the bundled list %s", qPrintable(name));
    return file.readAll();
}

QByteArray fileContent(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("(missing)");
}

void writeFile(const QString& path, const QByteArray& content)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
}

// As the updater will count them (IpRangeSet's own tests cover the counting).
template <typename Set = Ipv4RangeSet> QString rangeCount(const QByteArray& list)
{
    const auto parsed = Set::parse(list, QStringLiteral("list"));
    return QString::number(std::get<Set>(parsed).rangeCount());
}

QByteArray firstLines(const QByteArray& text, int count)
{
    qsizetype end = 0;
    for (int i = 0; i < count; ++i)
        end = text.indexOf('\n', end) + 1;
    return text.left(end);
}

// HTTP/1.1, one request per connection, answers by path; over TLS when given a certificate.
class ListServer : public QTcpServer {
public:
    enum class Mode {
        Complete,        // Content-Length and the whole body
        Chunked,         // chunked transfer coding: no length known in advance
        ChunkedCutShort, // chunked, closed after half of the chunks without the last chunk
        CutShort,        // announces twice the body, sends it, then closes
        Silent,          // reads the request and never answers
    };
    struct Response {
        int status = 200;
        QByteArray body;
        Mode mode = Mode::Complete;
    };

    QHash<QByteArray, Response> responses;
    QList<QByteArray> requestedPaths;
    std::optional<CertificatePair> tls;

    QUrl url(const char* path) const
    {
        return QUrl(QStringLiteral("%1://127.0.0.1:%2%3")
                        .arg(tls ? QStringLiteral("https") : QStringLiteral("http"),
                             QString::number(serverPort()), QLatin1StringView(path)));
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        QTcpSocket* socket = tls ? new QSslSocket(this) : new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        if (auto* secure = qobject_cast<QSslSocket*>(socket)) {
            secure->setLocalCertificate(QSslCertificate(tls->certificatePem, QSsl::Pem));
            secure->setPrivateKey(QSslKey(tls->privateKeyPem, QSsl::Ec, QSsl::Pem));
            secure->startServerEncryption();
        }
        auto request = std::make_shared<QByteArray>();
        connect(socket, &QTcpSocket::readyRead, this, [this, socket, request] {
            *request += socket->readAll();
            if (!request->contains("\r\n\r\n"))
                return;
            const QByteArray path = request->left(request->indexOf("\r\n")).split(' ').value(1);
            request->clear();
            respond(socket, path);
        });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }

private:
    void respond(QTcpSocket* socket, const QByteArray& path)
    {
        requestedPaths.append(path);
        const Response response = responses.value(path, Response{404, "no such list\n"});
        if (response.mode == Mode::Silent)
            return;
        QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) +
                          (response.status == 200 ? " OK" : " Failed") +
                          "\r\nContent-Type: text/plain\r\nConnection: close\r\n";
        QByteArray payload = response.body;
        switch (response.mode) {
        case Mode::Complete:
            head += "Content-Length: " + QByteArray::number(payload.size()) + "\r\n";
            break;
        case Mode::CutShort:
            head += "Content-Length: " + QByteArray::number(payload.size() * 2) + "\r\n";
            break;
        case Mode::Chunked:
        case Mode::ChunkedCutShort: {
            head += "Transfer-Encoding: chunked\r\n";
            payload.clear();
            const qsizetype end =
                response.mode == Mode::Chunked ? response.body.size() : response.body.size() / 2;
            for (qsizetype at = 0; at < end; at += 16 * 1024) {
                const QByteArray chunk = response.body.mid(at, 16 * 1024);
                payload += QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n";
            }
            if (response.mode == Mode::Chunked)
                payload += "0\r\n\r\n";
            break;
        }
        case Mode::Silent:
            break;
        }
        socket->write(head + "\r\n" + payload);
        socket->disconnectFromHost();
    }
};

struct Outcome {
    bool updated = false;
    QString message;
};

} // namespace

Q_DECLARE_METATYPE(ListServer::Mode)

class TestRouteListUpdater : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void replacesWithGoodLists();
    void replacesAnUnusableCurrentList();
    void createsTheTargetDirectory();
    void updatesIpv4Only();
    void keepsListsOnBadDownloads_data();
    void keepsListsOnBadDownloads();
    void reportsWriteFailures();
    void refusesPlainHttp_data();
    void refusesPlainHttp();
    void runsOneUpdateAtATime();
    void destroyingCancels();
    void downloadsOverHttpsTrustingSslCertFile();

private:
    RouteListUpdaterOptions options() const;
    // Runs the update to its end; nullopt (after a failed check) when finished() never came.
    std::optional<Outcome> run(RouteListUpdater& updater);
    void serveBundledLists();
    void installBundledLists();
    QString target(const QString& name) const { return QDir(m_dir->path()).filePath(name); }

    QByteArray m_ipv4;
    QByteArray m_ipv6;
    std::unique_ptr<ListServer> m_server;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestRouteListUpdater::initTestCase()
{
    m_ipv4 = bundledList(QStringLiteral("chn_ip.txt"));
    m_ipv6 = bundledList(QStringLiteral("chn_ip_v6.txt"));
}

void TestRouteListUpdater::init()
{
    m_server = std::make_unique<ListServer>();
    QVERIFY(m_server->listen(QHostAddress::LocalHost));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestRouteListUpdater::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

RouteListUpdaterOptions TestRouteListUpdater::options() const
{
    RouteListUpdaterOptions options;
    options.ipv4Url = m_server->url("/chn_ip.txt");
    options.ipv6Url = m_server->url("/chn_ip_v6.txt");
    options.targetDirectory = m_dir->path();
    options.timeout = 10s;
    options.allowLoopbackHttp = true;
    return options;
}

std::optional<Outcome> TestRouteListUpdater::run(RouteListUpdater& updater)
{
    QSignalSpy finished(&updater, &RouteListUpdater::finished);
    [&] {
        QVERIFY(updater.start());
        QVERIFY(updater.isRunning());
        QVERIFY(finished.wait(20'000));
        QCOMPARE(finished.size(), 1);
        QVERIFY(!updater.isRunning());
    }();
    if (QTest::currentTestFailed())
        return std::nullopt;
    return Outcome{finished[0][0].toBool(), finished[0][1].toString()};
}

void TestRouteListUpdater::serveBundledLists()
{
    m_server->responses[QByteArrayLiteral("/chn_ip.txt")] = {200, m_ipv4};
    m_server->responses[QByteArrayLiteral("/chn_ip_v6.txt")] = {200, m_ipv6};
}

void TestRouteListUpdater::installBundledLists()
{
    writeFile(target(QStringLiteral("chn_ip.txt")), m_ipv4);
    writeFile(target(QStringLiteral("chn_ip_v6.txt")), m_ipv6);
}

void TestRouteListUpdater::replacesWithGoodLists()
{
    writeFile(target(QStringLiteral("chn_ip.txt")), "1.0.1.0 1.0.1.255\n");
    writeFile(target(QStringLiteral("chn_ip_v6.txt")), "240e:: 240e::ff\n");
    serveBundledLists();
    RouteListUpdater updater(options());
    const auto outcome = run(updater);
    QVERIFY(outcome);
    QCOMPARE(outcome->message,
             QStringLiteral("updated chn_ip.txt (%1 ranges, was 1) and chn_ip_v6.txt (%2 ranges, "
                            "was 1) in %3")
                 .arg(rangeCount(m_ipv4), rangeCount<Ipv6RangeSet>(m_ipv6),
                      QDir::toNativeSeparators(m_dir->path())));
    QVERIFY(outcome->updated);
    QCOMPARE(fileContent(target(QStringLiteral("chn_ip.txt"))), m_ipv4);
    QCOMPARE(fileContent(target(QStringLiteral("chn_ip_v6.txt"))), m_ipv6);
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files).size(), 2); // no temporary files left
    QVERIFY(std::holds_alternative<RouteLists>(loadRouteListsFromDirectory(m_dir->path())));
    QCOMPARE(m_server->requestedPaths.size(), 2);
}

void TestRouteListUpdater::replacesAnUnusableCurrentList()
{
    writeFile(target(QStringLiteral("chn_ip.txt")), "<html>not a list</html>\n");
    serveBundledLists();
    RouteListUpdater updater(options());
    const auto outcome = run(updater);
    QVERIFY(outcome);
    QVERIFY2(outcome->updated, qPrintable(outcome->message));
    QVERIFY(outcome->message.contains(
        QStringLiteral("chn_ip.txt (%1 ranges) and").arg(rangeCount(m_ipv4))));
    QCOMPARE(fileContent(target(QStringLiteral("chn_ip.txt"))), m_ipv4);
}

void TestRouteListUpdater::createsTheTargetDirectory()
{
    serveBundledLists();
    RouteListUpdaterOptions settings = options();
    settings.targetDirectory = target(QStringLiteral("new/lists"));
    RouteListUpdater updater(settings);
    const auto outcome = run(updater);
    QVERIFY(outcome);
    QVERIFY2(outcome->updated, qPrintable(outcome->message));
    QCOMPARE(fileContent(target(QStringLiteral("new/lists/chn_ip.txt"))), m_ipv4);
    QCOMPARE(fileContent(target(QStringLiteral("new/lists/chn_ip_v6.txt"))), m_ipv6);
}

void TestRouteListUpdater::updatesIpv4Only()
{
    serveBundledLists();
    RouteListUpdaterOptions settings = options();
    settings.ipv6Url = QUrl();
    RouteListUpdater updater(settings);
    const auto outcome = run(updater);
    QVERIFY(outcome);
    QVERIFY2(outcome->updated, qPrintable(outcome->message));
    QCOMPARE(m_server->requestedPaths, QList<QByteArray>{QByteArrayLiteral("/chn_ip.txt")});
    QVERIFY(QFile::exists(target(QStringLiteral("chn_ip.txt"))));
    QVERIFY(!QFile::exists(target(QStringLiteral("chn_ip_v6.txt"))));
}

void TestRouteListUpdater::keepsListsOnBadDownloads_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<ListServer::Mode>("mode");
    QTest::addColumn<int>("maxSize");   // 0: the default
    QTest::addColumn<int>("timeoutMs"); // 0: the fixture's
    QTest::addColumn<int>("minIpv4Ranges");
    // %1: the URL of path, %2: the current IPv4 list
    QTest::addColumn<QString>("expected");

    const QByteArray v4 = "/chn_ip.txt";
    const QByteArray v6 = "/chn_ip_v6.txt";
    const QByteArray ipv4 = bundledList(QStringLiteral("chn_ip.txt"));
    const QByteArray ipv6 = bundledList(QStringLiteral("chn_ip_v6.txt"));
    using M = ListServer::Mode;
    QByteArray badLine =
        firstLines(ipv4, 100) + "1.2.3 1.2.3.4\n" + ipv4.mid(firstLines(ipv4, 100).size());

    QTest::newRow("404") << v4 << 404 << QByteArray("Not Found") << M::Complete << 0 << 0 << 1000
                         << QStringLiteral("chn_ip.txt from %1: the server answered HTTP 404 "
                                           "Failed");
    QTest::newRow("500 for IPv6 only")
        << v6 << 500 << QByteArray() << M::Complete << 0 << 0 << 1000
        << QStringLiteral("chn_ip_v6.txt from %1: the server answered HTTP 500 Failed");
    QTest::newRow("empty") << v4 << 200 << QByteArray() << M::Complete << 0 << 0 << 1000
                           << QStringLiteral("chn_ip.txt from %1 is empty");
    QTest::newRow("HTML page") << v4 << 200
                               << QByteArray("\r\n <!DOCTYPE html><title>Sign in</title>")
                               << M::Complete << 0 << 0 << 1000
                               << QStringLiteral(
                                      "chn_ip.txt from %1 is an HTML page, not an address list");
    QTest::newRow("HTML after ranges")
        << v6 << 200 << firstLines(ipv6, 500) + "<HTML><body>error</body>" << M::Complete << 0 << 0
        << 1000 << QStringLiteral("chn_ip_v6.txt from %1 is an HTML page, not an address list");
    QTest::newRow("bad line") << v4 << 200 << badLine << M::Complete << 0 << 0 << 1000
                              << QStringLiteral("chn_ip.txt from %1 line 101: \"1.2.3\" is not "
                                                "an IPv4 address");
    QTest::newRow("too few ranges")
        << v4 << 200 << firstLines(ipv4, 100) << M::Complete << 0 << 0 << 1000
        << QStringLiteral("chn_ip.txt from %1 holds ") + rangeCount(firstLines(ipv4, 100)) +
               QStringLiteral(" ranges, fewer than the 1000 a complete list has");
    QTest::newRow("less than half of the current list")
        << v4 << 200 << firstLines(ipv4, 3000) << M::Complete << 0 << 0 << 100
        << QStringLiteral("chn_ip.txt from %1 holds ") + rangeCount(firstLines(ipv4, 3000)) +
               QStringLiteral(" ranges, less than half of the ") + rangeCount(ipv4) +
               QStringLiteral(" in %2");
    QTest::newRow("oversized") << v4 << 200 << ipv4 << M::Complete << 100'000 << 0 << 1000
                               << QStringLiteral("chn_ip.txt from %1 is larger than 100000 "
                                                 "bytes, too large for an address list");
    QTest::newRow("oversized, chunked")
        << v4 << 200 << ipv4 << M::Chunked << 100'000 << 0 << 1000
        << QStringLiteral("chn_ip.txt from %1 is larger than 100000 bytes, too large for an "
                          "address list");
    QTest::newRow("cut short") << v4 << 200 << ipv4 << M::CutShort << 0 << 0 << 1000
                               << QStringLiteral("chn_ip.txt from %1");
    QTest::newRow("chunked, no length")
        << v4 << 200 << ipv4 << M::Chunked << 0 << 0 << 1000
        << QStringLiteral("chn_ip.txt from %1 came without a Content-Length, so a cut-off "
                          "transfer could not be told from a whole list");
    QTest::newRow("chunked, cut short") << v4 << 200 << ipv4 << M::ChunkedCutShort << 0 << 0 << 100
                                        << QStringLiteral("chn_ip.txt from %1");
    QTest::newRow("too slow") << v6 << 200 << ipv6 << M::Silent << 0 << 300 << 1000
                              << QStringLiteral("chn_ip_v6.txt from %1 did not arrive within "
                                                "300 ms");
}

void TestRouteListUpdater::keepsListsOnBadDownloads()
{
    QFETCH(QByteArray, path);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(ListServer::Mode, mode);
    QFETCH(int, maxSize);
    QFETCH(int, timeoutMs);
    QFETCH(int, minIpv4Ranges);
    QFETCH(QString, expected);

    installBundledLists();
    serveBundledLists();
    m_server->responses[path] = {status, body, mode};
    RouteListUpdaterOptions settings = options();
    if (maxSize > 0)
        settings.maxSize = maxSize;
    if (timeoutMs > 0)
        settings.timeout = std::chrono::milliseconds(timeoutMs);
    settings.minIpv4Ranges = minIpv4Ranges;
    RouteListUpdater updater(settings);
    const auto outcome = run(updater);
    QVERIFY(outcome);

    QVERIFY(!outcome->updated);
    const QString detail =
        expected.replace(QStringLiteral("%1"), m_server->url(path.constData()).toDisplayString())
            .replace(QStringLiteral("%2"),
                     QDir::toNativeSeparators(target(QStringLiteral("chn_ip.txt"))));
    QVERIFY2(
        outcome->message.startsWith(QStringLiteral("the China lists were not updated: ") + detail),
        qPrintable(outcome->message));
    QCOMPARE(fileContent(target(QStringLiteral("chn_ip.txt"))), m_ipv4);
    QCOMPARE(fileContent(target(QStringLiteral("chn_ip_v6.txt"))), m_ipv6);
    QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files).size(), 2);
}

void TestRouteListUpdater::reportsWriteFailures()
{
    serveBundledLists();
    // A directory where a list should be: QSaveFile cannot replace it, whoever runs the test.
    QVERIFY(QDir(m_dir->path()).mkdir(QStringLiteral("chn_ip_v6.txt")));
    {
        RouteListUpdater updater(options());
        const auto outcome = run(updater);
        QVERIFY(outcome);
        // The IPv4 list was replaced and is in use, so the update counts, with the failure.
        QVERIFY(outcome->updated);
        QVERIFY2(outcome->message.startsWith(
                     QStringLiteral("updated chn_ip.txt (%1 ranges) in %2, but cannot write %3")
                         .arg(rangeCount(m_ipv4), QDir::toNativeSeparators(m_dir->path()),
                              QDir::toNativeSeparators(target(QStringLiteral("chn_ip_v6.txt"))))),
                 qPrintable(outcome->message));
        QCOMPARE(fileContent(target(QStringLiteral("chn_ip.txt"))), m_ipv4);
    }

    // A file where the directory should be.
    writeFile(target(QStringLiteral("occupied")), "x");
    RouteListUpdaterOptions settings = options();
    settings.targetDirectory = target(QStringLiteral("occupied"));
    RouteListUpdater updater(settings);
    const auto outcome = run(updater);
    QVERIFY(outcome);
    QVERIFY(!outcome->updated);
    QCOMPARE(outcome->message,
             QStringLiteral("the China lists were not updated: cannot create the directory %1")
                 .arg(QDir::toNativeSeparators(target(QStringLiteral("occupied")))));
}

void TestRouteListUpdater::refusesPlainHttp_data()
{
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<bool>("allowLoopbackHttp");
    QTest::addColumn<QString>("message");

    QTest::newRow("loopback, not allowed")
        << QUrl(QStringLiteral("http://127.0.0.1:1/chn_ip.txt")) << false
        << QStringLiteral("the China lists were not updated: http://127.0.0.1:1/chn_ip.txt is "
                          "not an https:// address");
    QTest::newRow("not loopback")
        << QUrl(QStringLiteral("http://192.0.2.1/chn_ip.txt")) << true
        << QStringLiteral("the China lists were not updated: http://192.0.2.1/chn_ip.txt is not "
                          "an https:// address");
    QTest::newRow("other scheme")
        << QUrl(QStringLiteral("ftp://127.0.0.1/chn_ip.txt")) << true
        << QStringLiteral("the China lists were not updated: ftp://127.0.0.1/chn_ip.txt is not "
                          "an https:// address");
}

void TestRouteListUpdater::refusesPlainHttp()
{
    QFETCH(QUrl, url);
    QFETCH(bool, allowLoopbackHttp);
    QFETCH(QString, message);
    installBundledLists();
    RouteListUpdaterOptions settings = options();
    settings.ipv4Url = url;
    settings.allowLoopbackHttp = allowLoopbackHttp;
    RouteListUpdater updater(settings);
    const auto outcome = run(updater);
    QVERIFY(outcome);
    QVERIFY(!outcome->updated);
    QCOMPARE(outcome->message, message);
    QVERIFY(m_server->requestedPaths.isEmpty());
    QCOMPARE(fileContent(target(QStringLiteral("chn_ip.txt"))), m_ipv4);
}

void TestRouteListUpdater::runsOneUpdateAtATime()
{
    serveBundledLists();
    RouteListUpdater updater(options());
    QSignalSpy finished(&updater, &RouteListUpdater::finished);
    QVERIFY(updater.start());
    QVERIFY(!updater.start());
    QVERIFY(finished.wait(20'000));
    QCOMPARE(finished.size(), 1);
    QVERIFY(finished[0][0].toBool());
    // Again, now that the first is done: the same lists replace themselves.
    QVERIFY(updater.start());
    QVERIFY(finished.wait(20'000));
    QCOMPARE(finished.size(), 2);
    QVERIFY2(finished[1][0].toBool(), qPrintable(finished[1][1].toString()));
    QVERIFY(finished[1][1].toString().contains(
        QStringLiteral("(%1 ranges, was %1)").arg(rangeCount(m_ipv4))));
}

void TestRouteListUpdater::destroyingCancels()
{
    installBundledLists();
    m_server->responses[QByteArrayLiteral("/chn_ip.txt")] = {200, m_ipv4, ListServer::Mode::Silent};
    m_server->responses[QByteArrayLiteral("/chn_ip_v6.txt")] = {200, m_ipv6,
                                                                ListServer::Mode::Silent};
    bool finished = false;
    auto updater = std::make_unique<RouteListUpdater>(options());
    connect(updater.get(), &RouteListUpdater::finished, this, [&finished] { finished = true; });
    QVERIFY(updater->start());
    QTRY_COMPARE_WITH_TIMEOUT(m_server->requestedPaths.size(), 2, 10'000);
    updater.reset();
    // The server sees both connections end; nothing reported, nothing written.
    QTRY_VERIFY_WITH_TIMEOUT(m_server->findChildren<QTcpSocket*>().isEmpty(), 10'000);
    QVERIFY(!finished);
    QCOMPARE(fileContent(target(QStringLiteral("chn_ip.txt"))), m_ipv4);
}

// List downloads follow the shared trust rule too: a private CA named only by SSL_CERT_FILE
// (Qt's own store ignores the variable).
void TestRouteListUpdater::downloadsOverHttpsTrustingSslCertFile()
{
    const echw::test::DohTestCertificate certificate =
        echw::test::createDohTestCertificate(m_dir->path());
    QVERIFY(!certificate.caFile.isEmpty());
    m_server->tls = certificate.certificate;
    serveBundledLists();
    const echw::test::ScopedEnvironment file("SSL_CERT_FILE",
                                             QFile::encodeName(certificate.caFile));
    const echw::test::ScopedEnvironment dir("SSL_CERT_DIR", std::nullopt);
    RouteListUpdaterOptions https = options();
    https.allowLoopbackHttp = false;
    https.targetDirectory = target(QStringLiteral("lists"));
    RouteListUpdater updater(https);
    const auto outcome = run(updater);
    QVERIFY(outcome);
    QVERIFY2(outcome->updated, qPrintable(outcome->message));
    QCOMPARE(fileContent(QDir(https.targetDirectory).filePath(QStringLiteral("chn_ip.txt"))),
             m_ipv4);
}

QTEST_GUILESS_MAIN(TestRouteListUpdater)
#include "tst_routelistupdater.moc"
