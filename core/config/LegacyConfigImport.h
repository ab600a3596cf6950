#pragma once

#include "config/AppSettings.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace echw {

// Reads the reference PyQt GUI's config.json (protocol.md section 7) so a user
// switching over keeps their servers. Each entry is checked like a server typed
// into our dialog; a bad one is reported by name and skipped, the rest are
// imported.
struct LegacyImport {
    QList<ServerProfile> servers;
    QString activeServerId; // the entry current_server_id named, if it was imported
    // The reference GUI keeps listen and routing per server; we keep them
    // globally and take them from the current entry (else the first imported
    // one).
    std::optional<QString> listen;
    std::optional<RoutingMode> routing;
    QStringList problems; // one sentence per skipped entry or ignored value; no tokens

    // Adds the imported servers whose id the target does not have yet (so
    // importing twice adds nothing), selects the imported current server when the
    // target has none selected, and takes listen and routing only when the target
    // had no servers (a first run).
    void mergeInto(AppSettings& target) const;
};

// Pure: bytes of a config.json in, servers and problems out. A file that is not
// a JSON object with a "servers" list gives no servers and one problem.
LegacyImport importLegacyConfig(const QByteArray& json);
LegacyImport importLegacyConfigFile(const QString& path);

// Where the reference GUI keeps config.json on this platform, most likely
// first. The files need not exist.
QStringList legacyConfigCandidates();

} // namespace echw
