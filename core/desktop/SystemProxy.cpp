#include "desktop/SystemProxy.h"

#include "desktop/GSettingsProxyBackend.h"
#include "desktop/KioProxyBackend.h"
#include "system/BoundedFile.h"
#include "system/PrivateFile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

#include <algorithm>

namespace echw {

namespace {

Q_LOGGING_CATEGORY(lcSystemProxy, "echw.desktop.systemproxy")

constexpr qint64 kMaxRecoveryBytes = 256 * 1024;
constexpr int kRecoveryVersion = 1;

struct StoreRecord {
    QString id;
    ProxySettingValues previous;
    ProxySettingValues ours;
};

QJsonObject toJson(const ProxySettingValues& values)
{
    QJsonObject object;
    for (auto it = values.cbegin(); it != values.cend(); ++it)
        object.insert(it.key(), it.value() ? QJsonValue(*it.value()) : QJsonValue());
    return object;
}

std::optional<ProxySettingValues> valuesFromJson(const QJsonValue& json)
{
    if (!json.isObject())
        return std::nullopt;
    ProxySettingValues values;
    const QJsonObject object = json.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.value().isString())
            values.insert(it.key(), it.value().toString());
        else if (it.value().isNull())
            values.insert(it.key(), std::nullopt);
        else
            return std::nullopt;
    }
    return values;
}

QByteArray recoveryBytes(const std::vector<StoreRecord>& records)
{
    QJsonArray stores;
    for (const StoreRecord& record : records) {
        stores.append(QJsonObject{{QStringLiteral("id"), record.id},
                                  {QStringLiteral("previous"), toJson(record.previous)},
                                  {QStringLiteral("ours"), toJson(record.ours)}});
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("version"), kRecoveryVersion},
                                     {QStringLiteral("stores"), stores}})
        .toJson(QJsonDocument::Indented);
}

// The recovery file is ours, but it is read as any file from outside: bounded, every field
// checked, anything else refused with the reason.
std::variant<std::vector<StoreRecord>, QString> parseRecovery(const QByteArray& bytes)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (!document.isObject())
        return QStringLiteral("not a JSON object (%1)").arg(parseError.errorString());
    const QJsonObject root = document.object();
    if (root.value(QStringLiteral("version")).toInt() != kRecoveryVersion)
        return QStringLiteral("unknown version");
    if (!root.value(QStringLiteral("stores")).isArray())
        return QStringLiteral("no list of stores");
    std::vector<StoreRecord> records;
    for (const QJsonValue& store : root.value(QStringLiteral("stores")).toArray()) {
        const QJsonObject object = store.toObject();
        const QString id = object.value(QStringLiteral("id")).toString();
        auto previous = valuesFromJson(object.value(QStringLiteral("previous")));
        auto ours = valuesFromJson(object.value(QStringLiteral("ours")));
        if (id.isEmpty() || !previous || !ours)
            return QStringLiteral("a store without id, previous or our values");
        records.push_back({id, std::move(*previous), std::move(*ours)});
    }
    return records;
}

// The live values are still ours when every key we set holds what we set.
bool stillOurs(const ProxySettingValues& live, const ProxySettingValues& ours)
{
    for (auto it = ours.cbegin(); it != ours.cend(); ++it) {
        if (!live.contains(it.key()) || live.value(it.key()) != it.value())
            return false;
    }
    return true;
}

// Only the keys the store reads itself go back: a recovery file cannot name others.
ProxySettingValues ownKeys(const ProxySettingValues& values, const ProxySettingValues& live)
{
    ProxySettingValues own;
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        if (live.contains(it.key()))
            own.insert(it.key(), it.value());
    }
    return own;
}

bool isGnomeFamily(const QString& desktop)
{
    static const QStringList gnome = {
        QStringLiteral("gnome"),         QStringLiteral("unity"),
        QStringLiteral("x-cinnamon"),    QStringLiteral("cinnamon"),
        QStringLiteral("budgie"),        QStringLiteral("pantheon"),
        QStringLiteral("mate"),          QStringLiteral("gnome-flashback"),
        QStringLiteral("gnome-classic"),
    };
    return gnome.contains(desktop);
}

