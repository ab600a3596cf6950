#pragma once

#include "config/Problem.h"
#include "config/ProxySettings.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <variant>

namespace echw {

// One problem found by validate(): the setting it is about (a server's, by its place in
// servers, or one of the app's) and what is wrong. Problems never quote a token.
struct SettingsIssue {
    static constexpr int kGeneral = -1;
    int server = kGeneral; // index in AppSettings::servers, or kGeneral
    QString key;           // as toJson() writes it: "address", "listen", "activeServerId"
    Problem problem;

    // "servers[1].address" or "listen": for logs and tests.
    QString field() const;
    QString message() const { return problem.text(); }

    bool operator==(const SettingsIssue&) const = default;
};

// One worker server as the GUI keeps it. The connection fields mirror
// ServerSettings (and take their defaults from it, so the GUI and the CLI
// agree); the rest is GUI-only bookkeeping.
struct ServerProfile {
    static constexpr int kMinConnectionLimit = 1;
    static constexpr int kMaxConnectionLimit = 100'000;
    static constexpr int kMaxWarmPoolSize = 64;

    QString id; // a UUID without braces; what activeServerId refers to
    QString name;
    QString address; // host:port[/path]
    QString preferredIp;
    QString token; // never logged, never quoted in an issue
    QString dohServer = ServerSettings{}.dohServer;
    QString echDomain = ServerSettings{}.echDomain;
    bool withoutEch = ServerSettings{}.withoutEch;
    QString caFile;
    int connectionLimit = 1000;
    int warmPoolSize = 0; // pre-opened tunnels; 0 = open on demand

    static QString newId();
    // The checks for one server, the issues marked as those of servers[index].
    QList<SettingsIssue> validate(int index) const;
    ServerSettings toServerSettings() const;

    bool operator==(const ServerProfile&) const = default;
};

// Everything the desktop app persists. Duplicate server names are allowed on
// purpose: servers are told apart by id, and the reference GUI let users keep
// several entries with the same name, which an import must not reject.
struct AppSettings {
    // Bumped when a key changes meaning; fromJson() refuses a newer schema rather
    // than misreading it.
    static constexpr int kSchemaVersion = 1;

    QList<ServerProfile> servers;
    QString activeServerId; // empty only while there are no servers

    QString listen = ProxySettings{}.listen;
    // ProxySettings' authUser, authPassword and allowLanWithoutAuth: a listen address other
    // machines can reach needs the first two, or the third. The password is never logged.
    QString authUser;
    QString authPassword;
    bool allowLanWithoutAuth = false;
    // The reference GUI defaults to bypass_cn (protocol.md section 5), unlike the
    // CLI.
    RoutingMode routing = RoutingMode::BypassCn;
    QString listDirectory; // empty: the bundled or updated lists
    QString rulesFile;     // empty: no user rules
    bool startMinimized = false;
    // Point the desktop's proxy settings at the proxy while it runs (SystemProxy).
    bool systemProxy = false;
    QString language; // empty: follow the system locale
    // "system" (the desktop's look), "light" or "dark"; another value reads as "system".
    QString theme = QStringLiteral("system");

    // Empty when the settings can be used. Defaults (no servers yet) are valid.
    QList<SettingsIssue> validate() const;

    const ServerProfile* activeServer() const;
    // The Engine's settings for the active server (routing none needs none), or
    // why there are none. Does not validate: call validate() first.
    std::variant<ProxySettings, Problem> toProxySettings() const;

    QJsonObject toJson() const;
    // Missing keys keep their defaults and unknown keys are ignored (additions
    // that need no schema bump). A value of the wrong type, a missing "version"
    // or a newer one is an error naming the key.
    static std::variant<AppSettings, QString> fromJson(const QJsonObject& json);

    bool operator==(const AppSettings&) const = default;
};

} // namespace echw
