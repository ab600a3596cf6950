// Which target addresses a public worker refuses to connect to: the special-purpose blocks of
// the IANA registries (RFC 6890), the server's own addresses, and numeric hosts read as the system
// resolver reads them.
#include "AddressPolicy.h"

#include <QTest>

using namespace echw::server;
using namespace std::chrono_literals;

class TestAddressPolicy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void namesTheSpecialPurposeBlockOfAnAddress_data();
    void namesTheSpecialPurposeBlockOfAnAddress();
    void readsNumericHostsAsTheSystemResolverDoes_data();
    void readsNumericHostsAsTheSystemResolverDoes();
    void refusesTheServersOwnAddressesInEveryForm_data();
    void refusesTheServersOwnAddressesInEveryForm();
    void allowsEverythingWhenInternalTargetsAreAllowed();
    void readsTheLocalAddressesAgainOnlyWhenTheyAreOld();
    void formatsPeersWithBracketsForIPv6();
};

void TestAddressPolicy::namesTheSpecialPurposeBlockOfAnAddress_data()
{
    QTest::addColumn<QString>("address");
    // The CIDR the refusal names; empty for an address a public worker may reach.
    QTest::addColumn<QString>("block");
    const struct {
        const char* address;
        const char* block;
    } rows[] = {
        // IPv4 registry
        {"0.0.0.0", "0.0.0.0/8"},
        {"0.1.2.3", "0.0.0.0/8"},
        {"10.1.2.3", "10.0.0.0/8"},
        {"100.64.0.1", "100.64.0.0/10"},
        {"100.127.255.255", "100.64.0.0/10"},
        {"127.0.0.1", "127.0.0.0/8"},
        {"127.255.255.254", "127.0.0.0/8"},
        {"169.254.169.254", "169.254.0.0/16"},
        {"172.16.0.1", "172.16.0.0/12"},
        {"172.31.255.255", "172.16.0.0/12"},
        {"192.0.0.1", "192.0.0.0/24"},
        {"192.0.0.170", "192.0.0.0/24"},
        {"192.0.2.1", "192.0.2.0/24"},
        {"192.88.99.1", "192.88.99.0/24"},
        {"192.168.1.1", "192.168.0.0/16"},
        {"198.18.0.1", "198.18.0.0/15"},
        {"198.19.255.255", "198.18.0.0/15"},
        {"198.51.100.7", "198.51.100.0/24"},
        {"203.0.113.9", "203.0.113.0/24"},
        {"224.0.0.1", "224.0.0.0/4"},
        {"239.255.255.250", "224.0.0.0/4"},
        {"240.0.0.1", "240.0.0.0/4"},
        {"255.255.255.254", "240.0.0.0/4"},
        {"255.255.255.255", "255.255.255.255/32"},
        // globally reachable, inside or beside the blocks
        {"192.0.0.9", ""},
        {"192.0.0.10", ""},
        {"8.8.8.8", ""},
        {"1.1.1.1", ""},
        {"9.255.255.255", ""},
        {"11.0.0.0", ""},
        {"100.63.255.255", ""},
        {"100.128.0.1", ""},
        {"172.15.255.255", ""},
        {"172.32.0.1", ""},
        {"192.0.1.1", ""},
        {"192.169.0.1", ""},
        {"192.31.196.1", ""},
        {"198.17.255.255", ""},
        {"198.20.0.0", ""},
        {"203.0.114.1", ""},
        {"223.255.255.255", ""},
        // IPv6 registry
        {"::", "::/128"},
        {"::1", "::1/128"},
        {"::ffff:127.0.0.1", "127.0.0.0/8"},
        {"::ffff:10.0.0.1", "10.0.0.0/8"},
        {"::ffff:7f00:1", "127.0.0.0/8"},
        {"::127.0.0.1", "::/3"}, // IPv4-compatible, deprecated (RFC 4291 section 2.5.5.1)
        {"64:ff9b::10.0.0.1", "10.0.0.0/8"},
        {"64:ff9b::127.0.0.1", "127.0.0.0/8"},
        {"64:ff9b:1::1.1.1.1", "64:ff9b:1::/48"},
        {"100::1", "100::/64"},
        {"2001::1", "2001::/32"},
        {"2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::/32"},
        {"2001:2::1", "2001:2::/48"},
        {"2001:10::1", "2001:10::/28"},
        {"2001:100::1", "2001::/23"},
        {"2001:db8::1", "2001:db8::/32"},
        {"2002:7f00:1::1", "127.0.0.0/8"},
        {"2002:c0a8:101::1", "192.168.0.0/16"},
        {"3fff::1", "3fff::/20"},
        {"5f00::1", "5f00::/16"},
        {"fc00::1", "fc00::/7"},
        {"fd12:3456::1", "fc00::/7"},
        {"fe80::1", "fe80::/10"},
        {"febf::1", "fe80::/10"},
        {"fec0::1", "fec0::/10"},
        {"ff02::1", "ff00::/8"},
        {"4000::1", "4000::/2"},
        {"8000::1", "8000::/1"},
        {"1fff:ffff::1", "::/3"},
        // globally reachable IPv6
        {"2001:1::1", ""},
        {"2001:1::2", ""},
        {"2001:1::3", ""},
        {"2001:3::1", ""},
        {"2001:4:112::1", ""},
        {"2001:20::1", ""},
        {"2001:30::1", ""},
        {"2001:200::1", ""},
        {"2001:4860:4860::8888", ""},
        {"2002:808:808::1", ""},
        {"2606:4700::1111", ""},
        {"2620:4f:8000::1", ""},
        {"3ffe::1", ""},
        {"::ffff:1.1.1.1", ""},
        {"64:ff9b::1.1.1.1", ""},
    };
    for (const auto& row : rows)
        QTest::newRow(row.address)
            << QString::fromLatin1(row.address) << QString::fromLatin1(row.block);
}