QString urlHost(const QString& host)
{
    return host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
}

} // namespace

SystemProxy::SystemProxy(std::vector<std::unique_ptr<ProxySettingsBackend>> backends,
                         QString desktop, QString recoveryPath)
    : m_backends(std::move(backends))
    , m_desktop(std::move(desktop))
    , m_recoveryPath(std::move(recoveryPath))
{}

SystemProxy::~SystemProxy() = default;

std::unique_ptr<SystemProxy> SystemProxy::forThisDesktop(QString recoveryPath)
{
    const QString desktop = qEnvironmentVariable("XDG_CURRENT_DESKTOP");
    bool kde = false;
    bool gnome = false;
    for (const QString& name : desktop.toLower().split(QLatin1Char(':'), Qt::SkipEmptyParts)) {
        kde = kde || name == QStringLiteral("kde");
        gnome = gnome || isGnomeFamily(name);
    }
    std::vector<std::unique_ptr<ProxySettingsBackend>> backends;
    if (kde) {
        if (auto tools = KioProxyBackend::availableTools())
            backends.push_back(std::make_unique<KioProxyBackend>(std::move(*tools)));
    }
    // On KDE too: GTK applications, Firefox and Chromium read GSettings there.
    if (kde || gnome) {
        const QString gsettings = GSettingsProxyBackend::availableTool();
        if (!gsettings.isEmpty())
            backends.push_back(std::make_unique<GSettingsProxyBackend>(gsettings));
    }
    return std::make_unique<SystemProxy>(std::move(backends), desktop, std::move(recoveryPath));
}

QStringList SystemProxy::storeIds() const
{
    QStringList ids;
    for (const auto& backend : m_backends)
        ids.append(backend->id());
    return ids;
}

bool SystemProxy::isSet() const
{
    return QFile::exists(m_recoveryPath);
}

ProxySettingsBackend* SystemProxy::backend(const QString& id) const
{
    for (const auto& backend : m_backends) {
        if (backend->id() == id)
            return backend.get();
    }
    return nullptr;
}

std::optional<SystemProxyError> SystemProxy::set(const SystemProxyTarget& target)
{
    if (m_backends.empty())
        return SystemProxyError{SystemProxyError::Code::Unsupported, {m_desktop}};
    const auto recoveryError = [this](const QString& reason) {
        return SystemProxyError{SystemProxyError::Code::RecoveryFile, {m_recoveryPath, reason}};
    };

    // Already set (a new port, say): what was found the first time is what goes back.
    std::vector<StoreRecord> earlier;
    if (isSet()) {
        auto bytes = readBoundedFile(m_recoveryPath, kMaxRecoveryBytes);
        if (auto* reason = std::get_if<QString>(&bytes))
            return recoveryError(*reason);
        auto parsed = parseRecovery(std::get<QByteArray>(bytes));
        if (auto* reason = std::get_if<QString>(&parsed))
            return recoveryError(*reason);
        earlier = std::move(std::get<std::vector<StoreRecord>>(parsed));
    }

    std::vector<StoreRecord> records;
    for (const auto& backend : m_backends) {
        StoreRecord record{backend->id(), {}, backend->valuesFor(target)};
        const auto found = std::find_if(earlier.begin(), earlier.end(),
                                        [&](const StoreRecord& r) { return r.id == record.id; });
        if (found != earlier.end()) {
            record.previous = found->previous;
        } else {
            auto live = backend->read();
            if (auto* error = std::get_if<SystemProxyError>(&live))
                return *error;
            record.previous = std::get<ProxySettingValues>(live);
        }
        records.push_back(std::move(record));
    }
    // Written before anything changes, so a crash from here on leaves what to put back.
    if (auto error = writePrivateFile(m_recoveryPath, recoveryBytes(records)))
        return recoveryError(*error);

    for (std::size_t i = 0; i < records.size(); ++i) {
        StoreRecord& record = records[i];
        ProxySettingsBackend* store = backend(record.id);
        std::optional<SystemProxyError> error = store->write(record.ours);
        if (!error) {
            // Kept as the store reads it back, which is how restore() will compare.
            auto live = store->read();
            if (auto* readError = std::get_if<SystemProxyError>(&live))
                error = *readError;
            else
                record.ours = ownKeys(std::get<ProxySettingValues>(live), record.ours);
        }
        if (error) {
            // This store may be half written: every store tried so far gets its values back
            // whatever it holds now, then the file goes.
            for (std::size_t j = 0; j <= i; ++j) {
                ProxySettingsBackend* tried = backend(records[j].id);
                if (auto undoError = tried->write(records[j].previous))
                    qCWarning(lcSystemProxy).noquote() << "putting back:" << undoError->text();
            }
            QFile::remove(m_recoveryPath);
            return error;
        }
        if (auto fileError = writePrivateFile(m_recoveryPath, recoveryBytes(records)))
            return recoveryError(*fileError);
    }
    return std::nullopt;
}

