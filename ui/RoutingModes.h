#pragma once

#include "config/ProxySettings.h"

#include <QList>
#include <QString>

namespace echw {

// One routing mode as the app names it to people.
struct RoutingModeChoice {
    RoutingMode mode;
    QString label;       // short, for a menu item or a combo box entry
    QString description; // one sentence: what goes where
};

// The routing modes in the one order and wording the tray and the settings both show.
QList<RoutingModeChoice> routingModeChoices();
QString routingModeLabel(RoutingMode mode);

} // namespace echw
