// UserRules: the rules format, its errors, and first-match-wins matching of names and
// addresses; the action names of RoutingDecision.
#include "routing/UserRules.h"

#include <QTest>

using namespace echw;

Q_DECLARE_METATYPE(std::optional<QHostAddress>)

namespace {

UserRules parsedRules(const QString& text)
{
    auto result = UserRules::parse(text);
    if (auto* error = std::get_if<RuleError>(&result))
        qFatal("%s", qPrintable(error->message()));
    return std::get<UserRules>(std::move(result));
}

std::optional<QHostAddress> address(const char* text)
{
    return QHostAddress(QLatin1StringView(text));
}

// "direct#2@5": action, rule index and line of a match; "none" for no match.
QString matchText(const std::optional<RuleMatch>& match)
{
    if (!match)
        return QStringLiteral("none");
    return QStringLiteral("%1#%2@%3")
        .arg(routeActionName(match->action), QString::number(match->ruleIndex),
             QString::number(match->line));
}

const QString kRules =
    QStringLiteral("# routing rules\n"                    // line 1
                   "domain:exact.example direct\n"        // 2, rule 0
                   "suffix:example.com tunnel   # work\n" // 3, rule 1
                   "\n"                                   // 4
                   "suffix:example.com direct\n" // 5, rule 2: never reached for example.com
                   "keyword:ads block\n"         // 6, rule 3
                   "cidr:10.0.0.0/8 direct\n"    // 7, rule 4
                   "cidr:2001:db8::/32 block\n"  // 8, rule 5
                   "cidr:192.0.2.128/25 block\n" // 9, rule 6
                   "suffix:cn direct\n"          // 10, rule 7
                   "cidr:0.0.0.0/0 tunnel\n");   // 11, rule 8

} // namespace

class TestUserRules : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesFirstRule_data();
    void matchesFirstRule();
    void readsFormatVariants();
    void matchesWholeFamilies();
    void matchesMappedPrefixesAsIpv4();
    void addressLiteralsAreNotNames();
    void matchesInternationalisedNames();
    void rejectsBadRules_data();
    void rejectsBadRules();
    void emptyRulesMatchNothing();
    void namesActions();
};

void TestUserRules::matchesFirstRule_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<std::optional<QHostAddress>>("address");
    QTest::addColumn<QString>("match");

    const std::optional<QHostAddress> none;
    QTest::newRow("exact domain") << QStringLiteral("exact.example") << none
                                  << QStringLiteral("direct#0@2");
    QTest::newRow("exact domain, other case, final dot")
        << QStringLiteral("EXACT.Example.") << none << QStringLiteral("direct#0@2");
    QTest::newRow("domain rule is not a suffix rule")
        << QStringLiteral("a.exact.example") << none << QStringLiteral("none");
    QTest::newRow("suffix itself")
        << QStringLiteral("example.com") << none << QStringLiteral("tunnel#1@3");
    QTest::newRow("subdomain") << QStringLiteral("a.b.Example.COM") << none
                               << QStringLiteral("tunnel#1@3");
    QTest::newRow("not at a label boundary")
        << QStringLiteral("badexample.com") << none << QStringLiteral("none");
    QTest::newRow("suffix only at the end")
        << QStringLiteral("example.com.evil.net") << none << QStringLiteral("none");
    QTest::newRow("keyword") << QStringLiteral("cdn.ADSERVER.net") << none
                             << QStringLiteral("block#3@6");
    QTest::newRow("earlier rule wins over keyword")
        << QStringLiteral("ads.example.com") << none << QStringLiteral("tunnel#1@3");
    QTest::newRow("name rules before later address rules")
        << QStringLiteral("example.com") << address("10.1.1.1") << QStringLiteral("tunnel#1@3");
    QTest::newRow("address rule before later name rules")
        << QStringLiteral("www.gov.cn") << address("10.1.1.1") << QStringLiteral("direct#4@7");
    QTest::newRow("name rule without address")
        << QStringLiteral("www.gov.cn") << none << QStringLiteral("direct#7@10");
    QTest::newRow("IPv4 first") << QString() << address("10.0.0.0") << QStringLiteral("direct#4@7");
    QTest::newRow("IPv4 last") << QString() << address("10.255.255.255")
                               << QStringLiteral("direct#4@7");
    QTest::newRow("IPv4 one past last, caught by /0")
        << QString() << address("11.0.0.0") << QStringLiteral("tunnel#8@11");
    QTest::newRow("mapped IPv4") << QString() << address("::ffff:10.2.3.4")
                                 << QStringLiteral("direct#4@7");
    QTest::newRow("IPv4 /25 first")
        << QString() << address("192.0.2.128") << QStringLiteral("block#6@9");
    QTest::newRow("IPv4 /25 one before")
        << QString() << address("192.0.2.127") << QStringLiteral("tunnel#8@11");
    QTest::newRow("IPv6 first") << QString() << address("2001:db8::")
                                << QStringLiteral("block#5@8");
    QTest::newRow("IPv6 last") << QString() << address("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")
                               << QStringLiteral("block#5@8");
    QTest::newRow("IPv6 one past last")
        << QString() << address("2001:db9::") << QStringLiteral("none");
    QTest::newRow("IPv6 is not matched by an IPv4 /0")
        << QString() << address("2001:db7::1") << QStringLiteral("none");
    QTest::newRow("nothing") << QStringLiteral("example.org") << none << QStringLiteral("none");
    QTest::newRow("null address") << QStringLiteral("example.org")
                                  << std::optional<QHostAddress>(QHostAddress())
                                  << QStringLiteral("none");
}

