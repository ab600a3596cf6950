// The desktop app's settings.json as SettingsStore reads it: JSON, then AppSettings::fromJson.
// Whatever is accepted must come back unchanged through toJson(), as a save and a later load
// would, and validate() must cope with any value.

#include "FuzzSupport.h"
#include "config/AppSettings.h"

#include <QJsonDocument>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray bytes = echw::fuzz::bytesOf(data, size).toByteArray();
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return 0;
    const auto parsed = echw::AppSettings::fromJson(document.object());
    const auto* settings = std::get_if<echw::AppSettings>(&parsed);
    if (!settings) {
        ECHW_FUZZ_CHECK(!std::get<QString>(parsed).isEmpty());
        return 0;
    }
    const auto reread = echw::AppSettings::fromJson(settings->toJson());
    ECHW_FUZZ_CHECK(std::get_if<echw::AppSettings>(&reread) &&
                    std::get<echw::AppSettings>(reread) == *settings);
    const QList<echw::SettingsIssue> issues = settings->validate();
    for (const auto& issue : issues)
        ECHW_FUZZ_CHECK(!issue.field().isEmpty() && !issue.message().isEmpty());
    // Usable settings give the engine what it needs.
    if (issues.isEmpty() && !settings->servers.isEmpty())
        ECHW_FUZZ_CHECK(std::holds_alternative<echw::ProxySettings>(settings->toProxySettings()));
    return 0;
}
