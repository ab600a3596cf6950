// DohClient against a real HTTPS DoH server on loopback, which answers with DnsAnswerBuilder.
#include "DohTestServer.h"
#include "ScopedEnvironment.h"
#include "TestValues.h"
#include "ech/DnsAnswerBuilder.h"
#include "ech/DnsMessage.h"
#include "ech/DohClient.h"
#include "tls/TlsCredentials.h"

#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;
using namespace echw::test;
using namespace std::chrono_literals;

namespace {

const QString kEchDomain = QStringLiteral("cloudflare-ech.com");
const QByteArray kEchConfigList = QByteArrayLiteral("\x00\x0a\xfe\x0d\x00\x06"
                                                    "abcdef");

} // namespace

class TestDohClient : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void fetchesEchConfigAndTtlWithGet();
    void fetchesEchConfigWithPost();
    void returnsRawDnsResponse();
    void acceptsMediaTypeInAnyCaseWithParameters();
    void reportsHttpStatusWithServerAndDomain();
    void reportsRedirectWithoutFollowingIt();
    void reportsWrongContentType();
    void abortsOversizedResponse();
    void reportsDeadlineWhenServerNeverAnswers();
    void rejectsUntrustedCertificate();
    void trustsCaGivenOnlyThroughSslCertFile();
    void trustsCaGivenOnlyThroughSslCertDir();
    void reportsRefusedConnection();
    void reportsDnsLevelErrorsWithServer();
    void reportsInvalidNameOnTheEventLoop();
    void skipsCallbackWhenContextIsGone();
    void cancelsQueriesWhenDestroyed();
    void reportsUnusableOptionsOnEveryQuery();

private:
    DohOptions options() const;
    void answersTrustingSharedRootsOnly();
    static std::unique_ptr<DohClient> client(DohOptions options);
    std::optional<DohClient::EchConfigResult> fetch(DohClient& client,
                                                    const QString& name = kEchDomain);

    QTemporaryDir m_dir;
    CertificatePair m_certificate;
    QString m_caFile;
    std::unique_ptr<DohTestServer> m_server;
};

void TestDohClient::initTestCase()
{
    QVERIFY(QSslSocket::supportsSsl());
    QVERIFY(m_dir.isValid());
    const DohTestCertificate doh = createDohTestCertificate(m_dir.path());
    QVERIFY(!doh.caFile.isEmpty());
    m_certificate = doh.certificate;
    m_caFile = doh.caFile;
}

void TestDohClient::init()
{
    m_server = std::make_unique<DohTestServer>(m_certificate, kEchDomain, kEchConfigList);
    QVERIFY(m_server->listen(QHostAddress::LocalHost));
}

// The test server, trusted through the extra CA file.
DohOptions TestDohClient::options() const
{
    DohOptions options;
    options.url = m_server->url();
    options.extraCaFile = m_caFile;
    return options;
}

std::unique_ptr<DohClient> TestDohClient::client(DohOptions options)
{
    return std::make_unique<DohClient>(std::move(options));
}

std::optional<DohClient::EchConfigResult> TestDohClient::fetch(DohClient& client,
                                                               const QString& name)
{
    std::optional<DohClient::EchConfigResult> result;
    QObject context;
    client.fetchEchConfig(name, &context,
                          [&result](DohClient::EchConfigResult r) { result = std::move(r); });
    if (!QTest::qWaitFor([&result] { return result.has_value(); }, 10000))
        return std::nullopt;
    return result;
}

void TestDohClient::fetchesEchConfigAndTtlWithGet()
{
    m_server->ttl = 1800;
    auto doh = client(options());
    const auto result = fetch(*doh);
    QVERIFY(result);
    QVERIFY2(std::holds_alternative<EchConfigAnswer>(*result), qPrintable(errorOf(*result)));
    QCOMPARE(std::get<EchConfigAnswer>(*result).echConfigList, kEchConfigList);
    QCOMPARE(std::get<EchConfigAnswer>(*result).ttl, 1800u);

    QCOMPARE(m_server->requests.size(), 1);
    const auto& request = m_server->requests.constFirst();
    QCOMPARE(request.method, "GET");
    const QByteArray prefix = "/dns-query?dns=";
    QVERIFY2(request.target.startsWith(prefix), request.target.constData());
    QVERIFY(!request.target.mid(prefix.size()).contains('=')); // base64url without padding
    QCOMPARE(request.accept, "application/dns-message");
    QCOMPARE(request.dnsQuery, buildDnsQuery(kEchDomain, DnsType::Https));
}

