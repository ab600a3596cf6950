// DnsOverTunnel against a real HTTPS DoH server on loopback, reached through the direct
// connector (the tunnel connector hands it the same kind of stream).
#include "DohTestServer.h"
#include "TestValues.h"
#include "ech/DnsMessage.h"
#include "outbound/DirectConnector.h"
#include "outbound/DnsOverTunnel.h"
#include "tls/TlsContext.h"

#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace echw;
using namespace echw::test;
using namespace std::chrono_literals;

namespace {

const QString kDomain = QStringLiteral("udp-dns.test");
const QByteArray kEchConfigList = QByteArrayLiteral("\x00\x0a\xfe\x0d\x00\x06"
                                                    "abcdef");

} // namespace

class TestDnsOverTunnel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void postsTheQueryAndReturnsTheAnswer();
    void keepsTheUrlPathQueryAndPort();
    void reportsHttpErrors_data();
    void reportsHttpErrors();
    void reportsTheDeadline();
    void reportsAnUnreachableServer();
    void rejectsACertificateForAnotherName();
    void refusesShortMessagesOnTheEventLoop();
    void cancelsWhenTheHandleIsDestroyed();
    void refusesUnusableUrls();

private:
    std::unique_ptr<DnsOverTunnel> dns(const QUrl& url, std::chrono::milliseconds timeout = 5s);
    std::optional<DnsOverTunnel::Result> ask(DnsOverTunnel& dns, const QByteArray& message);

    QTemporaryDir m_dir;
    CertificatePair m_certificate;
    std::shared_ptr<TlsClientContext> m_tls;
    DirectConnector m_direct{5s};
    std::unique_ptr<DohTestServer> m_server;
};

void TestDnsOverTunnel::initTestCase()
{
    QVERIFY(QSslSocket::supportsSsl());
    QVERIFY(m_dir.isValid());
    const DohTestCertificate doh = createDohTestCertificate(m_dir.path());
    QVERIFY(!doh.caFile.isEmpty());
    m_certificate = doh.certificate;
    m_tls = unwrap(TlsClientContext::create(doh.caFile));
}

void TestDnsOverTunnel::init()
{
    m_server = std::make_unique<DohTestServer>(m_certificate, kDomain, kEchConfigList);
    QVERIFY(m_server->listen(QHostAddress::LocalHost));
}

std::unique_ptr<DnsOverTunnel> TestDnsOverTunnel::dns(const QUrl& url,
                                                      std::chrono::milliseconds timeout)
{
    return unwrap(DnsOverTunnel::create(m_direct, m_tls, {url, timeout}));
}

std::optional<DnsOverTunnel::Result> TestDnsOverTunnel::ask(DnsOverTunnel& dns,
                                                            const QByteArray& message)
{
    std::optional<DnsOverTunnel::Result> result;
    auto handle = dns.query(message, [&result](DnsOverTunnel::Result r) { result = std::move(r); });
    if (!QTest::qWaitFor([&result] { return result.has_value(); }, 10000))
        return std::nullopt;
    return result;
}

void TestDnsOverTunnel::postsTheQueryAndReturnsTheAnswer()
{
    auto client = dns(m_server->url());
    const QByteArray query = buildDnsQuery(kDomain, DnsType::Https, 0x4242);
    const auto result = ask(*client, query);
    QVERIFY(result);
    QVERIFY2(std::holds_alternative<QByteArray>(*result), qPrintable(errorOf(*result)));
    const auto answer = parseDnsResponse(std::get<QByteArray>(*result));
    QVERIFY(std::holds_alternative<DnsResponse>(answer));
    QCOMPARE(std::get<DnsResponse>(answer).id, quint16(0x4242));
    const auto ech = extractEchConfig(std::get<QByteArray>(*result), kDomain);
    QVERIFY(std::holds_alternative<EchLookupResult>(ech));
    QCOMPARE(std::get<EchLookupResult>(ech).echConfigList, kEchConfigList);

    QCOMPARE(m_server->requests.size(), 1);
    const auto& request = m_server->requests.first();
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.target, QByteArray("/dns-query"));
    QCOMPARE(request.contentType, QByteArray("application/dns-message"));
    QCOMPARE(request.accept, QByteArray("application/dns-message"));
    QCOMPARE(request.dnsQuery, query);
}

void TestDnsOverTunnel::keepsTheUrlPathQueryAndPort()
{
    QUrl url = m_server->url();
    url.setPath(QStringLiteral("/some path/dns"));
    url.setQuery(QStringLiteral("x=1"));
    auto client = dns(url);
    QVERIFY(ask(*client, buildDnsQuery(kDomain, DnsType::Https)));
    QCOMPARE(m_server->requests.size(), 1);
    QCOMPARE(m_server->requests.first().target, QByteArray("/some%20path/dns?x=1"));
}

