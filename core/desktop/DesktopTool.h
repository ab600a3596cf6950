#pragma once

#include "desktop/ProxySettingsBackend.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <variant>

namespace echw {

// Runs a desktop's command-line settings tool (gsettings, kwriteconfig5, dbus-send) to its end
// within deadlineMs and returns what it printed, or why not (not found, failed, too slow:
// killed). These tools print a value, a few KiB at most: more than 64 KiB is refused as an
// error (QProcess holds what a child printed until it ends, so this is a check, not a cap).
std::variant<QByteArray, SystemProxyError>
runDesktopTool(const QString& program, const QStringList& arguments, int deadlineMs);

// The first of programs found on PATH, or an empty string.
QString findDesktopTool(const QStringList& programs);

} // namespace echw
