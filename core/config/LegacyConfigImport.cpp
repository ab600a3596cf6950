#include "LegacyConfigImport.h"

#include "config/SettingsValidation.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSet>
#include <QUuid>

namespace echw {

namespace {

// The reference GUI writes a small file; refuse to read something that clearly
// is not it.
constexpr qint64 kMaxLegacyFileSize = 4 * 1024 * 1024;

struct LegacyEntry {
    ServerProfile server;
    QString legacyId; // as written, to match current_server_id
    QString listen;
    QString routing;
};

// Copies one string field; a wrong type is reported (by key only: the value may
// be a token).
bool readString(const QJsonObject& object, QLatin1StringView key, QString& out, QString* error)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isString()) {
        *error = QStringLiteral("\"%1\" is not a string").arg(key);
        return false;
    }
    out = value.toString();
    return true;
}

std::optional<LegacyEntry> readEntry(const QJsonObject& object, QString* error)
{
    LegacyEntry entry;
    ServerProfile& server = entry.server;
    const bool ok = readString(object, QLatin1StringView("id"), entry.legacyId, error) &&
                    readString(object, QLatin1StringView("name"), server.name, error) &&
                    readString(object, QLatin1StringView("server"), server.address, error) &&
                    readString(object, QLatin1StringView("token"), server.token, error) &&
                    readString(object, QLatin1StringView("ip"), server.preferredIp, error) &&
                    readString(object, QLatin1StringView("dns"), server.dohServer, error) &&
                    readString(object, QLatin1StringView("ech"), server.echDomain, error) &&
                    readString(object, QLatin1StringView("listen"), entry.listen, error) &&
                    readString(object, QLatin1StringView("routing_mode"), entry.routing, error);
    if (!ok)
        return std::nullopt;
    server.name = server.name.trimmed();
    if (server.name.isEmpty())
        server.name = server.address;
    // The reference GUI writes uuid4 strings; keep them so current_server_id
    // still matches, and give anything else a fresh id.
    server.id = QUuid(entry.legacyId).isNull()
                    ? ServerProfile::newId()
                    : QUuid(entry.legacyId).toString(QUuid::WithoutBraces);
    return entry;
}

QString describeEntry(const QJsonObject& object, qsizetype index)
{
    const QString name = object.value(QLatin1StringView("name")).toString().trimmed();
    if (!name.isEmpty())
        return QStringLiteral("server \"%1\"").arg(name);
    return QStringLiteral("server #%1").arg(index + 1);
}

void applyGlobals(const LegacyEntry& entry, LegacyImport& result)
{
    if (!entry.listen.isEmpty()) {
        const auto parsed = parseListenAddress(entry.listen);
        if (const auto* address = std::get_if<ListenAddress>(&parsed);
            address && !listensOnLoopback(entry.listen)) {
            // The reference GUI shared the proxy on the network without a password; that now
            // needs a user and password, so the import keeps the proxy on this machine.
            result.listen = QStringLiteral("127.0.0.1:%1").arg(address->port);
            result.problems.append(
                QStringLiteral("the listen address \"%1\" would share the proxy on the network "
                               "without a password; it was imported as %2 (set a user and "
                               "password in Settings to share it)")
                    .arg(entry.listen, *result.listen));
        } else if (address) {
            result.listen = entry.listen;
        } else {
            result.problems.append(
                QStringLiteral("the listen address \"%1\" is not valid and was not imported")
                    .arg(entry.listen));
        }
    }
    if (!entry.routing.isEmpty()) {
        result.routing = routingModeFromName(entry.routing);
        if (!result.routing) {
            result.problems.append(
                QStringLiteral("the routing mode \"%1\" is unknown and was not imported")
                    .arg(entry.routing));
        }
    }
}

} // namespace

void LegacyImport::mergeInto(AppSettings& target) const
{
    const bool firstRun = target.servers.isEmpty();
    QSet<QString> known;
    for (const ServerProfile& server : target.servers)
        known.insert(server.id);
    for (const ServerProfile& server : servers) {
        if (!known.contains(server.id))
            target.servers.append(server);
    }
    if (!target.activeServer()) {
        if (!activeServerId.isEmpty())
            target.activeServerId = activeServerId;
        else if (!target.servers.isEmpty())
            target.activeServerId = target.servers.first().id;
    }
    if (firstRun) {
        if (listen)
            target.listen = *listen;
        if (routing)
            target.routing = *routing;
    }
}

LegacyImport importLegacyConfig(const QByteArray& json)
{
    LegacyImport result;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        result.problems.append(QStringLiteral("the old configuration is not a JSON object"));
        return result;
    }
    const QJsonObject root = document.object();
    const QJsonValue serverValue = root.value(QLatin1StringView("servers"));
    if (!serverValue.isArray()) {
        result.problems.append(QStringLiteral("the old configuration has no list of servers"));
        return result;
    }
    const QString currentId = root.value(QLatin1StringView("current_server_id")).toString();

    std::optional<LegacyEntry> globalsFrom;
    QSet<QString> seenIds;
    const QJsonArray entries = serverValue.toArray();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        if (!entries[i].isObject()) {
            result.problems.append(
                QStringLiteral("server #%1 skipped: it is not an object").arg(i + 1));
            continue;
        }
        const QJsonObject object = entries[i].toObject();
        const QString label = describeEntry(object, i);
        QString error;
        std::optional<LegacyEntry> entry = readEntry(object, &error);
        if (!entry) {
            result.problems.append(QStringLiteral("%1 skipped: %2").arg(label, error));
            continue;
        }
        // A copied entry may repeat an id; ids must stay unique here.
        if (seenIds.contains(entry->server.id))
            entry->server.id = ServerProfile::newId();
        const QList<SettingsIssue> issues = entry->server.validate(0);
        if (!issues.isEmpty()) {
            QStringList messages;
            for (const SettingsIssue& issue : issues)
                messages.append(issue.message());
            result.problems.append(
                QStringLiteral("%1 skipped: %2").arg(label, messages.join(QStringLiteral("; "))));
            continue;
        }
        seenIds.insert(entry->server.id);
        if (!currentId.isEmpty() && entry->legacyId == currentId &&
            result.activeServerId.isEmpty()) {
            result.activeServerId = entry->server.id;
            globalsFrom = entry;
        } else if (!globalsFrom && result.servers.isEmpty()) {
            globalsFrom = entry;
        }
        result.servers.append(entry->server);
    }
    if (globalsFrom)
        applyGlobals(*globalsFrom, result);
    return result;
}

LegacyImport importLegacyConfigFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        LegacyImport result;
        result.problems.append(
            QStringLiteral("could not read %1 (%2)").arg(path, file.errorString()));
        return result;
    }
    if (file.size() > kMaxLegacyFileSize) {
        LegacyImport result;
        result.problems.append(
            QStringLiteral("%1 is too large to be the old configuration").arg(path));
        return result;
    }
    return importLegacyConfig(file.readAll());
}

QStringList legacyConfigCandidates()
{
    const QString suffix = QStringLiteral("/ECHWorkersClient/config.json");
#if defined(Q_OS_WIN)
    const QString appData = qEnvironmentVariable("APPDATA");
    if (appData.isEmpty())
        return {};
    return {QDir::fromNativeSeparators(appData) + suffix};
#elif defined(Q_OS_MACOS)
    return {QDir::homePath() + QStringLiteral("/Library/Application Support") + suffix};
#else
    return {QDir::homePath() + QStringLiteral("/.config") + suffix};
#endif
}

} // namespace echw
