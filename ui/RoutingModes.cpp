#include "RoutingModes.h"

#include <QCoreApplication>

namespace echw {

QList<RoutingModeChoice> routingModeChoices()
{
    return {
        {RoutingMode::Global, QCoreApplication::translate("RoutingModes", "Global"),
         QCoreApplication::translate("RoutingModes", "Everything goes through the tunnel.")},
        {RoutingMode::BypassCn,
         QCoreApplication::translate("RoutingModes", "Bypass mainland China"),
         QCoreApplication::translate("RoutingModes", "Addresses in mainland China go direct; "
                                                     "everything else through the tunnel.")},
        {RoutingMode::None, QCoreApplication::translate("RoutingModes", "None (direct)"),
         QCoreApplication::translate(
             "RoutingModes", "Everything goes direct; the proxy runs but tunnels nothing.")},
    };
}

QString routingModeLabel(RoutingMode mode)
{
    for (const RoutingModeChoice& choice : routingModeChoices()) {
        if (choice.mode == mode)
            return choice.label;
    }
    return routingModeName(mode);
}

} // namespace echw
