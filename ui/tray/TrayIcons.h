#pragma once

#include <QIcon>

namespace echw {

// The proxy's states as the tray shows them, each with its colour.
enum class ProxyState { Stopped, Starting, Running, Failing };

// The state's icon from its SVG (resources/icons, also installed under hicolor/scalable/status),
// rendered at whatever size is asked, so it is crisp at any scale factor.
QIcon proxyStateIcon(ProxyState state);
// The app's own icon (hicolor/scalable/apps/ech-workers.svg).
QIcon appIcon();

} // namespace echw
