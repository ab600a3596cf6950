#include "AppSettings.h"

#include "config/EngineConfig.h"
#include "config/SettingsValidation.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonArray>
#include <QLocale>
#include <QSet>
#include <QUuid>

#include <algorithm>
#include <cmath>
#include <limits>

namespace echw {

namespace {

// The characters RFC 6455 section 4.1 allows in a Sec-WebSocket-Protocol value
// (an RFC 7230 token), which is how the token travels.
bool isHeaderToken(const QString& text)
{
    static const QString separators = QStringLiteral("!#$%&'*+-.^_`|~");
    for (QChar c : text) {
        const bool ok = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') ||
                        (c >= u'0' && c <= u'9') || separators.contains(c);
        if (!ok)
            return false;
    }
    return true;
}

std::optional<Problem> problemOf(const auto& parsed)
{
    if (const auto* problem = std::get_if<Problem>(&parsed))
        return *problem;
    return std::nullopt;
}

// Reads typed values out of one JSON object; the first wrong type is kept as
// the error.
class JsonReader {
public:
    JsonReader(const QJsonObject& object, QString pathPrefix, QString* error)
        : m_object(object)
        , m_prefix(std::move(pathPrefix))
        , m_error(error)
    {}

    void string(QLatin1StringView key, QString& out)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined())
            return;
        if (!value.isString())
            return fail(key, QStringLiteral("must be a string"));
        out = value.toString();
    }

    void boolean(QLatin1StringView key, bool& out)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined())
            return;
        if (!value.isBool())
            return fail(key, QStringLiteral("must be true or false"));
        out = value.toBool();
    }

    void integer(QLatin1StringView key, int& out)
    {
        const QJsonValue value = m_object.value(key);
        if (value.isUndefined())
            return;
        const double number = value.toDouble();
        if (!value.isDouble() || std::trunc(number) != number ||
            number < std::numeric_limits<int>::min() || number > std::numeric_limits<int>::max())
            return fail(key, QStringLiteral("must be a whole number"));
        out = int(number);
    }

    QString path(QLatin1StringView key) const
    {
        return m_prefix.isEmpty() ? QString(key) : m_prefix + u'.' + key;
    }

    void fail(QLatin1StringView key, const QString& what)
    {
        // Only the key and the expected type: the value could be a token.
        if (m_error->isEmpty())
            *m_error = QStringLiteral("\"%1\" %2").arg(path(key), what);
    }

private:
    const QJsonObject& m_object;
    QString m_prefix;
    QString* m_error;
};

namespace key {
constexpr QLatin1StringView version("version");
constexpr QLatin1StringView servers("servers");
constexpr QLatin1StringView activeServerId("activeServerId");
constexpr QLatin1StringView listen("listen");
constexpr QLatin1StringView authUser("authUser");
constexpr QLatin1StringView authPassword("authPassword");
constexpr QLatin1StringView allowLanWithoutAuth("allowLanWithoutAuth");
constexpr QLatin1StringView routingMode("routingMode");
constexpr QLatin1StringView listDirectory("listDirectory");
constexpr QLatin1StringView rulesFile("rulesFile");
constexpr QLatin1StringView startMinimized("startMinimized");
constexpr QLatin1StringView systemProxy("systemProxy");
constexpr QLatin1StringView language("language");
constexpr QLatin1StringView theme("theme");
constexpr QLatin1StringView id("id");
constexpr QLatin1StringView name("name");
constexpr QLatin1StringView address("address");
constexpr QLatin1StringView preferredIp("preferredIp");
constexpr QLatin1StringView token("token");
constexpr QLatin1StringView dohServer("dohServer");
constexpr QLatin1StringView echDomain("echDomain");
constexpr QLatin1StringView withoutEch("withoutEch");
constexpr QLatin1StringView caFile("caFile");
constexpr QLatin1StringView connectionLimit("connectionLimit");
constexpr QLatin1StringView warmPoolSize("warmPoolSize");
} // namespace key

QJsonObject serverToJson(const ServerProfile& server)
{
    return {{key::id, server.id},
            {key::name, server.name},
            {key::address, server.address},
            {key::preferredIp, server.preferredIp},
            {key::token, server.token},
            {key::dohServer, server.dohServer},
            {key::echDomain, server.echDomain},
            {key::withoutEch, server.withoutEch},
            {key::caFile, server.caFile},
            {key::connectionLimit, server.connectionLimit},
            {key::warmPoolSize, server.warmPoolSize}};
}

ServerProfile serverFromJson(const QJsonObject& object, const QString& prefix, QString* error)
{
    ServerProfile server;
    JsonReader reader(object, prefix, error);
    reader.string(key::id, server.id);
    reader.string(key::name, server.name);
    reader.string(key::address, server.address);
    reader.string(key::preferredIp, server.preferredIp);
    reader.string(key::token, server.token);
    reader.string(key::dohServer, server.dohServer);
    reader.string(key::echDomain, server.echDomain);
    reader.boolean(key::withoutEch, server.withoutEch);
    reader.string(key::caFile, server.caFile);
    reader.integer(key::connectionLimit, server.connectionLimit);
    reader.integer(key::warmPoolSize, server.warmPoolSize);
    return server;
}

} // namespace

