// The UDP relay of SOCKS5 UDP ASSOCIATE against a real HTTPS DoH server on loopback, reached
// through the direct connector; the client is a QUdpSocket speaking RFC 1928 section 7.
#include "DohTestServer.h"
#include "TestValues.h"
#include "ech/DnsMessage.h"
#include "inbound/Socks5UdpPacket.h"
#include "inbound/UdpAssociation.h"
#include "outbound/DirectConnector.h"
#include "outbound/DnsOverTunnel.h"
#include "tls/TlsContext.h"

#include <QNetworkDatagram>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

using namespace echw;
using namespace echw::test;
using namespace std::chrono_literals;

namespace {

const QString kDomain = QStringLiteral("udp-dns.test");
const QByteArray kEchConfigList = QByteArrayLiteral("\x00\x0a\xfe\x0d\x00\x06"
                                                    "abcdef");
const QHostAddress kLoopback(QHostAddress::LocalHost);

TargetAddress target(const QString& host, quint16 port)
{
    return *TargetAddress::fromHostPort(host, port);
}

} // namespace

class TestUdpAssociation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void answersDnsWithTheDestinationAsSource_data();
    void answersDnsWithTheDestinationAsSource();
    void dropsOtherPortsAndKeepsServing();
    void dropsMalformedDatagrams_data();
    void dropsMalformedDatagrams();
    void ignoresOtherSenders();
    void acceptsOnlyTheAnnouncedPort();
    void countsFailedExchangesWithoutAnswering();
    void limitsQueriesInFlight();
    void stopsServingWhenClosed();

private:
    void send(const TargetAddress& destination, const QByteArray& payload, int frag = 0);
    QByteArray receive();

    QTemporaryDir m_dir;
    CertificatePair m_certificate;
    std::shared_ptr<TlsClientContext> m_tls;
    DirectConnector m_direct{5s};
    std::unique_ptr<DohTestServer> m_server;
    std::unique_ptr<DnsOverTunnel> m_dns;
    std::unique_ptr<UdpAssociation> m_association;
    std::unique_ptr<QUdpSocket> m_client;
};

void TestUdpAssociation::initTestCase()
{
    QVERIFY(QSslSocket::supportsSsl());
    QVERIFY(m_dir.isValid());
    const DohTestCertificate doh = createDohTestCertificate(m_dir.path());
    QVERIFY(!doh.caFile.isEmpty());
    m_certificate = doh.certificate;
    m_tls = unwrap(TlsClientContext::create(doh.caFile));
}

void TestUdpAssociation::init()
{
    m_server = std::make_unique<DohTestServer>(m_certificate, kDomain, kEchConfigList);
    QVERIFY(m_server->listen(kLoopback));
    m_dns = unwrap(DnsOverTunnel::create(m_direct, m_tls, {m_server->url(), 5s}));
    m_association = std::make_unique<UdpAssociation>(*m_dns, kLoopback, 0);
    const auto error = m_association->bind(kLoopback);
    QVERIFY2(!error, qPrintable(error.value_or(QString())));
    QCOMPARE(m_association->address(), kLoopback);
    QVERIFY(m_association->port() != 0);
    m_client = std::make_unique<QUdpSocket>();
    QVERIFY(m_client->bind(kLoopback, 0));
}

void TestUdpAssociation::cleanup()
{
    m_client.reset();
    m_association.reset();
    m_dns.reset();
    m_server.reset();
}

void TestUdpAssociation::send(const TargetAddress& destination, const QByteArray& payload, int frag)
{
    QByteArray datagram = buildSocks5UdpPacket(destination, payload);
    datagram[2] = char(frag);
    m_client->writeDatagram(datagram, m_association->address(), m_association->port());
}

// The next datagram from the relay, or empty when none came in time.
QByteArray TestUdpAssociation::receive()
{
    if (!QTest::qWaitFor([this] { return m_client->hasPendingDatagrams(); }, 10000))
        return {};
    const QNetworkDatagram datagram = m_client->receiveDatagram();
    if (datagram.senderAddress() != m_association->address() ||
        datagram.senderPort() != m_association->port())
        return {};
    return datagram.data();
}

