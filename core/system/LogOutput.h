#pragma once

#include <QString>

namespace echw {

// Sends Qt log messages to stderr as "time level [category] message", dropping those below
// `level` (debug, info, warning, error).
void installLogOutput(const QString& level);

} // namespace echw
