#include "routing/RoutingDecision.h"

#include <QTest>

using namespace echw;

class TestRoutingDecision : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void namesARangeAsACidrBlockWhenItIsOne_data()
    {
        QTest::addColumn<QString>("first");
        QTest::addColumn<QString>("last");
        QTest::addColumn<QString>("text");
        QTest::newRow("/16") << "1.2.0.0"
                             << "1.2.255.255"
                             << "1.2.0.0/16";
        QTest::newRow("/32") << "1.2.3.4"
                             << "1.2.3.4"
                             << "1.2.3.4/32";
        QTest::newRow("/0") << "0.0.0.0"
                            << "255.255.255.255"
                            << "0.0.0.0/0";
        QTest::newRow("unaligned") << "1.0.1.0"
                                   << "1.0.3.255"
                                   << "1.0.1.0-1.0.3.255";
        QTest::newRow("not a power of two") << "10.0.0.0"
                                            << "10.0.2.255"
                                            << "10.0.0.0-10.0.2.255";
        QTest::newRow("ipv6 /32") << "2001:db8::"
                                  << "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"
                                  << "2001:db8::/32";
        QTest::newRow("ipv6 /64 across the halves") << "2001:db8:0:1::"
                                                    << "2001:db8:0:1:ffff:ffff:ffff:ffff"
                                                    << "2001:db8:0:1::/64";
        QTest::newRow("ipv6 range") << "2001:db8::"
                                    << "2001:db8::ffff:0"
                                    << "2001:db8::-2001:db8::ffff:0";
        QTest::newRow("mixed families") << "1.2.3.4"
                                        << "::1"
                                        << "1.2.3.4-::1";
    }

    void namesARangeAsACidrBlockWhenItIsOne()
    {
        QFETCH(QString, first);
        QFETCH(QString, last);
        QFETCH(QString, text);
        QCOMPARE(addressRangeText(QHostAddress(first), QHostAddress(last)), text);
    }

    void describesEachReasonForTheLog()
    {
        RouteReason reason;
        reason.kind = RouteReason::Kind::UserRule;
        reason.ruleLine = 3;
        reason.ruleText = QStringLiteral("suffix:example.com direct");
        QCOMPARE(describeRoutingReason(reason),
                 QStringLiteral("rule 3: suffix:example.com direct"));
        reason = {};
        reason.kind = RouteReason::Kind::ChinaList;
        reason.listFirst = QHostAddress(QStringLiteral("1.2.0.0"));
        reason.listLast = QHostAddress(QStringLiteral("1.2.255.255"));
        QCOMPARE(describeRoutingReason(reason), QStringLiteral("in China list 1.2.0.0/16"));
        reason = {};
        reason.kind = RouteReason::Kind::Mode;
        reason.mode = RoutingMode::None;
        QCOMPARE(describeRoutingReason(reason), QStringLiteral("none mode"));
        reason.kind = RouteReason::Kind::NotInChinaList;
        QCOMPARE(describeRoutingReason(reason), QStringLiteral("not in China list"));
    }
};

QTEST_GUILESS_MAIN(TestRoutingDecision)
#include "tst_routingdecision.moc"