void TestUserRules::matchesFirstRule()
{
    QFETCH(QString, host);
    QFETCH(std::optional<QHostAddress>, address);
    QFETCH(QString, match);
    const UserRules rules = parsedRules(kRules);
    QCOMPARE(rules.rules().size(), size_t(9));
    QCOMPARE(matchText(rules.match(host, address)), match);
}

void TestUserRules::readsFormatVariants()
{
    const UserRules rules = parsedRules(
        QStringLiteral("\r\n  SUFFIX:Example.COM.\tDIRECT  \r\n#x\r\nKeyword:Tracker Block\r\n"
                       "domain:_dmarc.example tunnel"));
    QCOMPARE(rules.rules().size(), size_t(3));
    const auto match = rules.match(QStringLiteral("www.example.com"), std::nullopt);
    QVERIFY(match);
    QCOMPARE(match->action, RouteAction::Direct);
    QCOMPARE(match->ruleIndex, 0);
    QCOMPARE(match->line, 2);
    QCOMPARE(match->ruleText, QStringLiteral("SUFFIX:Example.COM.\tDIRECT"));
    QCOMPARE(rules.rules()[0].value, QStringLiteral("example.com"));
    QCOMPARE(rules.rules()[1].value, QStringLiteral("tracker"));
    QCOMPARE(rules.rules()[1].line, 4);
    QCOMPARE(matchText(rules.match(QStringLiteral("_dmarc.example"), std::nullopt)),
             QStringLiteral("tunnel#2@5"));
}

void TestUserRules::matchesWholeFamilies()
{
    const UserRules rules = parsedRules(QStringLiteral("cidr:2001:db8::1/128 direct\n"
                                                       "cidr:198.51.100.7/32 direct\n"
                                                       "cidr:::/0 block\n"));
    QCOMPARE(matchText(rules.match({}, address("2001:db8::1"))), QStringLiteral("direct#0@1"));
    QCOMPARE(matchText(rules.match({}, address("2001:db8::2"))), QStringLiteral("block#2@3"));
    QCOMPARE(matchText(rules.match({}, address("198.51.100.7"))), QStringLiteral("direct#1@2"));
    QCOMPARE(matchText(rules.match({}, address("198.51.100.8"))), QStringLiteral("none"));
    // A mapped address is IPv4, so the IPv6 /0 does not take it.
    QCOMPARE(matchText(rules.match({}, address("::ffff:198.51.100.8"))), QStringLiteral("none"));
}

void TestUserRules::matchesMappedPrefixesAsIpv4()
{
    // Every address in ::ffff:0:0/96 is judged as IPv4, so such a prefix is the IPv4 one.
    const UserRules rules = parsedRules(QStringLiteral("cidr:::ffff:10.0.0.0/104 direct\n"
                                                       "cidr:::ffff:0:0/96 block\n"));
    QCOMPARE(rules.rules()[0].ipv4, true);
    QCOMPARE(rules.rules()[0].prefixLength, 8);
    QCOMPARE(rules.rules()[0].text, QStringLiteral("cidr:::ffff:10.0.0.0/104 direct"));
    QCOMPARE(matchText(rules.match({}, address("10.1.2.3"))), QStringLiteral("direct#0@1"));
    QCOMPARE(matchText(rules.match({}, address("::ffff:10.1.2.3"))), QStringLiteral("direct#0@1"));
    QCOMPARE(matchText(rules.match({}, address("192.0.2.1"))), QStringLiteral("block#1@2"));
    QCOMPARE(matchText(rules.match({}, address("2001:db8::1"))), QStringLiteral("none"));
}

