#pragma once

#include <QString>

namespace echw {

// True the first time `key` is asked about in this process, false ever after; thread-safe.
// For warnings about a setting or a server rather than about one connection: a thousand
// connections, several engine threads and every TLS client built from the same settings then
// say it once.
bool firstTimeInProcess(const QString& key);

} // namespace echw
