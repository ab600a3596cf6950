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

} // namespace echw
