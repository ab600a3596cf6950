#include "TestValues.h"
#include "inbound/Socks5UdpPacket.h"

#include <QTest>

using echw::buildSocks5UdpPacket;
using echw::parseSocks5UdpPacket;
using echw::Socks5UdpPacket;
using echw::Socks5UdpPacketError;
using echw::TargetAddress;
using echw::test::bytes;

Q_DECLARE_METATYPE(Socks5UdpPacketError)

namespace {

const QByteArray kIpv6Loopback = bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});

// RSV RSV FRAG
QByteArray header(int frag = 0)
{
    return bytes({0, 0, frag});
}

} // namespace

class TestSocks5UdpPacket : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesEachAddressType_data();
    void parsesEachAddressType();
    void rejects_data();
    void rejects();
    void buildsEachAddressType_data();
    void buildsEachAddressType();
    void roundTrips();
};

void TestSocks5UdpPacket::parsesEachAddressType_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<QString>("address");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QByteArray>("payload");

    QTest::newRow("ipv4") << header() + bytes({1, 9, 9, 9, 9, 0, 53}) + "query"
                          << QStringLiteral("9.9.9.9:53") << int(TargetAddress::Kind::IPv4)
                          << QByteArray("query");
    QTest::newRow("ipv6") << header() + bytes({4}) + kIpv6Loopback + bytes({0x14, 0xe9}) + "q"
                          << QStringLiteral("[::1]:5353") << int(TargetAddress::Kind::IPv6)
                          << QByteArray("q");
    QTest::newRow("domain") << header() + bytes({3, 7}) + "DNS.Foo" + bytes({0, 53}) + "x"
                            << QStringLiteral("dns.foo:53") << int(TargetAddress::Kind::Domain)
                            << QByteArray("x");
    QTest::newRow("empty payload")
        << header() + bytes({1, 1, 1, 1, 1, 0, 53}) << QStringLiteral("1.1.1.1:53")
        << int(TargetAddress::Kind::IPv4) << QByteArray();
    // RSV carries nothing; a client that fills it is not refused.
    QTest::newRow("non-zero rsv") << bytes({0xff, 0xff, 0, 1, 1, 2, 3, 4, 0, 80}) + "p"
                                  << QStringLiteral("1.2.3.4:80") << int(TargetAddress::Kind::IPv4)
                                  << QByteArray("p");
}

void TestSocks5UdpPacket::parsesEachAddressType()
{
    QFETCH(QByteArray, datagram);
    QFETCH(QString, address);
    QFETCH(int, kind);
    QFETCH(QByteArray, payload);
    const auto parsed = parseSocks5UdpPacket(datagram);
    QVERIFY(std::holds_alternative<Socks5UdpPacket>(parsed));
    const auto& packet = std::get<Socks5UdpPacket>(parsed);
    QCOMPARE(packet.address.toString(), address);
    QCOMPARE(int(packet.address.kind), kind);
    QCOMPARE(packet.payload, payload);
}

void TestSocks5UdpPacket::rejects_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<Socks5UdpPacketError>("error");

    QTest::newRow("empty") << QByteArray() << Socks5UdpPacketError::Truncated;
    QTest::newRow("header only") << header() << Socks5UdpPacketError::Truncated;
    QTest::newRow("ipv4 cut") << header() + bytes({1, 9, 9}) << Socks5UdpPacketError::Truncated;
    QTest::newRow("port cut") << header() + bytes({1, 9, 9, 9, 9, 0})
                              << Socks5UdpPacketError::Truncated;
    QTest::newRow("ipv6 cut") << header() + bytes({4}) + kIpv6Loopback
                              << Socks5UdpPacketError::Truncated;
    QTest::newRow("domain length missing")
        << header() + bytes({3}) << Socks5UdpPacketError::Truncated;
    QTest::newRow("domain cut") << header() + bytes({3, 10}) + "abc"
                                << Socks5UdpPacketError::Truncated;
    QTest::newRow("fragment 1") << header(1) + bytes({1, 9, 9, 9, 9, 0, 53}) + "q"
                                << Socks5UdpPacketError::Fragmented;
    QTest::newRow("last fragment")
        << header(0x81) + bytes({1, 9, 9, 9, 9, 0, 53}) + "q" << Socks5UdpPacketError::Fragmented;
    QTest::newRow("unknown address type")
        << header() + bytes({2, 9, 9, 9, 9, 0, 53}) << Socks5UdpPacketError::UnknownAddressType;
    QTest::newRow("address type zero")
        << header() + bytes({0}) << Socks5UdpPacketError::UnknownAddressType;
    QTest::newRow("empty domain") << header() + bytes({3, 0, 0, 53})
                                  << Socks5UdpPacketError::InvalidAddress;
    QTest::newRow("domain with a space") << header() + bytes({3, 3}) + "a b" + bytes({0, 53})
                                         << Socks5UdpPacketError::InvalidAddress;
    QTest::newRow("port zero") << header() + bytes({1, 9, 9, 9, 9, 0, 0})
                               << Socks5UdpPacketError::InvalidAddress;
}

void TestSocks5UdpPacket::rejects()
{
    QFETCH(QByteArray, datagram);
    QFETCH(Socks5UdpPacketError, error);
    const auto parsed = parseSocks5UdpPacket(datagram);
    QVERIFY(std::holds_alternative<Socks5UdpPacketError>(parsed));
    QCOMPARE(std::get<Socks5UdpPacketError>(parsed), error);
    QVERIFY(qstrlen(echw::describe(error)) > 0);
}

void TestSocks5UdpPacket::buildsEachAddressType_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<quint16>("port");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("ipv4") << QStringLiteral("9.9.9.9") << quint16(53)
                          << header() + bytes({1, 9, 9, 9, 9, 0, 53}) + "answer";
    QTest::newRow("ipv6") << QStringLiteral("::1") << quint16(853)
                          << header() + bytes({4}) + kIpv6Loopback + bytes({3, 0x55}) + "answer";
    QTest::newRow("domain") << QStringLiteral("dns.example") << quint16(53)
                            << header() + bytes({3, 11}) + "dns.example" + bytes({0, 53}) +
                                   "answer";
}

void TestSocks5UdpPacket::buildsEachAddressType()
{
    QFETCH(QString, host);
    QFETCH(quint16, port);
    QFETCH(QByteArray, expected);
    const auto address = TargetAddress::fromHostPort(host, port);
    QVERIFY(address);
    QCOMPARE(buildSocks5UdpPacket(*address, "answer"), expected);
}

void TestSocks5UdpPacket::roundTrips()
{
    QByteArray payload;
    for (int i = 0; i < 512; ++i)
        payload.append(char(i));
    for (const QString& host :
         {QStringLiteral("192.0.2.7"), QStringLiteral("2001:db8::1"), QStringLiteral("a.b.c")}) {
        const auto address = TargetAddress::fromHostPort(host, 53);
        QVERIFY(address);
        const auto parsed = parseSocks5UdpPacket(buildSocks5UdpPacket(*address, payload));
        QVERIFY(std::holds_alternative<Socks5UdpPacket>(parsed));
        QCOMPARE(std::get<Socks5UdpPacket>(parsed).address, *address);
        QCOMPARE(std::get<Socks5UdpPacket>(parsed).payload, payload);
    }
}

QTEST_APPLESS_MAIN(TestSocks5UdpPacket)
#include "tst_socks5udppacket.moc"
