#include "net/TargetAddress.h"

#include <QTest>

using echw::TargetAddress;

class TestTargetAddress : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesAuthorities_data();
    void parsesAuthorities();
    void rejectsBadAuthorities_data();
    void rejectsBadAuthorities();
    void formatsIpv6WithBrackets();
};

void TestTargetAddress::parsesAuthorities_data()
{
    QTest::addColumn<QString>("authority");
    QTest::addColumn<int>("defaultPort");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");

    using K = TargetAddress::Kind;
    QTest::newRow("domain with port")
        << "Example.org:8080" << 0 << int(K::Domain) << "example.org" << 8080;
    QTest::newRow("domain default port")
        << "example.org" << 80 << int(K::Domain) << "example.org" << 80;
    QTest::newRow("ipv4") << "192.0.2.1:443" << 0 << int(K::IPv4) << "192.0.2.1" << 443;
    QTest::newRow("ipv6 bracketed")
        << "[2001:DB8::1]:443" << 0 << int(K::IPv6) << "2001:db8::1" << 443;
    QTest::newRow("ipv6 default port") << "[::1]" << 80 << int(K::IPv6) << "::1" << 80;
    QTest::newRow("underscore label")
        << "_dmarc.example:53" << 0 << int(K::Domain) << "_dmarc.example" << 53;
    QTest::newRow("highest port") << "a.b:65535" << 0 << int(K::Domain) << "a.b" << 65535;
}

void TestTargetAddress::parsesAuthorities()
{
    QFETCH(QString, authority);
    QFETCH(int, defaultPort);
    QFETCH(int, kind);
    QFETCH(QString, host);
    QFETCH(int, port);
    const auto target = TargetAddress::fromAuthority(authority, quint16(defaultPort));
    QVERIFY(target);
    QCOMPARE(int(target->kind), kind);
    QCOMPARE(target->host, host);
    QCOMPARE(int(target->port), port);
}

void TestTargetAddress::rejectsBadAuthorities_data()
{
    QTest::addColumn<QString>("authority");
    QTest::newRow("empty") << "";
    QTest::newRow("no port and no default") << "example.org";
    QTest::newRow("port zero") << "example.org:0";
    QTest::newRow("port too big") << "example.org:65536";
    QTest::newRow("port with sign") << "example.org:+80";
    QTest::newRow("empty port") << "example.org:";
    QTest::newRow("bare ipv6") << "::1:80";
    QTest::newRow("unclosed bracket") << "[::1:80";
    QTest::newRow("ipv4 in brackets") << "[127.0.0.1]:80";
    QTest::newRow("space in name") << "exa mple.org:80";
    QTest::newRow("slash in name") << "a/b:80";
    QTest::newRow("name too long") << QString(254, u'a') + QStringLiteral(":80");
    QTest::newRow("scoped ipv6") << "[fe80::1%eth0]:80";
}

void TestTargetAddress::rejectsBadAuthorities()
{
    QFETCH(QString, authority);
    QVERIFY(!TargetAddress::fromAuthority(authority));
}

void TestTargetAddress::formatsIpv6WithBrackets()
{
    QCOMPARE(TargetAddress::fromHostPort(u"::1", 8080)->toString(), QStringLiteral("[::1]:8080"));
    QCOMPARE(TargetAddress::fromHostPort(u"10.0.0.1", 1)->toString(), QStringLiteral("10.0.0.1:1"));
}

QTEST_APPLESS_MAIN(TestTargetAddress)
#include "tst_targetaddress.moc"
