#include "Router.h"

#include "net/HostResolver.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QRandomGenerator>

#include <tuple>

namespace echw {

namespace {

qint64 nowNs()
{
    static QElapsedTimer clock = [] {
        QElapsedTimer timer;
        timer.start();
        return timer;
    }();
    return clock.nsecsElapsed();
}

RouteAction modeDefault(RoutingMode mode)
{
    return mode == RoutingMode::None ? RouteAction::Direct : RouteAction::Tunnel;
}

} // namespace

Router::Router(Config config, HostResolver* resolver, QObject* parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_resolver(resolver)
    , m_cache(m_config.cacheCapacity, IpKeyHash{QRandomGenerator::system()->generate64()})
{}

Router::~Router() = default;

RouteLists::Hit Router::lookUp(const QHostAddress& address, RoutingDecision::CacheUse* cacheUse)
{
    if (!m_config.lists)
        return {};
    const IpKey key = IpKey::from(address);
    if (const RouteLists::Hit* cached = m_cache.find(key)) {
        *cacheUse = RoutingDecision::CacheUse::Hit;
        return *cached;
    }
    *cacheUse = RoutingDecision::CacheUse::Miss;
    const RouteLists::Hit hit = m_config.lists->find(address);
    m_cache.insert(key, hit);
    return hit;
}

bool Router::inLists(const QHostAddress& address, RoutingDecision::CacheUse* cacheUse)
{
    return lookUp(address, cacheUse).found();
}

namespace {

void takeRule(RoutingDecision& decision, const RuleMatch& match)
{
    decision.reason.kind = RouteReason::Kind::UserRule;
    decision.action = match.action;
    decision.reason.ruleIndex = match.ruleIndex;
    decision.reason.ruleLine = match.line;
    decision.reason.ruleText = match.ruleText;
}

} // namespace

void Router::decideByAddresses(RoutingDecision& decision)
{
    // Rules on addresses (CIDR) come before the lists, for every address the name has.
    for (const QHostAddress& address : std::as_const(decision.addresses)) {
        if (auto match = m_config.rules.match(decision.target.host, address)) {
            takeRule(decision, *match);
            return;
        }
    }
    for (const QHostAddress& address : std::as_const(decision.addresses)) {
        RoutingDecision::CacheUse use = RoutingDecision::CacheUse::NotConsulted;
        const RouteLists::Hit hit = lookUp(address, &use);
        // A miss anywhere makes the decision a miss: it cost a list search.
        if (decision.cache != RoutingDecision::CacheUse::Miss)
            decision.cache = use;
        if (hit.found()) {
            decision.reason.kind = RouteReason::Kind::ChinaList;
            std::tie(decision.reason.listFirst, decision.reason.listLast) =
                m_config.lists->range(hit);
            decision.action = RouteAction::Direct;
            return;
        }
    }
    decision.reason.kind = RouteReason::Kind::NotInChinaList;
    decision.action = RouteAction::Tunnel;
}

void Router::decide(const TargetAddress& target, QObject* context, Callback callback)
{
    const qint64 start = nowNs();
    RoutingDecision decision;
    decision.target = target;
    decision.reason.mode = m_config.mode;
    std::optional<QHostAddress> literal;
    if (target.kind != TargetAddress::Kind::Domain) {
        literal = QHostAddress(target.host);
        decision.addresses = {*literal};
    }

    if (auto match = m_config.rules.match(target.host, literal)) {
        takeRule(decision, *match);
        finish(std::move(decision), start, context, std::move(callback));
        return;
    }
    if (m_config.mode != RoutingMode::BypassCn) {
        decision.action = modeDefault(m_config.mode);
        finish(std::move(decision), start, context, std::move(callback));
        return;
    }
    if (literal) {
        decideByAddresses(decision);
        finish(std::move(decision), start, context, std::move(callback));
        return;
    }
    m_resolver->resolve(target.host, this,
                        [this, decision, start, context = QPointer<QObject>(context),
                         callback = std::move(callback)](HostResolver::Result result) mutable {
                            decision.resolveNs = nowNs() - start;
                            if (auto* answer = std::get_if<HostResolver::Answer>(&result)) {
                                decision.addresses = answer->addresses;
                                decideByAddresses(decision);
                            } else {
                                decision.reason.kind = RouteReason::Kind::ResolveFailed;
                                decision.action = RouteAction::Tunnel;
                            }
                            if (context)
                                finish(std::move(decision), start, context, std::move(callback));
                        });
}

void Router::finish(RoutingDecision decision, qint64 startNs, QObject* context, Callback callback)
{
    decision.elapsedNs = nowNs() - startNs;
    Q_EMIT decided(decision);
    QMetaObject::invokeMethod(
        context,
        [decision = std::move(decision), callback = std::move(callback)] { callback(decision); },
        Qt::QueuedConnection);
}

} // namespace echw
