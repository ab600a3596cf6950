// Which target addresses a public worker refuses to connect to.
#include "AddressPolicy.h"

#include <QTest>

using namespace echw::server;

class TestAddressPolicy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void classifiesInternalAddresses_data();
    void classifiesInternalAddresses();
    void formatsPeersWithBracketsForIPv6();
};

void TestAddressPolicy::classifiesInternalAddresses_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("internal");
    for (const char* address :
         {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
          "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1",
          "fd00::1", "ff02::1", "::ffff:127.0.0.1", "64:ff9b::10.0.0.1"})
        QTest::newRow(address) << QString::fromLatin1(address) << true;
    for (const char* address : {"8.8.8.8", "172.32.0.1", "192.169.0.1", "100.128.0.1",
                                "2001:4860:4860::8888", "::ffff:1.1.1.1", "64:ff9b::1.1.1.1"})
        QTest::newRow(address) << QString::fromLatin1(address) << false;
}

void TestAddressPolicy::classifiesInternalAddresses()
{
    QFETCH(QString, address);
    QFETCH(bool, internal);
    QCOMPARE(isInternalAddress(QHostAddress(address)), internal);
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