QString ServerProfile::newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QList<SettingsIssue> ServerProfile::validate(int index) const
{
    QList<SettingsIssue> issues;
    const auto add = [&](QLatin1StringView key, Problem problem) {
        issues.append({index, QString(key), std::move(problem)});
    };

    if (QUuid(id).isNull())
        add(key::id,
            Problem::of(QT_TRANSLATE_NOOP(
                "echw::Problem", "the server has no valid id (a UUID); remove and re-add it")));
    if (name.trimmed().isEmpty())
        add(key::name, Problem::of(QT_TRANSLATE_NOOP("echw::Problem", "give the server a name")));
    if (auto problem = problemOf(parseServerAddress(address)))
        add(key::address, *problem);
    if (!preferredIp.isEmpty()) {
        if (auto problem = checkPreferredAddress(preferredIp))
            add(key::preferredIp, *problem);
    }
    if (!isHeaderToken(token)) {
        add(key::token, Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                                      "the token may only contain letters, digits "
                                                      "and !#$%&'*+-.^_`|~ (no spaces)")));
    }
    // Without ECH neither the DoH server nor the ECH domain is used, so they may
    // be empty.
    if (!withoutEch || !dohServer.isEmpty()) {
        if (auto problem = problemOf(parseDohServer(dohServer)))
            add(key::dohServer, *problem);
    }
    if (!withoutEch || !echDomain.isEmpty()) {
        if (auto problem = checkDomainName(echDomain))
            add(key::echDomain, *problem);
    }
    if (!caFile.isEmpty() && !QFileInfo(caFile).isFile()) {
        add(key::caFile,
            Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                          "the CA file \"%1\" does not exist or is not a file"),
                        {caFile}));
    }
    if (connectionLimit < kMinConnectionLimit || connectionLimit > kMaxConnectionLimit) {
        add(key::connectionLimit,
            Problem::of(
                QT_TRANSLATE_NOOP("echw::Problem",
                                  "the connection limit must be between %1 and %2"),
                {QString::number(kMinConnectionLimit), QString::number(kMaxConnectionLimit)}));
    }
    if (warmPoolSize < 0 || warmPoolSize > std::min(kMaxWarmPoolSize, connectionLimit)) {
        add(key::warmPoolSize,
            Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                          "the warm pool size must be between 0 and %1 (and not "
                                          "above the connection limit)"),
                        {QString::number(kMaxWarmPoolSize)}));
    }
    return issues;
}

ServerSettings ServerProfile::toServerSettings() const
{
    ServerSettings settings;
    settings.address = address;
    settings.preferredIp = preferredIp;
    settings.token = token;
    settings.dohServer = dohServer;
    settings.echDomain = echDomain;
    settings.caFile = caFile;
    settings.withoutEch = withoutEch;
    return settings;
}

QList<SettingsIssue> AppSettings::validate() const
{
    QList<SettingsIssue> issues;
    const auto add = [&](QLatin1StringView key, Problem problem) {
        issues.append({SettingsIssue::kGeneral, QString(key), std::move(problem)});
    };
    QSet<QString> seenIds;
    for (qsizetype i = 0; i < servers.size(); ++i) {
        const ServerProfile& server = servers[i];
        issues.append(server.validate(int(i)));
        // Ids select the active server, so two servers must never share one.
        if (!server.id.isEmpty() && seenIds.contains(server.id)) {
            issues.append({int(i), QString(key::id),
                           Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                                         "server \"%1\" has the same id as an "
                                                         "earlier server; remove and re-add it"),
                                       {server.name})});
        }
        seenIds.insert(server.id);
    }

    if (servers.isEmpty()) {
        if (!activeServerId.isEmpty())
            add(key::activeServerId,
                Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                              "the active server does not exist; add a server")));
    } else if (!activeServer()) {
        add(key::activeServerId,
            Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                          "no server is selected; choose one of the servers")));
    }

    if (auto problem = problemOf(parseListenAddress(listen))) {
        add(key::listen, *problem);
    } else if (auto exposure = checkNetworkExposure(
                   listen, !authUser.isEmpty() && !authPassword.isEmpty(), allowLanWithoutAuth)) {
        add(key::listen, *exposure);
    }
    if (auto problem = checkProxyCredentials(authUser, authPassword)) {
        const bool aboutUser = problem->field == CredentialsProblem::Field::User;
        add(aboutUser ? key::authUser : key::authPassword, problem->problem);
    }
    if (!listDirectory.isEmpty() && !QFileInfo(listDirectory).isDir()) {
        add(key::listDirectory,
            Problem::of(
                QT_TRANSLATE_NOOP("echw::Problem", "the list directory \"%1\" does not exist"),
                {listDirectory}));
    }
    if (!rulesFile.isEmpty() && !QFileInfo(rulesFile).isFile()) {
        add(key::rulesFile,
            Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                          "the rules file \"%1\" does not exist or is not a file"),
                        {rulesFile}));
    } else if (!rulesFile.isEmpty()) {
        // Checked here, as the engine will read it: a file that cannot start the proxy is
        // shown at its field (line and reason) before it is saved.
        auto rules = readRulesFile(rulesFile);
        if (auto* error = std::get_if<ConfigError>(&rules))
            add(key::rulesFile, error->problem);
    }
    // QLocale falls back to the C locale for a name it does not know.
    if (!language.isEmpty() && QLocale(language).language() == QLocale::C) {
        add(key::language,
            Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                          "\"%1\" is not a language code (e.g. en or zh_CN)"),
                        {language}));
    }
    return issues;
}