void TestDohClient::fetchesEchConfigWithPost()
{
    DohOptions post = options();
    post.usePost = true;
    auto doh = client(post);
    const auto result = fetch(*doh);
    QVERIFY(result);
    QVERIFY2(std::holds_alternative<EchConfigAnswer>(*result), qPrintable(errorOf(*result)));
    QCOMPARE(std::get<EchConfigAnswer>(*result).echConfigList, kEchConfigList);
    const auto& request = m_server->requests.constFirst();
    QCOMPARE(request.method, "POST");
    QCOMPARE(request.target, "/dns-query");
    QCOMPARE(request.contentType, "application/dns-message");
    QCOMPARE(request.accept, "application/dns-message");
    QCOMPARE(request.dnsQuery, buildDnsQuery(kEchDomain, DnsType::Https));
}

void TestDohClient::returnsRawDnsResponse()
{
    auto doh = client(options());
    std::optional<DohClient::Response> response;
    QObject context;
    doh->query(kEchDomain, 1, &context, [&](DohClient::Response r) { response = std::move(r); });
    QTRY_VERIFY_WITH_TIMEOUT(response.has_value(), 10000);
    const auto* bytes = std::get_if<QByteArray>(&*response);
    QVERIFY(bytes);
    QCOMPARE(*bytes, unwrap(buildHttpsAnswer(buildDnsQuery(kEchDomain, 1), kEchDomain,
                                             kEchConfigList, 300)));
}

void TestDohClient::acceptsMediaTypeInAnyCaseWithParameters()
{
    m_server->behaviour = DohTestServer::Behaviour::AnswerWithMediaTypeParameter;
    auto doh = client(options());
    const auto result = fetch(*doh);
    QVERIFY(result);
    QVERIFY2(std::holds_alternative<EchConfigAnswer>(*result), qPrintable(errorOf(*result)));
}

void TestDohClient::reportsHttpStatusWithServerAndDomain()
{
    m_server->behaviour = DohTestServer::Behaviour::Forbidden;
    auto doh = client(options());
    const auto result = fetch(*doh);
    QVERIFY(result);
    QCOMPARE(errorOf(*result), QStringLiteral("DoH server %1 answered HTTP 403 for %2")
                                   .arg(m_server->url().toDisplayString(), kEchDomain));
}

void TestDohClient::reportsRedirectWithoutFollowingIt()
{
    m_server->behaviour = DohTestServer::Behaviour::Redirect;
    auto doh = client(options());
    const auto result = fetch(*doh);
    QVERIFY(result);
    const QString error = errorOf(*result);
    QVERIFY2(error.startsWith(QStringLiteral("DoH server %1 answered HTTP 301 for %2")
                                  .arg(m_server->url().toDisplayString(), kEchDomain)),
             qPrintable(error));
    // The new address is shown without our query in it, for the user to configure.
    QVERIFY2(error.contains(
                 QStringLiteral("https://127.0.0.1:%1/moved-here,").arg(m_server->serverPort())),
             qPrintable(error));
    QCOMPARE(m_server->requests.size(), 1);
}

void TestDohClient::reportsWrongContentType()
{
    m_server->behaviour = DohTestServer::Behaviour::WrongContentType;
    auto doh = client(options());
    const auto result = fetch(*doh);
    QVERIFY(result);
    QCOMPARE(errorOf(*result),
             QStringLiteral("DoH server %1 answered with content type text/html, not a DNS message")
                 .arg(m_server->url().toDisplayString()));
}

