#pragma once

#include "desktop/ProxySettingsBackend.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <variant>

namespace echw {

// Runs a desktop's command-line settings tool (gsettings, kwriteconfig5, dbus-send) to its end
// within deadlineMs and returns what it printed, or why not (not found, failed, too slow:
// killed). Its output is bounded: these tools print a value, never more than a few KiB.
std::variant<QByteArray, SystemProxyError>
runDesktopTool(const QString& program, const QStringList& arguments, int deadlineMs);

// The first of programs found on PATH, or an empty string.
QString findDesktopTool(const QStringList& programs);

} // namespace echw
