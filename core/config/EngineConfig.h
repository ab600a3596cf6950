#pragma once

#include "config/ProxySettings.h"
#include "config/SettingsValidation.h"
#include "inbound/ProxyCredentials.h"
#include "routing/UserRules.h"

#include <QString>
#include <QUrl>

#include <chrono>
#include <optional>
#include <variant>

namespace echw {

// A setting that cannot run, with the field it is in, for the person who typed it.
struct ConfigError {
    // As the user knows it ("listen address", "server address", ...), a QT_TRANSLATE_NOOP
    // literal in Problem's context; null when the problem names its setting itself.
    const char* field = nullptr;
    Problem problem; // what is wrong with it
    // "listen address: ..." in the installed translator's language.
    QString text() const;
    bool operator==(const ConfigError& other) const
    {
        return QLatin1StringView(field) == QLatin1StringView(other.field) &&
               problem == other.problem;
    }
};

// The worker a tunnel goes to, checked.
struct TunnelConfig {
    ServerAddress server;
    QString dialAddress; // preferred IP or host; empty: the server's host
    QString token;       // never logged
    bool withoutEch = false;
    QUrl dohServer; // where the ECH config comes from; empty with withoutEch
    QString echDomain;
    QString caFile; // extra trust anchors; empty: the system's only

    bool operator==(const TunnelConfig&) const = default;
};

// Everything a running proxy needs, as typed values: what ProxySettings holds as text, parsed
// and checked once by parse(), so nothing behind it parses a string or finds a setting wrong.
struct EngineConfig {
    // Connections in their SOCKS5 or HTTP handshake at once, across the engine threads
    // (InboundServer): more than a browser opens at once.
    static constexpr int kDefaultHandshakeLimit = 512;

    ListenAddress listen;
    QString listenText; // as given, for messages
    ProxyCredentials credentials;
    bool hasCredentials = false;

    RoutingMode routing = RoutingMode::Global;
    UserRules rules;
    qsizetype routeCacheSize = 10'000;
    // Where the China lists are looked for (bypass_cn only): see ProxySettings.
    QString listDirectory;
    QString updatedListDirectory;
    // Present when anything can be tunnelled (a mode other than none, or a tunnel rule).
    std::optional<TunnelConfig> tunnel;
    // Names resolved over this DoH server; empty: the system resolver.
    QUrl resolverDoh;
    QUrl udpDnsServer;
    // Extra trust anchors for the TLS the engine makes besides the tunnel (DoH): the server's.
    QString caFile;
    QString echCacheFile;

    std::optional<ListenAddress> metrics;
    QString metricsText;

    int connectionLimit = 1000;
    int handshakeLimit = kDefaultHandshakeLimit;
    std::chrono::milliseconds handshakeTimeout{10'000};
    std::chrono::milliseconds keepAliveInterval{30'000};
    std::chrono::milliseconds connectTimeout{10'000};
    int warmPoolSize = 0;
    // Engine threads; the same default for every program (defaultThreads()).
    int threads = 1;

    // One per core, as the CLI has always defaulted to.
    static int defaultThreads();

    // Reads the rules file too; every error names its field.
    static std::variant<EngineConfig, ConfigError> parse(const ProxySettings& settings,
                                                         int threads = 0);
};

// A user rules file is read whole, at most this much.
constexpr qint64 kMaxRulesFileBytes = 1024 * 1024;

// The user rules in the file at path, or why not: the file cannot be read, is too large, or
// its first bad rule (line and reason). What the engine runs with, and what Settings checks.
std::variant<UserRules, ConfigError> readRulesFile(const QString& path);

} // namespace echw