void TestUserRules::addressLiteralsAreNotNames()
{
    const UserRules rules = parsedRules(QStringLiteral("keyword:10 block\nkeyword:db8 block\n"));
    QCOMPARE(matchText(rules.match(QStringLiteral("10.9.9.9"), std::nullopt)),
             QStringLiteral("none"));
    QCOMPARE(matchText(rules.match(QStringLiteral("2001:db8::1"), std::nullopt)),
             QStringLiteral("none"));
    QCOMPARE(matchText(rules.match(QStringLiteral("10.example"), std::nullopt)),
             QStringLiteral("block#0@1"));
    QCOMPARE(matchText(rules.match(QStringLiteral("db8.example"), std::nullopt)),
             QStringLiteral("block#1@2"));
}

void TestUserRules::matchesInternationalisedNames()
{
    const UserRules rules = parsedRules(QStringLiteral("suffix:例子.中国 direct\n"));
    QCOMPARE(rules.rules()[0].value, QStringLiteral("xn--fsqu00a.xn--fiqs8s"));
    QCOMPARE(matchText(rules.match(QStringLiteral("www.xn--fsqu00a.xn--fiqs8s"), std::nullopt)),
             QStringLiteral("direct#0@1"));
}

void TestUserRules::rejectsBadRules_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("message");

    QTest::newRow("space in domain")
        << QStringLiteral("domain:ok.example direct\n\nsuffix:exa mple.com direct\n") << 3
        << QStringLiteral("rules line 3: \"suffix:exa mple.com direct\": invalid domain "
                          "\"exa mple.com\"");
    QTest::newRow("empty label") << QStringLiteral("suffix:a..b direct") << 1
                                 << QStringLiteral("rules line 1: \"suffix:a..b direct\": invalid "
                                                   "domain \"a..b\"");
    QTest::newRow("leading dot") << QStringLiteral("suffix:.example.com direct") << 1
                                 << QStringLiteral("rules line 1: \"suffix:.example.com direct\": "
                                                   "invalid domain \".example.com\"");
    QTest::newRow("empty domain") << QStringLiteral("domain: direct") << 1
                                  << QStringLiteral("rules line 1: \"domain: direct\": invalid "
                                                    "domain \"\"");
    QTest::newRow("label too long")
        << QStringLiteral("domain:") + QString(64, u'a') + QStringLiteral(".com direct") << 1
        << QStringLiteral("rules line 1: \"domain:") + QString(64, u'a') +
               QStringLiteral(".com direct\": invalid domain \"") + QString(64, u'a') +
               QStringLiteral(".com\"");
    QTest::newRow("address as domain")
        << QStringLiteral("domain:192.0.2.1 direct") << 1
        << QStringLiteral("rules line 1: \"domain:192.0.2.1 direct\": \"192.0.2.1\" is an "
                          "address, not a domain (match addresses with cidr:ADDRESS/LENGTH)");
    QTest::newRow("wildcard") << QStringLiteral("domain:*.example.com tunnel") << 1
                              << QStringLiteral("rules line 1: \"domain:*.example.com tunnel\": "
                                                "invalid domain \"*.example.com\"");
    QTest::newRow("bad keyword") << QStringLiteral("keyword:a/b block") << 1
                                 << QStringLiteral("rules line 1: \"keyword:a/b block\": invalid "
                                                   "keyword \"a/b\" (letters, digits, '-', '_' "
                                                   "and '.')");
    QTest::newRow("no action") << QStringLiteral("# x\nsuffix:example.com") << 2
                               << QStringLiteral("rules line 2: \"suffix:example.com\": no action "
                                                 "(direct, tunnel or block) after the rule");
    QTest::newRow("unknown action") << QStringLiteral("suffix:example.com proxy") << 1
                                    << QStringLiteral("rules line 1: \"suffix:example.com proxy\": "
                                                      "unknown action \"proxy\" (direct, tunnel "
                                                      "or block)");
    QTest::newRow("arrow syntax") << QStringLiteral("suffix:example.com -> direct") << 1
                                  << QStringLiteral("rules line 1: \"suffix:example.com -> "
                                                    "direct\": invalid domain \"example.com ->\"");
    QTest::newRow("unknown type") << QStringLiteral("regex:.* block") << 1
                                  << QStringLiteral("rules line 1: \"regex:.* block\": expected "
                                                    "TYPE:VALUE with TYPE domain, suffix, keyword "
                                                    "or cidr");
    QTest::newRow("no type") << QStringLiteral("example.com direct") << 1
                             << QStringLiteral("rules line 1: \"example.com direct\": expected "
                                               "TYPE:VALUE with TYPE domain, suffix, keyword or "
                                               "cidr");
    QTest::newRow("no prefix length") << QStringLiteral("cidr:10.0.0.0 direct") << 1
                                      << QStringLiteral("rules line 1: \"cidr:10.0.0.0 direct\": "
                                                        "invalid CIDR \"10.0.0.0\" (expected "
                                                        "ADDRESS/LENGTH, e.g. 10.0.0.0/8 or "
                                                        "2001:db8::/32)");
    QTest::newRow("short IPv4") << QStringLiteral("cidr:10/8 direct") << 1
                                << QStringLiteral("rules line 1: \"cidr:10/8 direct\": invalid "
                                                  "CIDR \"10/8\" (expected ADDRESS/LENGTH, e.g. "
                                                  "10.0.0.0/8 or 2001:db8::/32)");
    QTest::newRow("IPv4 prefix too long") << QStringLiteral("cidr:10.0.0.0/33 direct") << 1
                                          << QStringLiteral("rules line 1: \"cidr:10.0.0.0/33 "
                                                            "direct\": invalid prefix length "
                                                            "\"33\" (0 to 32)");
    QTest::newRow("IPv6 prefix too long") << QStringLiteral("cidr:2001:db8::/129 direct") << 1
                                          << QStringLiteral("rules line 1: \"cidr:2001:db8::/129 "
                                                            "direct\": invalid prefix length "
                                                            "\"129\" (0 to 128)");
    QTest::newRow("signed prefix") << QStringLiteral("cidr:10.0.0.0/+8 direct") << 1
                                   << QStringLiteral("rules line 1: \"cidr:10.0.0.0/+8 direct\": "
                                                     "invalid prefix length \"+8\" (0 to 32)");
    QTest::newRow("IPv4 host bits") << QStringLiteral("cidr:10.1.0.0/8 direct") << 1
                                    << QStringLiteral("rules line 1: \"cidr:10.1.0.0/8 direct\": "
                                                      "host bits are set (the network is "
                                                      "10.0.0.0/8)");
    QTest::newRow("IPv6 host bits") << QStringLiteral("cidr:2001:db8::1/64 block") << 1
                                    << QStringLiteral("rules line 1: \"cidr:2001:db8::1/64 "
                                                      "block\": host bits are set (the network "
                                                      "is 2001:db8::/64)");
}

void TestUserRules::rejectsBadRules()
{
    QFETCH(QString, text);
    QFETCH(int, line);
    QFETCH(QString, message);
    const auto result = UserRules::parse(text);
    const auto* error = std::get_if<RuleError>(&result);
    QVERIFY(error);
    QCOMPARE(error->line, line);
    QCOMPARE(error->message(), message);
}

void TestUserRules::emptyRulesMatchNothing()
{
    const UserRules rules = parsedRules(QStringLiteral("# nothing yet\n\n"));
    QVERIFY(rules.isEmpty());
    QVERIFY(!rules.match(QStringLiteral("example.com"), address("10.0.0.1")));
}

void TestUserRules::namesActions()
{
    for (RouteAction action : {RouteAction::Direct, RouteAction::Tunnel, RouteAction::Block})
        QCOMPARE(routeActionFromName(routeActionName(action)), action);
    QCOMPARE(routeActionName(RouteAction::Block), QStringLiteral("block"));
    QCOMPARE(routeActionFromName(u"Tunnel"), RouteAction::Tunnel);
    QCOMPARE(routeActionFromName(u"proxy"), std::nullopt);
}

QTEST_APPLESS_MAIN(TestUserRules)
#include "tst_userrules.moc"