QString SettingsIssue::field() const
{
    return server == kGeneral ? key : QStringLiteral("servers[%1].%2").arg(server).arg(key);
}

const ServerProfile* AppSettings::activeServer() const
{
    if (activeServerId.isEmpty())
        return nullptr;
    for (const ServerProfile& server : servers) {
        if (server.id == activeServerId)
            return &server;
    }
    return nullptr;
}

std::variant<ProxySettings, Problem> AppSettings::toProxySettings() const
{
    const ServerProfile* server = activeServer();
    // Routing none sends everything direct and needs no server; EngineConfig::parse still asks
    // for one when a user rule tunnels.
    if (!server && routing != RoutingMode::None) {
        return servers.isEmpty()
                   ? Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                                   "no server is configured; add one first"))
                   : Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                                   "no server is selected; choose one first"));
    }
    ProxySettings settings;
    settings.listen = listen;
    settings.authUser = authUser;
    settings.authPassword = authPassword;
    settings.allowLanWithoutAuth = allowLanWithoutAuth;
    settings.routing = routing;
    settings.listDirectory = listDirectory;
    settings.rulesFile = rulesFile;
    if (server) {
        settings.server = server->toServerSettings();
        settings.connectionLimit = server->connectionLimit;
        settings.warmPoolSize = server->warmPoolSize;
    }
    return settings;
}

QJsonObject AppSettings::toJson() const
{
    QJsonArray serverArray;
    for (const ServerProfile& server : servers)
        serverArray.append(serverToJson(server));
    return {{key::version, kSchemaVersion},
            {key::servers, serverArray},
            {key::activeServerId, activeServerId},
            {key::listen, listen},
            {key::authUser, authUser},
            {key::authPassword, authPassword},
            {key::allowLanWithoutAuth, allowLanWithoutAuth},
            {key::routingMode, routingModeName(routing)},
            {key::listDirectory, listDirectory},
            {key::rulesFile, rulesFile},
            {key::startMinimized, startMinimized},
            {key::systemProxy, systemProxy},
            {key::language, language},
            {key::theme, theme}};
}

std::variant<AppSettings, QString> AppSettings::fromJson(const QJsonObject& json)
{
    QString error;
    JsonReader reader(json, {}, &error);

    if (!json.contains(key::version))
        return QStringLiteral("\"version\" is missing; this is not a settings file");
    int version = 0;
    reader.integer(key::version, version);
    if (!error.isEmpty())
        return error;
    if (version < 1 || version > kSchemaVersion) {
        return QStringLiteral("\"version\" is %1, but this version of the app reads up to %2")
            .arg(version)
            .arg(kSchemaVersion);
    }

    AppSettings settings;
    const QJsonValue serverValue = json.value(key::servers);
    if (!serverValue.isUndefined() && !serverValue.isArray())
        return QStringLiteral("\"servers\" must be a list");
    const QJsonArray serverArray = serverValue.toArray();
    for (qsizetype i = 0; i < serverArray.size(); ++i) {
        const QString prefix = QStringLiteral("servers[%1]").arg(i);
        if (!serverArray[i].isObject())
            return QStringLiteral("\"%1\" must be an object").arg(prefix);
        settings.servers.append(serverFromJson(serverArray[i].toObject(), prefix, &error));
        if (!error.isEmpty())
            return error;
    }

    reader.string(key::activeServerId, settings.activeServerId);
    reader.string(key::listen, settings.listen);
    reader.string(key::authUser, settings.authUser);
    reader.string(key::authPassword, settings.authPassword);
    reader.boolean(key::allowLanWithoutAuth, settings.allowLanWithoutAuth);
    QString routingName = routingModeName(settings.routing);
    reader.string(key::routingMode, routingName);
    reader.string(key::listDirectory, settings.listDirectory);
    reader.string(key::rulesFile, settings.rulesFile);
    reader.boolean(key::startMinimized, settings.startMinimized);
    reader.boolean(key::systemProxy, settings.systemProxy);
    reader.string(key::language, settings.language);
    reader.string(key::theme, settings.theme);
    if (!error.isEmpty())
        return error;

    const auto routing = routingModeFromName(routingName);
    if (!routing) {
        return QStringLiteral("\"routingMode\" must be global, bypass_cn or none, not \"%1\"")
            .arg(routingName);
    }
    settings.routing = *routing;
    return settings;
}

} // namespace echw