void TestUdpAssociation::answersDnsWithTheDestinationAsSource_data()
{
    QTest::addColumn<QString>("host");
    QTest::newRow("ipv4") << QStringLiteral("9.9.9.9");
    QTest::newRow("ipv6") << QStringLiteral("2001:db8::53");
    QTest::newRow("domain") << QStringLiteral("dns.example");
}

void TestUdpAssociation::answersDnsWithTheDestinationAsSource()
{
    QFETCH(QString, host);
    const QByteArray query = buildDnsQuery(kDomain, DnsType::Https, 0x1234);
    send(target(host, 53), query);
    const auto parsed = parseSocks5UdpPacket(receive());
    QVERIFY(std::holds_alternative<Socks5UdpPacket>(parsed));
    const auto& packet = std::get<Socks5UdpPacket>(parsed);
    QCOMPARE(packet.address, target(host, 53));
    const auto ech = extractEchConfig(packet.payload, kDomain);
    QVERIFY2(std::holds_alternative<EchLookupResult>(ech), qPrintable(errorOf(ech)));
    QCOMPARE(std::get<EchLookupResult>(ech).echConfigList, kEchConfigList);
    QCOMPARE(std::get<DnsResponse>(parseDnsResponse(packet.payload)).id, quint16(0x1234));
    QCOMPARE(m_server->requests.size(), 1);
    QCOMPARE(m_server->requests.first().dnsQuery, query);
    QCOMPARE(m_association->counters().queries, 1u);
    QCOMPARE(m_association->counters().answers, 1u);
}

void TestUdpAssociation::dropsOtherPortsAndKeepsServing()
{
    send(target(QStringLiteral("9.9.9.9"), 80), buildDnsQuery(kDomain, DnsType::Https, 1));
    send(target(QStringLiteral("9.9.9.9"), 53), buildDnsQuery(kDomain, DnsType::Https, 2));
    const auto parsed = parseSocks5UdpPacket(receive());
    QVERIFY(std::holds_alternative<Socks5UdpPacket>(parsed));
    QCOMPARE(std::get<Socks5UdpPacket>(parsed).address.port, quint16(53));
    QCOMPARE(std::get<DnsResponse>(parseDnsResponse(std::get<Socks5UdpPacket>(parsed).payload)).id,
             quint16(2));
    QCOMPARE(m_association->counters().droppedNotDns, 1u);
    QCOMPARE(m_association->counters().queries, 1u);
    QCOMPARE(m_server->requests.size(), 1);
}

void TestUdpAssociation::dropsMalformedDatagrams_data()
{
    QTest::addColumn<QByteArray>("datagram");
    const QByteArray query = buildDnsQuery(kDomain, DnsType::Https);
    const QByteArray header = bytes({0, 0, 0, 1, 9, 9, 9, 9, 0, 53});
    QByteArray response = query;
    response[2] = char(response[2] | 0x80);
    QTest::newRow("fragment") << bytes({0, 0, 1, 1, 9, 9, 9, 9, 0, 53}) + query;
    QTest::newRow("truncated header") << bytes({0, 0, 0, 1, 9, 9});
    QTest::newRow("unknown address type") << bytes({0, 0, 0, 9, 9, 9, 9, 9, 0, 53}) + query;
    QTest::newRow("shorter than a DNS header") << header + query.first(11);
    QTest::newRow("a DNS response") << header + response;
    QTest::newRow("empty") << QByteArray();
}

void TestUdpAssociation::dropsMalformedDatagrams()
{
    QFETCH(QByteArray, datagram);
    m_client->writeDatagram(datagram, m_association->address(), m_association->port());
    QTRY_COMPARE(m_association->counters().droppedMalformed, 1u);
    // Still serving.
    send(target(QStringLiteral("9.9.9.9"), 53), buildDnsQuery(kDomain, DnsType::Https));
    QVERIFY(!receive().isEmpty());
    QCOMPARE(m_association->counters().queries, 1u);
}

