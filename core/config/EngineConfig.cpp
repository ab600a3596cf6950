#include "EngineConfig.h"

#include "system/BoundedFile.h"

#include <QCoreApplication>
#include <QFile>
#include <QThread>

#include <algorithm>

namespace echw {

QString ConfigError::text() const
{
    if (!field)
        return problem.text();
    return QCoreApplication::translate("echw::Problem", "%1: %2")
        .arg(QCoreApplication::translate(Problem::kContext, field), problem.text());
}

std::variant<UserRules, ConfigError> readRulesFile(const QString& path)
{
    // Read bounded whatever the file claims: a device or a growing file reports no useful
    // size, and a rules file past the limit is a mistake, not a rule set.
    auto bytes = readBoundedFile(path, kMaxRulesFileBytes);
    if (auto* reason = std::get_if<QString>(&bytes))
        return ConfigError{
            QT_TRANSLATE_NOOP("echw::Problem", "rules file"),
            Problem::of(QT_TRANSLATE_NOOP("echw::Problem", "cannot read %1: %2"), {path, *reason})};
    auto parsed = UserRules::parse(QString::fromUtf8(std::get<QByteArray>(bytes)), path);
    if (auto* error = std::get_if<RuleError>(&parsed))
        return ConfigError{nullptr, error->problem};
    return std::get<UserRules>(std::move(parsed));
}

namespace {

std::variant<TunnelConfig, ConfigError> parseTunnel(const ServerSettings& settings)
{
    TunnelConfig tunnel;
    const auto server = parseServerAddress(settings.address);
    if (auto* error = std::get_if<Problem>(&server))
        return ConfigError{QT_TRANSLATE_NOOP("echw::Problem", "server address"), *error};
    tunnel.server = std::get<ServerAddress>(server);
    tunnel.dialAddress = settings.preferredIp;
    tunnel.token = settings.token;
    tunnel.withoutEch = settings.withoutEch;
    tunnel.caFile = settings.caFile;
    tunnel.echDomain = settings.echDomain;
    if (!settings.withoutEch) {
        const auto doh = parseDohServer(settings.dohServer);
        if (auto* error = std::get_if<Problem>(&doh))
            return ConfigError{QT_TRANSLATE_NOOP("echw::Problem", "DoH server"), *error};
        tunnel.dohServer = std::get<QUrl>(doh);
    }
    return tunnel;
}

} // namespace

int EngineConfig::defaultThreads()
{
    return std::max(1, QThread::idealThreadCount());
}

std::variant<EngineConfig, ConfigError> EngineConfig::parse(const ProxySettings& settings,
                                                            int threads)
{
    EngineConfig config;
    const auto listen = parseListenAddress(settings.listen);
    if (auto* error = std::get_if<Problem>(&listen))
        return ConfigError{QT_TRANSLATE_NOOP("echw::Problem", "listen address"), *error};
    config.listen = std::get<ListenAddress>(listen);
    config.listenText = settings.listen;
    if (const auto problem = checkProxyCredentials(settings.authUser, settings.authPassword))
        return ConfigError{QT_TRANSLATE_NOOP("echw::Problem", "proxy authentication"),
                           problem->problem};
    config.hasCredentials = !settings.authUser.isEmpty();
    config.credentials =
        ProxyCredentials(settings.authUser.toUtf8(), settings.authPassword.toUtf8());
    if (auto error = checkNetworkExposure(settings.listen, config.hasCredentials,
                                          settings.allowLanWithoutAuth))
        return ConfigError{nullptr, *error}; // it names the address and what to do

    if (!settings.metricsListen.isEmpty()) {
        const auto metrics = parseListenAddress(settings.metricsListen);
        if (auto* error = std::get_if<Problem>(&metrics))
            return ConfigError{QT_TRANSLATE_NOOP("echw::Problem", "metrics address"), *error};
        if (!settings.metricsAllowLan && !listensOnLoopback(settings.metricsListen))
            return ConfigError{nullptr,
                               Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                                             "serving metrics on %1 would show the "
                                                             "network how the proxy is used: use a "
                                                             "loopback address, or allow it "
                                                             "(-metrics-allow-lan)"),
                                           {settings.metricsListen})};
        config.metrics = std::get<ListenAddress>(metrics);
        config.metricsText = settings.metricsListen;
    }

    config.routing = settings.routing;
    config.routeCacheSize = settings.routeCacheSize;
    config.listDirectory = settings.listDirectory;
    config.updatedListDirectory = settings.updatedListDirectory;
    if (!settings.rulesFile.isEmpty()) {
        auto rules = readRulesFile(settings.rulesFile);
        if (auto* error = std::get_if<ConfigError>(&rules))
            return *error;
        config.rules = std::get<UserRules>(std::move(rules));
    }
    const bool tunnelRule =
        std::any_of(config.rules.rules().begin(), config.rules.rules().end(),
                    [](const UserRule& rule) { return rule.action == RouteAction::Tunnel; });
    if (settings.routing != RoutingMode::None || tunnelRule) {
        auto tunnel = parseTunnel(settings.server);
        if (auto* error = std::get_if<ConfigError>(&tunnel))
            return *error;
        config.tunnel = std::get<TunnelConfig>(std::move(tunnel));
    }
    config.caFile = settings.server.caFile;

    if (settings.resolver != QStringLiteral("system")) {
        const auto doh = parseDohServer(settings.resolver);
        if (auto* error = std::get_if<Problem>(&doh))
            return ConfigError{QT_TRANSLATE_NOOP("echw::Problem", "resolver"), *error};
        config.resolverDoh = std::get<QUrl>(doh);
    }
    const auto udpDns = parseDohServer(settings.udpDnsServer);
    if (auto* error = std::get_if<Problem>(&udpDns))
        return ConfigError{QT_TRANSLATE_NOOP("echw::Problem", "UDP DNS server"), *error};
    config.udpDnsServer = std::get<QUrl>(udpDns);
    config.echCacheFile = settings.echCacheFile;

    config.connectionLimit = std::max(1, settings.connectionLimit);
    config.handshakeTimeout = settings.handshakeTimeout;
    config.keepAliveInterval = settings.keepAliveInterval;
    config.connectTimeout = settings.connectTimeout;
    config.warmPoolSize = std::max(0, settings.warmPoolSize);
    config.threads = threads > 0 ? threads : defaultThreads();
    return config;
}

} // namespace echw
