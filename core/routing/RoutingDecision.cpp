#include "RoutingDecision.h"

namespace echw {

QString routeActionName(RouteAction action)
{
    switch (action) {
    case RouteAction::Direct:
        return QStringLiteral("direct");
    case RouteAction::Tunnel:
        return QStringLiteral("tunnel");
    case RouteAction::Block:
        return QStringLiteral("block");
    }
    return {};
}

std::optional<RouteAction> routeActionFromName(QStringView name)
{
    for (RouteAction action : {RouteAction::Direct, RouteAction::Tunnel, RouteAction::Block}) {
        if (name.compare(routeActionName(action), Qt::CaseInsensitive) == 0)
            return action;
    }
    return std::nullopt;
}

QString describeRoutingReason(const RoutingDecision& decision)
{
    switch (decision.reason) {
    case RoutingDecision::Reason::UserRule:
        return QStringLiteral("rule %1: %2").arg(decision.ruleLine).arg(decision.ruleText);
    case RoutingDecision::Reason::ChinaList:
        return QStringLiteral("China list");
    case RoutingDecision::Reason::Mode:
        return QStringLiteral("routing mode");
    case RoutingDecision::Reason::ResolveFailed:
        return QStringLiteral("name did not resolve");
    }
    return {};
}

} // namespace echw