SystemProxy::Outcome SystemProxy::restore()
{
    Outcome outcome;
    if (!isSet())
        return outcome;
    auto bytes = readBoundedFile(m_recoveryPath, kMaxRecoveryBytes);
    std::variant<std::vector<StoreRecord>, QString> parsed = QString();
    if (auto* reason = std::get_if<QString>(&bytes))
        parsed = *reason;
    else
        parsed = parseRecovery(std::get<QByteArray>(bytes));
    if (auto* reason = std::get_if<QString>(&parsed)) {
        // A file that cannot be read never blocks later starts: it goes, with the reason.
        outcome.error =
            SystemProxyError{SystemProxyError::Code::RecoveryFile, {m_recoveryPath, *reason}};
        QFile::remove(m_recoveryPath);
        return outcome;
    }

    std::vector<StoreRecord> pending;
    for (const StoreRecord& record : std::get<std::vector<StoreRecord>>(parsed)) {
        ProxySettingsBackend* store = backend(record.id);
        if (!store) {
            outcome.error = SystemProxyError{
                SystemProxyError::Code::Unsupported,
                {m_desktop + QStringLiteral(" (no tool for ") + record.id + QLatin1Char(')')}};
            pending.push_back(record);
            continue;
        }
        auto live = store->read();
        if (auto* error = std::get_if<SystemProxyError>(&live)) {
            outcome.error = *error;
            pending.push_back(record);
            continue;
        }
        const ProxySettingValues& liveValues = std::get<ProxySettingValues>(live);
        if (!stillOurs(liveValues, record.ours)) {
            outcome.leftAlone.append(record.id);
            continue;
        }
        if (auto error = store->write(ownKeys(record.previous, liveValues))) {
            outcome.error = *error;
            pending.push_back(record);
            continue;
        }
        outcome.restored.append(record.id);
    }
    if (pending.empty()) {
        QFile::remove(m_recoveryPath);
    } else if (auto error = writePrivateFile(m_recoveryPath, recoveryBytes(pending))) {
        outcome.error =
            SystemProxyError{SystemProxyError::Code::RecoveryFile, {m_recoveryPath, *error}};
    }
    return outcome;
}

QString proxyEnvironmentCommands(const SystemProxyTarget& target)
{
    const QString endpoint = urlHost(target.host) + QLatin1Char(':') + QString::number(target.port);
    const QString http = QStringLiteral("http://") + endpoint;
    const QString socks = QStringLiteral("socks5h://") + endpoint;
    const QString bypass = target.bypass.join(QLatin1Char(','));
    return QStringLiteral("export http_proxy=%1 https_proxy=%1 all_proxy=%2 no_proxy=%3 "
                          "HTTP_PROXY=%1 HTTPS_PROXY=%1 ALL_PROXY=%2 NO_PROXY=%3")
        .arg(http, socks, bypass);
}

} // namespace echw
