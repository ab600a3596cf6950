#include "net/HostResolver.h"
#include "routing/Router.h"

#include <QSignalSpy>
#include <QTest>

using namespace echw;

namespace {

std::shared_ptr<const RouteLists> listsFrom(const QByteArray& ipv4, const QByteArray& ipv6 = {})
{
    RouteLists lists;
    lists.ipv4 = std::get<Ipv4RangeSet>(Ipv4RangeSet::parse(ipv4, QStringLiteral("v4")));
    if (!ipv6.isEmpty())
        lists.ipv6 = std::get<Ipv6RangeSet>(Ipv6RangeSet::parse(ipv6, QStringLiteral("v6")));
    return std::make_shared<const RouteLists>(std::move(lists));
}

UserRules rulesFrom(const QString& text)
{
    return std::get<UserRules>(UserRules::parse(text));
}

TargetAddress target(const QString& authority)
{
    return *TargetAddress::fromAuthority(authority);
}

} // namespace

class TestRouter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void appliesModeDefaults_data();
    void appliesModeDefaults();
    void sendsListedAddressesDirectInBypassCn_data();
    void sendsListedAddressesDirectInBypassCn();
    void resolvesNamesAndTunnelsWhenResolutionFails();
    void rulesComeFirstInEveryMode();
    void cachesListLookups();
    void emitsEveryDecisionAndNeverCallsBackInline();

private:
    RoutingDecision decideNow(Router& router, const QString& authority);
    SystemHostResolver m_resolver;
};

RoutingDecision TestRouter::decideNow(Router& router, const QString& authority)
{
    std::optional<RoutingDecision> result;
    router.decide(target(authority), this, [&](const RoutingDecision& d) { result = d; });
    [[maybe_unused]] const bool done = QTest::qWaitFor([&] { return result.has_value(); }, 30000);
    return result.value_or(RoutingDecision{});
}

void TestRouter::appliesModeDefaults_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<int>("action");
    QTest::newRow("global") << int(RoutingMode::Global) << int(RouteAction::Tunnel);
    QTest::newRow("none") << int(RoutingMode::None) << int(RouteAction::Direct);
}

void TestRouter::appliesModeDefaults()
{
    QFETCH(int, mode);
    QFETCH(int, action);
    Router router({RoutingMode(mode), listsFrom("1.0.0.0 1.0.0.255\n"), {}, 16}, &m_resolver);
    for (const QString& authority : {QStringLiteral("1.0.0.1:80"), QStringLiteral("a.test:443")}) {
        const auto decision = decideNow(router, authority);
        QCOMPARE(int(decision.action), action);
        QCOMPARE(decision.reason.kind, RouteReason::Kind::Mode);
        // Outside bypass_cn nothing is resolved or looked up.
        QCOMPARE(decision.cache, RoutingDecision::CacheUse::NotConsulted);
    }
}

void TestRouter::sendsListedAddressesDirectInBypassCn_data()
{
    QTest::addColumn<QString>("authority");
    QTest::addColumn<int>("action");
    QTest::newRow("first of range") << "10.1.0.0:80" << int(RouteAction::Direct);
    QTest::newRow("last of range") << "10.1.255.255:80" << int(RouteAction::Direct);
    QTest::newRow("one past") << "10.2.0.0:80" << int(RouteAction::Tunnel);
    QTest::newRow("one before") << "10.0.255.255:80" << int(RouteAction::Tunnel);
    QTest::newRow("ipv6 listed") << "[2001:db8::5]:443" << int(RouteAction::Direct);
    QTest::newRow("ipv6 not listed") << "[2001:db9::5]:443" << int(RouteAction::Tunnel);
    QTest::newRow("mapped ipv4") << "[::ffff:10.1.2.3]:80" << int(RouteAction::Direct);
}

void TestRouter::sendsListedAddressesDirectInBypassCn()
{
    QFETCH(QString, authority);
    QFETCH(int, action);
    Router router({RoutingMode::BypassCn,
                   listsFrom("10.1.0.0 10.1.255.255\n", "2001:db8:: 2001:db8::ffff\n"),
                   {},
                   16},
                  &m_resolver);
    const auto decision = decideNow(router, authority);
    QCOMPARE(int(decision.action), action);
    QCOMPARE(decision.reason.kind, action == int(RouteAction::Direct)
                                       ? RouteReason::Kind::ChinaList
                                       : RouteReason::Kind::NotInChinaList);
    QCOMPARE(decision.reason.mode, RoutingMode::BypassCn);
    if (decision.action == RouteAction::Direct) {
        // The range that matched, as the list holds it: the reason names it.
        const QString range = describeRoutingReason(decision.reason);
        QVERIFY2(range == QStringLiteral("in China list 10.1.0.0/16") ||
                     range == QStringLiteral("in China list 2001:db8::/112"),
                 qPrintable(range));
    }
}

