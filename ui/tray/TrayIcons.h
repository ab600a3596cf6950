#pragma once

#include <QIcon>

namespace echw {

// The app's icons, drawn rather than shipped as files: one shape, its colour telling the
// proxy's state at a glance in the tray.
enum class ProxyState { Stopped, Starting, Running, Failing };

QIcon proxyStateIcon(ProxyState state);

} // namespace echw