void TestDnsOverTunnel::reportsHttpErrors_data()
{
    QTest::addColumn<int>("behaviour");
    QTest::addColumn<QString>("expected");
    QTest::newRow("403") << int(DohTestServer::Behaviour::Forbidden) << QStringLiteral("HTTP 403");
    QTest::newRow("redirect") << int(DohTestServer::Behaviour::Redirect)
                              << QStringLiteral("HTTP 301");
    QTest::newRow("wrong content type") << int(DohTestServer::Behaviour::WrongContentType)
                                        << QStringLiteral("not application/dns-message");
    QTest::newRow("no length, oversized")
        << int(DohTestServer::Behaviour::Oversized) << QStringLiteral("neither Content-Length");
    QTest::newRow("media type parameter is fine")
        << int(DohTestServer::Behaviour::AnswerWithMediaTypeParameter) << QString();
}

void TestDnsOverTunnel::reportsHttpErrors()
{
    QFETCH(int, behaviour);
    QFETCH(QString, expected);
    m_server->behaviour = DohTestServer::Behaviour(behaviour);
    auto client = dns(m_server->url());
    const auto result = ask(*client, buildDnsQuery(kDomain, DnsType::Https, 7));
    QVERIFY(result);
    if (expected.isEmpty()) {
        QVERIFY2(std::holds_alternative<QByteArray>(*result), qPrintable(errorOf(*result)));
        return;
    }
    QVERIFY(std::holds_alternative<QString>(*result));
    QVERIFY2(std::get<QString>(*result).contains(expected), qPrintable(std::get<QString>(*result)));
    QVERIFY2(std::get<QString>(*result).contains(m_server->url().toString()),
             qPrintable(std::get<QString>(*result)));
}

void TestDnsOverTunnel::reportsTheDeadline()
{
    m_server->behaviour = DohTestServer::Behaviour::Silent;
    auto client = dns(m_server->url(), 300ms);
    const auto result = ask(*client, buildDnsQuery(kDomain, DnsType::Https));
    QVERIFY(result);
    QVERIFY(std::holds_alternative<QString>(*result));
    QVERIFY2(std::get<QString>(*result).contains(QStringLiteral("within 300 ms")),
             qPrintable(std::get<QString>(*result)));
}

void TestDnsOverTunnel::reportsAnUnreachableServer()
{
    QUrl url = m_server->url();
    m_server.reset(); // nothing listens there now
    auto client = dns(url);
    const auto result = ask(*client, buildDnsQuery(kDomain, DnsType::Https));
    QVERIFY(result);
    QVERIFY(std::holds_alternative<QString>(*result));
    QVERIFY2(std::get<QString>(*result).contains(QStringLiteral("cannot reach")),
             qPrintable(std::get<QString>(*result)));
}

void TestDnsOverTunnel::rejectsACertificateForAnotherName()
{
    // The certificate names 127.0.0.1 only; "localhost" reaches the same server.
    QUrl url = m_server->url();
    url.setHost(QStringLiteral("localhost"));
    auto client = dns(url);
    const auto result = ask(*client, buildDnsQuery(kDomain, DnsType::Https));
    QVERIFY(result);
    QVERIFY(std::holds_alternative<QString>(*result));
    QVERIFY2(std::get<QString>(*result).contains(QStringLiteral("certificate")),
             qPrintable(std::get<QString>(*result)));
    QVERIFY(m_server->requests.isEmpty());
}

void TestDnsOverTunnel::refusesShortMessagesOnTheEventLoop()
{
    auto client = dns(m_server->url());
    bool called = false;
    auto handle = client->query("short", [&called](DnsOverTunnel::Result) { called = true; });
    QVERIFY(!called);
    QTRY_VERIFY(called);
}

void TestDnsOverTunnel::cancelsWhenTheHandleIsDestroyed()
{
    m_server->behaviour = DohTestServer::Behaviour::Silent;
    auto client = dns(m_server->url(), 200ms);
    bool cancelledCalled = false;
    auto handle =
        client->query(buildDnsQuery(kDomain, DnsType::Https),
                      [&cancelledCalled](DnsOverTunnel::Result) { cancelledCalled = true; });
    QTRY_COMPARE(m_server->requests.size(), 1);
    handle.reset();
    // A second exchange with the same deadline, started later: once it has timed out, the
    // first would have too, had it not been cancelled.
    const auto later = ask(*client, buildDnsQuery(kDomain, DnsType::Https));
    QVERIFY(later && std::holds_alternative<QString>(*later));
    QVERIFY(!cancelledCalled);
}

void TestDnsOverTunnel::refusesUnusableUrls()
{
    QVERIFY(std::holds_alternative<QString>(
        DnsOverTunnel::create(m_direct, m_tls, {QUrl(QStringLiteral("http://a.example/q")), 5s})));
    QVERIFY(std::holds_alternative<QString>(
        DnsOverTunnel::create(m_direct, m_tls, {QUrl(QStringLiteral("https://a b/q")), 5s})));
}

QTEST_GUILESS_MAIN(TestDnsOverTunnel)
#include "tst_dnsovertunnel.moc"