void TestUdpAssociation::ignoresOtherSenders()
{
    // An association for a client on 127.0.0.2: datagrams from 127.0.0.1 are not its.
    UdpAssociation other(*m_dns, QHostAddress(QStringLiteral("127.0.0.2")), 0);
    QVERIFY(!other.bind(kLoopback));
    const QByteArray datagram = buildSocks5UdpPacket(target(QStringLiteral("9.9.9.9"), 53),
                                                     buildDnsQuery(kDomain, DnsType::Https));
    m_client->writeDatagram(datagram, other.address(), other.port());
    QTRY_COMPARE(other.counters().ignoredForeign, 1u);
    QCOMPARE(other.counters().queries, 0u);
}

void TestUdpAssociation::acceptsOnlyTheAnnouncedPort()
{
    QUdpSocket announced;
    QVERIFY(announced.bind(kLoopback, 0));
    UdpAssociation association(*m_dns, kLoopback, announced.localPort());
    QVERIFY(!association.bind(kLoopback));
    const QByteArray datagram = buildSocks5UdpPacket(target(QStringLiteral("9.9.9.9"), 53),
                                                     buildDnsQuery(kDomain, DnsType::Https));
    m_client->writeDatagram(datagram, association.address(), association.port());
    QTRY_COMPARE(association.counters().ignoredForeign, 1u);
    announced.writeDatagram(datagram, association.address(), association.port());
    QVERIFY(QTest::qWaitFor([&announced] { return announced.hasPendingDatagrams(); }, 10000));
    QCOMPARE(association.counters().answers, 1u);
    QCOMPARE(association.counters().queries, 1u);
}

void TestUdpAssociation::countsFailedExchangesWithoutAnswering()
{
    m_server->behaviour = DohTestServer::Behaviour::Unavailable;
    send(target(QStringLiteral("9.9.9.9"), 53), buildDnsQuery(kDomain, DnsType::Https));
    QTRY_COMPARE(m_association->counters().failed, 1u);
    QCOMPARE(m_association->counters().answers, 0u);
    QVERIFY(!m_client->hasPendingDatagrams());
}

void TestUdpAssociation::limitsQueriesInFlight()
{
    m_server->behaviour = DohTestServer::Behaviour::Silent;
    const int extra = 5;
    for (int i = 0; i < UdpAssociation::kMaxQueriesInFlight + extra; ++i)
        send(target(QStringLiteral("9.9.9.9"), 53), buildDnsQuery(kDomain, DnsType::Https, i));
    QTRY_COMPARE(m_association->counters().droppedBusy, quint64(extra));
    QCOMPARE(m_association->counters().queries, quint64(UdpAssociation::kMaxQueriesInFlight));
}

void TestUdpAssociation::stopsServingWhenClosed()
{
    m_server->behaviour = DohTestServer::Behaviour::Silent;
    auto dns = unwrap(DnsOverTunnel::create(m_direct, m_tls, {m_server->url(), 200ms}));
    UdpAssociation association(*dns, kLoopback, 0);
    QVERIFY(!association.bind(kLoopback));
    const QByteArray datagram = buildSocks5UdpPacket(target(QStringLiteral("9.9.9.9"), 53),
                                                     buildDnsQuery(kDomain, DnsType::Https));
    m_client->writeDatagram(datagram, association.address(), association.port());
    QTRY_COMPARE(m_server->requests.size(), 1);
    association.close();
    QCOMPARE(association.port(), quint16(0));
    // The query in flight was cancelled: a second exchange with the same deadline, started
    // later, fails first, and the cancelled one never counts.
    const auto answer = std::make_shared<std::optional<DnsOverTunnel::Result>>();
    auto later = dns->query(buildDnsQuery(kDomain, DnsType::Https),
                            [answer](DnsOverTunnel::Result result) { *answer = result; });
    QTRY_VERIFY(answer->has_value());
    QCOMPARE(association.counters().failed, 0u);
    QCOMPARE(association.counters().queries, 1u);
}

QTEST_GUILESS_MAIN(TestUdpAssociation)
#include "tst_udpassociation.moc"
