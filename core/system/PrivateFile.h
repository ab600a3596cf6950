#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace echw {

// Replaces path with bytes atomically (a temporary file renamed over it, so a crash leaves
// the old file or the new one, never half of one), readable and writable by the owner only
// from the moment it exists under its name; creates the folder when missing. Returns why it
// could not, or nothing.
std::optional<QString> writePrivateFile(const QString& path, const QByteArray& bytes);

} // namespace echw
