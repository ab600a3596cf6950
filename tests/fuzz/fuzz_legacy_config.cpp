// The reference GUI's config.json, imported on a first run (LegacyConfigImport): every server
// imported must be usable, and merging the import into fresh settings must give settings that
// validate, the second time adding nothing.

#include "FuzzSupport.h"
#include "config/LegacyConfigImport.h"

#include <QSet>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray json = echw::fuzz::bytesOf(data, size).toByteArray();
    const echw::LegacyImport imported = echw::importLegacyConfig(json);

    QSet<QString> ids;
    for (const echw::ServerProfile& server : imported.servers) {
        ECHW_FUZZ_CHECK(server.validate(0).isEmpty());
        ECHW_FUZZ_CHECK(!ids.contains(server.id));
        ids.insert(server.id);
    }
    ECHW_FUZZ_CHECK(imported.activeServerId.isEmpty() || ids.contains(imported.activeServerId));
    if (imported.servers.isEmpty())
        ECHW_FUZZ_CHECK(!imported.listen && !imported.routing);

    echw::AppSettings settings;
    imported.mergeInto(settings);
    ECHW_FUZZ_CHECK(settings.servers.size() == imported.servers.size());
    ECHW_FUZZ_CHECK(settings.validate().isEmpty());
    const echw::AppSettings once = settings;
    imported.mergeInto(settings);
    ECHW_FUZZ_CHECK(settings == once);
    return 0;
}