void TestAddressPolicy::namesTheSpecialPurposeBlockOfAnAddress()
{
    QFETCH(QString, address);
    QFETCH(QString, block);
    const QHostAddress parsed(address);
    QVERIFY(!parsed.isNull());
    const auto found = specialPurposeBlock(parsed);
    if (block.isEmpty()) {
        QVERIFY2(!found, qPrintable(found.value_or(QString())));
        QVERIFY(TargetPolicy(false, LocalAddresses([] { return QList<QHostAddress>(); }))
                    .refusal(parsed) == std::nullopt);
        return;
    }
    QVERIFY(found);
    QVERIFY2(found->startsWith(block + u','), qPrintable(*found));
    QVERIFY(isInternalAddress(parsed));
}

void TestAddressPolicy::readsNumericHostsAsTheSystemResolverDoes_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("address"); // empty: not numeric, the resolver asks DNS
    const struct {
        const char* host;
        const char* address;
    } rows[] = {
        {"127.0.0.1", "127.0.0.1"},
        {"127.1", "127.0.0.1"},
        {"127.0.1", "127.0.0.1"},
        {"0x7f.1", "127.0.0.1"},
        {"0X7F.0.0.1", "127.0.0.1"},
        {"0177.0.0.1", "127.0.0.1"},
        {"0177.1", "127.0.0.1"},
        {"2130706433", "127.0.0.1"},
        {"0x7f000001", "127.0.0.1"},
        {"017700000001", "127.0.0.1"},
        {"167772161", "10.0.0.1"},
        {"010.0.0.1", "8.0.0.1"},
        {"0", "0.0.0.0"},
        {"1.2.3.4", "1.2.3.4"},
        {"localhost", ""},
        {"example.com", ""},
        {"deadbeef", ""},
        {"1e3", ""},
        {"1.2.3.4.5", ""},
        {"256.0.0.1", ""},
        {"08.0.0.1", ""},
        {"4294967296", ""},
        {"1.2.3.4-x", ""},
        {"::1", ""},
        {"", ""},
    };
    for (const auto& row : rows)
        QTest::newRow(*row.host ? row.host : "(empty)")
            << QString::fromLatin1(row.host) << QString::fromLatin1(row.address);
}