void TestDohClient::abortsOversizedResponse()
{
    m_server->behaviour = DohTestServer::Behaviour::Oversized;
    auto doh = client(options());
    const auto result = fetch(*doh);
    QVERIFY(result);
    QCOMPARE(errorOf(*result),
             QStringLiteral("DoH server %1 sent more than 65536 bytes for %2, too much for a DNS "
                            "message")
                 .arg(m_server->url().toDisplayString(), kEchDomain));
}

void TestDohClient::reportsDeadlineWhenServerNeverAnswers()
{
    m_server->behaviour = DohTestServer::Behaviour::Silent;
    DohOptions shortDeadline = options();
    shortDeadline.timeout = 300ms;
    auto doh = client(shortDeadline);
    const auto result = fetch(*doh);
    QVERIFY(result);
    QCOMPARE(errorOf(*result), QStringLiteral("DoH server %1 did not answer within 300 ms")
                                   .arg(m_server->url().toDisplayString()));
    QCOMPARE(m_server->requests.size(), 1);
}

void TestDohClient::rejectsUntrustedCertificate()
{
    DohOptions systemRootsOnly = options(); // the self-signed certificate is unknown there
    systemRootsOnly.extraCaFile.clear();
    auto doh = client(systemRootsOnly);
    const auto result = fetch(*doh);
    QVERIFY(result);
    const QString error = errorOf(*result);
    QVERIFY2(error.startsWith(QStringLiteral("DoH server %1: ").arg(doh->url().toDisplayString())),
             qPrintable(error));
    QVERIFY2(error.contains(u"certificate", Qt::CaseInsensitive), qPrintable(error));
    QVERIFY(m_server->requests.isEmpty());
}

// The deployed way to trust a private CA without a -ca flag: Qt's own store would ignore the
// variable and fail with "The issuer certificate of a locally looked up certificate could not
// be found".
void TestDohClient::trustsCaGivenOnlyThroughSslCertFile()
{
    const ScopedEnvironment file("SSL_CERT_FILE", QFile::encodeName(m_caFile));
    const ScopedEnvironment dir("SSL_CERT_DIR", std::nullopt);
    answersTrustingSharedRootsOnly();
}

// A directory entry counts under any name, not only OpenSSL's hashed ones or Qt's *.pem.
void TestDohClient::trustsCaGivenOnlyThroughSslCertDir()
{
    QTemporaryDir certificates;
    QVERIFY(certificates.isValid());
    QVERIFY(QFile::copy(m_caFile, certificates.filePath(QStringLiteral("private-root"))));
    // Another entry of the list that does not exist must not spoil the one that does.
    const QByteArray directories = QFile::encodeName(m_dir.filePath(QStringLiteral("none"))) + ':' +
                                   QFile::encodeName(certificates.path());
    const ScopedEnvironment file("SSL_CERT_FILE", std::nullopt);
    const ScopedEnvironment dir("SSL_CERT_DIR", directories);
    answersTrustingSharedRootsOnly();
}

// Without an extra CA file: the server is reached only when the shared roots (the system's,
// SSL_CERT_FILE, SSL_CERT_DIR) hold its certificate.
void TestDohClient::answersTrustingSharedRootsOnly()
{
    DohOptions sharedRootsOnly = options();
    sharedRootsOnly.extraCaFile.clear();
    auto doh = client(sharedRootsOnly);
    const auto result = fetch(*doh);
    QVERIFY(result);
    QVERIFY2(std::holds_alternative<EchConfigAnswer>(*result), qPrintable(errorOf(*result)));
    QCOMPARE(std::get<EchConfigAnswer>(*result).echConfigList, kEchConfigList);
}

void TestDohClient::reportsRefusedConnection()
{
    const DohOptions down = options();
    m_server->close();
    const QUrl url = down.url;
    auto doh = client(down);
    const auto result = fetch(*doh);
    QVERIFY(result);
    const QString error = errorOf(*result);
    QVERIFY2(error.startsWith(QStringLiteral("DoH server %1: ").arg(url.toDisplayString())),
             qPrintable(error));
    QVERIFY2(error.contains(u"refused", Qt::CaseInsensitive), qPrintable(error));
}