void TestRouter::resolvesNamesAndTunnelsWhenResolutionFails()
{
    Router router({RoutingMode::BypassCn, listsFrom("127.0.0.0 127.255.255.255\n"), {}, 16},
                  &m_resolver);
    const auto local = decideNow(router, QStringLiteral("localhost:80"));
    QCOMPARE(local.action, RouteAction::Direct);
    QCOMPARE(local.reason.kind, RouteReason::Kind::ChinaList);
    QVERIFY(!local.addresses.isEmpty());
    // The resolution is timed apart from the lookup that follows it.
    QVERIFY(local.resolveNs > 0);
    QVERIFY(local.elapsedNs >= local.resolveNs);
    QCOMPARE(decideNow(router, QStringLiteral("127.0.0.1:80")).resolveNs, 0);

    const auto unknown = decideNow(router, QStringLiteral("no-such-host.invalid:80"));
    QCOMPARE(unknown.action, RouteAction::Tunnel);
    QCOMPARE(unknown.reason.kind, RouteReason::Kind::ResolveFailed);
}

void TestRouter::rulesComeFirstInEveryMode()
{
    const UserRules rules = rulesFrom(QStringLiteral("suffix:blocked.test block\n"
                                                     "cidr:10.1.2.0/24 tunnel\n"
                                                     "keyword:direct direct\n"));
    Router bypass({RoutingMode::BypassCn, listsFrom("10.1.0.0 10.1.255.255\n"), rules, 16},
                  &m_resolver);
    auto decision = decideNow(bypass, QStringLiteral("10.1.2.3:80"));
    QCOMPARE(decision.action, RouteAction::Tunnel); // the rule beats the list
    QCOMPARE(decision.reason.kind, RouteReason::Kind::UserRule);
    QCOMPARE(decision.reason.ruleIndex, 1);
    QCOMPARE(decision.reason.ruleText, QStringLiteral("cidr:10.1.2.0/24 tunnel"));
    QCOMPARE(decideNow(bypass, QStringLiteral("10.1.3.3:80")).action, RouteAction::Direct);

    Router global({RoutingMode::Global, nullptr, rules, 16}, &m_resolver);
    QCOMPARE(decideNow(global, QStringLiteral("x.blocked.test:443")).action, RouteAction::Block);
    QCOMPARE(decideNow(global, QStringLiteral("my-direct-site.test:443")).action,
             RouteAction::Direct);
    QCOMPARE(decideNow(global, QStringLiteral("notblocked.test:443")).action, RouteAction::Tunnel);
}

void TestRouter::cachesListLookups()
{
    Router router({RoutingMode::BypassCn, listsFrom("10.1.0.0 10.1.255.255\n"), {}, 2},
                  &m_resolver);
    QCOMPARE(decideNow(router, QStringLiteral("10.1.0.1:80")).cache,
             RoutingDecision::CacheUse::Miss);
    QCOMPARE(decideNow(router, QStringLiteral("10.1.0.1:443")).cache,
             RoutingDecision::CacheUse::Hit);
    decideNow(router, QStringLiteral("10.1.0.2:80"));
    decideNow(router, QStringLiteral("10.1.0.3:80")); // evicts 10.1.0.1 (capacity 2)
    QCOMPARE(decideNow(router, QStringLiteral("10.1.0.1:80")).cache,
             RoutingDecision::CacheUse::Miss);
    QCOMPARE(router.cacheHits(), 1);
    QCOMPARE(router.cacheMisses(), 4);
}

void TestRouter::emitsEveryDecisionAndNeverCallsBackInline()
{
    Router router({RoutingMode::Global, nullptr, {}, 16}, &m_resolver);
    QSignalSpy spy(&router, &Router::decided);
    bool called = false;
    router.decide(target(QStringLiteral("a.test:1")), this,
                  [&](const RoutingDecision&) { called = true; });
    QVERIFY(!called);
    QTRY_VERIFY_WITH_TIMEOUT(called, 5000);
    QCOMPARE(spy.count(), 1);
    const auto decision = spy.at(0).at(0).value<RoutingDecision>();
    QCOMPARE(decision.target.toString(), QStringLiteral("a.test:1"));
    QVERIFY(decision.elapsedNs >= 0);
}

QTEST_GUILESS_MAIN(TestRouter)
#include "tst_router.moc"