void TestAddressPolicy::readsNumericHostsAsTheSystemResolverDoes()
{
    QFETCH(QString, host);
    QFETCH(QString, address);
    const auto numeric = numericIPv4Host(host);
    if (address.isEmpty()) {
        QVERIFY2(!numeric, qPrintable(numeric.value_or(QHostAddress()).toString()));
        return;
    }
    QVERIFY(numeric);
    QCOMPARE(numeric->toString(), address);
}

void TestAddressPolicy::refusesTheServersOwnAddressesInEveryForm_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("refused");
    // The server's public addresses, as its interfaces list them (below).
    QTest::newRow("own IPv4") << "203.0.114.7" << true;
    QTest::newRow("own IPv4, mapped") << "::ffff:203.0.114.7" << true;
    QTest::newRow("own IPv4 through NAT64") << "64:ff9b::203.0.114.7" << true;
    QTest::newRow("own IPv4 through 6to4") << "2002:cb00:7207::1" << true;
    QTest::newRow("own IPv6") << "2a01:4f8::5" << true;
    QTest::newRow("a neighbour") << "203.0.114.8" << false;
    QTest::newRow("another IPv6") << "2a01:4f8::6" << false;
}

void TestAddressPolicy::refusesTheServersOwnAddressesInEveryForm()
{
    QFETCH(QString, address);
    QFETCH(bool, refused);
    TargetPolicy policy(false, LocalAddresses([] {
                            return QList<QHostAddress>{
                                QHostAddress(QStringLiteral("127.0.0.1")),
                                QHostAddress(QStringLiteral("203.0.114.7")),
                                QHostAddress(QStringLiteral("2a01:4f8::5")),
                                QHostAddress(QStringLiteral("fe80::1%1")),
                            };
                        }));
    QCOMPARE(policy.refusal(QHostAddress(address)).has_value(), refused);
}

void TestAddressPolicy::allowsEverythingWhenInternalTargetsAreAllowed()
{
    TargetPolicy policy(true, LocalAddresses([] {
                            return QList<QHostAddress>{QHostAddress(QStringLiteral("8.8.8.8"))};
                        }));
    for (const char* address : {"127.0.0.1", "::1", "10.0.0.1", "8.8.8.8", "fe80::1", "ff02::1"})
        QVERIFY2(!policy.refusal(QHostAddress(QString::fromLatin1(address))), address);
}

void TestAddressPolicy::readsTheLocalAddressesAgainOnlyWhenTheyAreOld()
{
    int reads = 0;
    QList<QHostAddress> interfaces{QHostAddress(QStringLiteral("203.0.114.7"))};
    const auto source = [&] {
        ++reads;
        return interfaces;
    };
    const QHostAddress gained(QStringLiteral("203.0.114.99"));

    LocalAddresses cached(source, 1h);
    QVERIFY(cached.contains(QHostAddress(QStringLiteral("203.0.114.7"))));
    interfaces.append(gained);
    QVERIFY(!cached.contains(gained));
    QCOMPARE(reads, 1);

    LocalAddresses fresh(source, 0ms);
    QVERIFY(fresh.contains(gained));
    interfaces.removeLast();
    QVERIFY(!fresh.contains(gained));
    QCOMPARE(reads, 3);
}

void TestAddressPolicy::formatsPeersWithBracketsForIPv6()
{
    QCOMPARE((SocketPeer{QHostAddress(QStringLiteral("::1")), 443}).toString(),
             QStringLiteral("[::1]:443"));
    QCOMPARE((SocketPeer{QHostAddress(QStringLiteral("192.0.2.1")), 80}).toString(),
             QStringLiteral("192.0.2.1:80"));
}

QTEST_GUILESS_MAIN(TestAddressPolicy)
#include "tst_addresspolicy.moc"
