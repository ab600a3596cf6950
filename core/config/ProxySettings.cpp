#include "ProxySettings.h"

namespace echw {

QString routingModeName(RoutingMode mode)
{
    switch (mode) {
    case RoutingMode::Global:
        return QStringLiteral("global");
    case RoutingMode::BypassCn:
        return QStringLiteral("bypass_cn");
    case RoutingMode::None:
        return QStringLiteral("none");
    }
    return {};
}

std::optional<RoutingMode> routingModeFromName(const QString& name)
{
    for (RoutingMode mode : {RoutingMode::Global, RoutingMode::BypassCn, RoutingMode::None}) {
        if (name == routingModeName(mode))
            return mode;
    }
    return std::nullopt;
}

} // namespace echw