void TestDohClient::reportsDnsLevelErrorsWithServer()
{
    auto doh = client(options());
    const auto result = fetch(*doh, QStringLiteral("wrong-ech.example"));
    QVERIFY(result);
    const QString error = errorOf(*result);
    QVERIFY2(error.startsWith(QStringLiteral("DoH server %1: DNS server answered NXDOMAIN for "
                                             "wrong-ech.example")
                                  .arg(m_server->url().toDisplayString())),
             qPrintable(error));
}

void TestDohClient::reportsInvalidNameOnTheEventLoop()
{
    auto doh = client(options());
    std::optional<DohClient::EchConfigResult> result;
    QObject context;
    doh->fetchEchConfig(QStringLiteral("not a name"), &context,
                        [&result](DohClient::EchConfigResult r) { result = std::move(r); });
    QVERIFY(!result);
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 5000);
    QVERIFY2(errorOf(*result).contains(u"\"not a name\" is not a domain name"),
             qPrintable(errorOf(*result)));
    QVERIFY(m_server->requests.isEmpty());
}

void TestDohClient::skipsCallbackWhenContextIsGone()
{
    auto doh = client(options());
    bool skippedCalled = false;
    bool laterCalled = false;
    auto gone = std::make_unique<QObject>();
    QObject stays;
    // Both answers come back in the same pass: the invalid name's error is queued at once,
    // so its delivery marks the point where the first one, queued earlier, has been skipped.
    doh->fetchEchConfig(QStringLiteral("bad name"), gone.get(),
                        [&](DohClient::EchConfigResult) { skippedCalled = true; });
    doh->fetchEchConfig(QStringLiteral("bad name"), &stays,
                        [&](DohClient::EchConfigResult) { laterCalled = true; });
    gone.reset();
    QTRY_VERIFY_WITH_TIMEOUT(laterCalled, 5000);
    QVERIFY(!skippedCalled);
}

void TestDohClient::cancelsQueriesWhenDestroyed()
{
    m_server->behaviour = DohTestServer::Behaviour::Silent;
    auto doh = client(options());
    bool called = false;
    QObject context;
    doh->fetchEchConfig(kEchDomain, &context,
                        [&called](DohClient::EchConfigResult) { called = true; });
    QTRY_COMPARE_WITH_TIMEOUT(m_server->requests.size(), 1, 10000);
    doh.reset();
    // The connection is closed at once; its server side goes when it notices.
    QTRY_VERIFY_WITH_TIMEOUT(m_server->findChildren<QSslSocket*>().isEmpty(), 10000);
    QVERIFY(!called);
}

void TestDohClient::reportsUnusableOptionsOnEveryQuery()
{
    DohOptions plain = options();
    plain.url = QUrl(QStringLiteral("http://127.0.0.1/dns-query"));
    auto result = fetch(*client(plain));
    QVERIFY(result);
    QCOMPARE(errorOf(*result), QStringLiteral("the DoH server \"http://127.0.0.1/dns-query\" is "
                                              "not an https:// address"));

    DohOptions missingCa = options();
    missingCa.extraCaFile = m_dir.filePath(QStringLiteral("missing.pem"));
    auto doh = client(missingCa);
    for (int i = 0; i < 2; ++i) {
        result = fetch(*doh);
        QVERIFY(result);
        QVERIFY2(errorOf(*result).startsWith(
                     QStringLiteral("DoH server %2: cannot load CA certificates from %1: ")
                         .arg(missingCa.extraCaFile, missingCa.url.toDisplayString())),
                 qPrintable(errorOf(*result)));
    }

    DohOptions notPem = options();
    notPem.extraCaFile = m_dir.filePath(QStringLiteral("not.pem"));
    QFile file(notPem.extraCaFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not a certificate\n");
    file.close();
    result = fetch(*client(notPem));
    QVERIFY(result);
    QCOMPARE(errorOf(*result),
             QStringLiteral("DoH server %2: cannot load CA certificates from %1: no PEM "
                            "certificate in it")
                 .arg(notPem.extraCaFile, notPem.url.toDisplayString()));
    QVERIFY(m_server->requests.isEmpty());
}

QTEST_GUILESS_MAIN(TestDohClient)
#include "tst_dohclient.moc"
