#include "Engine.h"

#include "config/SettingsValidation.h"
#include "ech/DohClient.h"
#include "ech/EchConfigCache.h"
#include "inbound/ProxyListener.h"
#include "metrics/ConnectionRegistry.h"
#include "metrics/MeteredConnector.h"
#include "metrics/MetricsRegistry.h"
#include "metrics/MetricsServer.h"
#include "net/HostResolver.h"
#include "net/SocketAddresses.h"
#include "outbound/DirectConnector.h"
#include "outbound/DnsOverTunnel.h"
#include "outbound/RoutingConnector.h"
#include "outbound/TunnelConnector.h"
#include "routing/RouteLists.h"
#include "routing/Router.h"
#include "tls/TlsContext.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>

#include <limits>
#include <unistd.h>

namespace echw {

Q_LOGGING_CATEGORY(lcEngine, "echw.engine")

namespace {

// A list folder the user gave is the only place looked at, so a mistake in it shows rather
// than lists from elsewhere; otherwise each file comes from the search path of RouteLists.h.
std::variant<RouteLists, QString> loadChinaLists(const ProxySettings& settings)
{
    ListFiles files;
    if (!settings.listDirectory.isEmpty()) {
        const QDir directory(settings.listDirectory);
        files.ipv4 = directory.filePath(kIpv4ListFileName);
        if (QFileInfo::exists(directory.filePath(kIpv6ListFileName)))
            files.ipv6 = directory.filePath(kIpv6ListFileName);
    } else {
        files = findListFiles(listSearchPath(settings.updatedListDirectory));
        if (files.ipv4.isEmpty())
            return QStringLiteral("no China IP list found: put %1 next to the program or in the "
                                  "working directory, or give its folder with -lists")
                .arg(kIpv4ListFileName);
    }
    QElapsedTimer timer;
    timer.start();
    auto lists = loadRouteLists(files.ipv4, files.ipv6);
    if (auto* loaded = std::get_if<RouteLists>(&lists))
        qCInfo(lcEngine,
               "China lists %s and %s (%s): %lld IPv4 and %lld IPv6 ranges, loaded in %lld ms",
               qPrintable(QDir::toNativeSeparators(files.ipv4)),
               qPrintable(files.ipv6.isEmpty() ? QStringLiteral("no IPv6 list")
                                               : QDir::toNativeSeparators(files.ipv6)),
               qPrintable(loaded->date.toString(Qt::ISODate)), qlonglong(loaded->ipv4.rangeCount()),
               qlonglong(loaded->ipv6.rangeCount()), qlonglong(timer.elapsed()));
    return lists;
}

} // namespace

Engine::Engine(QObject* parent)
    : QObject(parent)
    , m_metrics(std::make_unique<MetricsRegistry>(QByteArrayLiteral(ECHW_VERSION)))
{
    m_context.metrics = m_metrics.get();
}

Engine::~Engine()
{
    stop();
}

std::optional<QString> Engine::start(const ProxySettings& settings,
                                     std::optional<HandedConnections> handed)
{
    stop();
    const auto listen = parseListenAddress(settings.listen);
    if (auto* error = std::get_if<QString>(&listen))
        return QStringLiteral("listen address: %1").arg(*error);
    if (const auto problem = checkProxyCredentials(settings.authUser, settings.authPassword))
        return QStringLiteral("proxy authentication: %1").arg(problem->message);
    const bool hasCredentials = !settings.authUser.isEmpty();
    if (auto error =
            checkNetworkExposure(settings.listen, hasCredentials, settings.allowLanWithoutAuth))
        return error;
    if (!settings.metricsListen.isEmpty() && !settings.metricsAllowLan &&
        !listensOnLoopback(settings.metricsListen))
        return QStringLiteral("serving metrics on %1 would show the network how the proxy is "
                              "used: use a loopback address, or allow it (-metrics-allow-lan)")
            .arg(settings.metricsListen);
    m_settings = settings;
    m_direct = std::make_unique<DirectConnector>(settings.connectTimeout);
    bool needsTunnel = false;
    if (auto error = startRouting(settings, &needsTunnel)) {
        stop();
        return error;
    }
    if (needsTunnel) {
        if (auto error = startTunnel(settings)) {
            stop();
            return error;
        }
    }
    if (auto error = startUdpDns(settings)) {
        stop();
        return error;
    }
    m_routing = std::make_unique<RoutingConnector>(*m_router, *m_direct, m_tunnel.get());
    m_metered = std::make_unique<MeteredConnector>(*m_routing, *m_metrics);
    m_registry = std::make_unique<ConnectionRegistry>();
    m_registry->setMetrics(m_metrics.get());
    m_snapshotSequence = 0;
    m_context.connector = m_metered.get();
    m_context.registry = m_registry.get();
    m_context.udpDns = m_udpDns.get();
    m_context.handshakeTimeout = settings.handshakeTimeout;
    m_context.credentials =
        ProxyCredentials(settings.authUser.toUtf8(), settings.authPassword.toUtf8());
    if (handed) {
        // The acceptor keeps the connection limit for the whole group: none here, so this
        // listener, which never listens, never pauses. The handshake budget is per engine.
        m_listener = std::make_unique<ProxyListener>(m_context, std::numeric_limits<int>::max(),
                                                     handed->handshakeLimit);
        m_listener->setEstablishedChanged(std::move(handed->establishedChanged));
        return std::nullopt;
    }
    m_listener = std::make_unique<ProxyListener>(m_context, settings.connectionLimit);
    const auto& address = std::get<ListenAddress>(listen);
    if (!m_listener->listen(address.address, address.port)) {
        const QString error = QStringLiteral("cannot listen on %1: %2")
                                  .arg(settings.listen, m_listener->errorString());
        stop();
        return error;
    }
    if (auto error = startMetrics(settings)) {
        stop();
        return error;
    }
    logAccess(settings, listenAddress());
    return std::nullopt;
}

void Engine::adoptConnection(qintptr descriptor)
{
    if (m_listener)
        m_listener->adopt(descriptor);
    else
        ::close(int(descriptor));
}

std::optional<QString> Engine::startMetrics(const ProxySettings& settings)
{
    if (settings.metricsListen.isEmpty())
        return std::nullopt;
    auto served = serveMetrics(settings.metricsListen, [this] { return m_metrics->exposition(); });
    if (auto* error = std::get_if<QString>(&served))
        return *error;
    m_metricsServer = std::get<std::unique_ptr<MetricsServer>>(std::move(served));
    return std::nullopt;
}

std::variant<std::unique_ptr<MetricsServer>, QString>
Engine::serveMetrics(const QString& listen, std::function<QByteArray()> render)
{
    const auto parsed = parseListenAddress(listen);
    if (auto* error = std::get_if<QString>(&parsed))
        return QStringLiteral("metrics address: %1").arg(*error);
    auto server = std::make_unique<MetricsServer>(std::move(render));
    const auto& address = std::get<ListenAddress>(parsed);
    if (!server->listen(address.address, address.port))
        return QStringLiteral("cannot serve metrics on %1: %2").arg(listen, server->errorString());
    const QString actual = hostPortString(server->serverAddress(), server->serverPort());
    qCInfo(lcEngine, "metrics at http://%s/metrics", qPrintable(actual));
    if (!listensOnLoopback(listen))
        qCWarning(lcEngine,
                  "metrics are served to the network on %s: anyone who can reach the "
                  "port sees how the proxy is used",
                  qPrintable(actual));
    return server;
}

QString Engine::metricsAddress() const
{
    if (!m_metricsServer)
        return {};
    return hostPortString(m_metricsServer->serverAddress(), m_metricsServer->serverPort());
}

void Engine::logAccess(const ProxySettings& settings, const QString& address)
{
    const bool hasCredentials = !settings.authUser.isEmpty();
    const bool loopback = listensOnLoopback(settings.listen);
    if (!hasCredentials && !loopback) {
        qCWarning(lcEngine,
                  "listening on %s without authentication: anyone who can reach this port can "
                  "use the proxy",
                  qPrintable(address));
    } else if (hasCredentials && !loopback) {
        qCWarning(lcEngine,
                  "listening on %s for the network: SOCKS5 and HTTP clients must log in with "
                  "the configured user name and password",
                  qPrintable(address));
    } else if (hasCredentials) {
        qCInfo(lcEngine, "SOCKS5 and HTTP clients must log in with the configured user name and "
                         "password");
    }
}

std::optional<QString> Engine::startTunnel(const ProxySettings& settings)
{
    const auto server = parseServerAddress(settings.server.address);
    if (auto* error = std::get_if<QString>(&server))
        return QStringLiteral("server address: %1").arg(*error);
    auto tls = TlsClientContext::create(settings.server.caFile);
    if (auto* error = std::get_if<QString>(&tls))
        return *error;

    std::shared_ptr<EchConfigProvider> ech;
    if (!settings.server.withoutEch) {
        const auto doh = parseDohServer(settings.server.dohServer);
        if (auto* error = std::get_if<QString>(&doh))
            return QStringLiteral("DoH server: %1").arg(*error);
        DohOptions options;
        options.url = std::get<QUrl>(doh);
        options.extraCaFile = settings.server.caFile;
        ech = std::make_shared<EchConfigProvider>(std::make_unique<DohClient>(options),
                                                  settings.server.echDomain,
                                                  EchConfigCache(settings.echCacheFile));
        connect(ech.get(), &EchConfigProvider::fetchFinished, this,
                [this](bool succeeded, bool servedStale) {
                    using Result = MetricsRegistry::EchConfigFetchResult;
                    m_metrics->echConfigFetched(succeeded     ? Result::Ok
                                                : servedStale ? Result::FailedServedStale
                                                              : Result::Failed);
                });
        // Fetched at start rather than on the first connection: it is then ready, and a
        // problem shows at start. Queued, so that listening does not wait for the DoH client's
        // set-up (it reads the system CA store).
        QMetaObject::invokeMethod(
            this,
            [this, weak = std::weak_ptr<EchConfigProvider>(ech),
             domain = settings.server.echDomain] {
                const auto provider = weak.lock();
                if (!provider)
                    return; // stopped meanwhile
                provider->get(this, [domain](EchConfigSource::Result result) {
                    if (auto* error = std::get_if<QString>(&result))
                        qCWarning(lcEngine, "%s", qPrintable(*error));
                    else
                        qCInfo(lcEngine, "ECH config for %s ready", qPrintable(domain));
                });
            },
            Qt::QueuedConnection);
    } else {
        qCWarning(lcEngine, "no-ECH mode: the server name %s is sent in clear",
                  qPrintable(std::get<ServerAddress>(server).host));
    }

    const auto& address = std::get<ServerAddress>(server);
    TunnelConnector::Settings tunnel;
    tunnel.host = address.host;
    tunnel.port = address.port;
    tunnel.path = address.path;
    tunnel.dialAddress = settings.server.preferredIp;
    tunnel.token = settings.server.token;
    tunnel.withoutEch = settings.server.withoutEch;
    tunnel.connectTimeout = settings.connectTimeout;
    tunnel.setupTimeout = settings.connectTimeout;
    tunnel.keepAliveInterval = settings.keepAliveInterval;
    tunnel.metrics = m_metrics.get();
    tunnel.pool.maxSize = settings.warmPoolSize;
    m_tunnelTls = std::get<std::shared_ptr<TlsClientContext>>(std::move(tls));
    m_tunnel = std::make_unique<TunnelConnector>(tunnel, m_tunnelTls, std::move(ech));
    return std::nullopt;
}

// SOCKS5 UDP ASSOCIATE serves DNS only, as DoH through the tunnel like the reference client.
// The reference has no answer for an engine without a tunnel (routing none, no tunnel rules);
// here the DoH server is then reached directly, which still keeps plaintext DNS off the
// network.
std::optional<QString> Engine::startUdpDns(const ProxySettings& settings)
{
    const auto url = parseDohServer(settings.udpDnsServer);
    if (auto* error = std::get_if<QString>(&url))
        return QStringLiteral("UDP DNS server: %1").arg(*error);
    std::shared_ptr<TlsClientContext> tls = m_tunnelTls;
    if (!tls) {
        auto created = TlsClientContext::create(settings.server.caFile);
        if (auto* error = std::get_if<QString>(&created)) {
            // The proxy works without it; only UDP ASSOCIATE is refused.
            qCWarning(lcEngine, "DNS over SOCKS5 UDP is off: %s", qPrintable(*error));
            return std::nullopt;
        }
        tls = std::get<std::shared_ptr<TlsClientContext>>(std::move(created));
    }
    DnsOverTunnel::Settings dns;
    dns.url = std::get<QUrl>(url);
    auto created =
        DnsOverTunnel::create(m_tunnel ? *m_tunnel : *m_direct, std::move(tls), std::move(dns));
    if (auto* error = std::get_if<QString>(&created))
        return QStringLiteral("UDP DNS server: %1").arg(*error);
    m_udpDns = std::get<std::unique_ptr<DnsOverTunnel>>(std::move(created));
    return std::nullopt;
}

std::optional<QString> Engine::startRouting(const ProxySettings& settings, bool* needsTunnel)
{
    Router::Config config;
    config.mode = settings.routing;
    config.cacheCapacity = settings.routeCacheSize;
    if (!settings.rulesFile.isEmpty()) {
        QFile file(settings.rulesFile);
        if (!file.open(QIODevice::ReadOnly) || file.size() > 1024 * 1024)
            return QStringLiteral("cannot read the rules file %1").arg(settings.rulesFile);
        auto parsed = UserRules::parse(QString::fromUtf8(file.readAll()), settings.rulesFile);
        if (auto* error = std::get_if<RuleError>(&parsed))
            return error->message;
        config.rules = std::get<UserRules>(std::move(parsed));
    }
    *needsTunnel =
        settings.routing != RoutingMode::None ||
        std::any_of(config.rules.rules().begin(), config.rules.rules().end(),
                    [](const UserRule& rule) { return rule.action == RouteAction::Tunnel; });

    if (settings.routing == RoutingMode::BypassCn) {
        auto lists = loadChinaLists(settings);
        if (auto* error = std::get_if<QString>(&lists))
            return *error;
        config.lists = std::make_shared<const RouteLists>(std::get<RouteLists>(std::move(lists)));
    }

    if (settings.resolver == QStringLiteral("system")) {
        m_resolver = std::make_unique<SystemHostResolver>();
    } else {
        const auto doh = parseDohServer(settings.resolver);
        if (auto* error = std::get_if<QString>(&doh))
            return QStringLiteral("resolver: %1").arg(*error);
        DohOptions options;
        options.url = std::get<QUrl>(doh);
        options.extraCaFile = settings.server.caFile;
        m_resolver = std::make_unique<DohHostResolver>(std::make_unique<DohClient>(options));
    }
    m_router = std::make_unique<Router>(std::move(config), m_resolver.get());
    connect(m_router.get(), &Router::decided, this, [this](const RoutingDecision& decision) {
        qCDebug(lcEngine, "route %s -> %s (%s)", qPrintable(decision.target.toString()),
                qPrintable(routeActionName(decision.action)),
                qPrintable(describeRoutingReason(decision)));
        if (m_recentDecisions.size() >= std::size_t(EngineSnapshot::kMaxDecisions)) {
            m_recentDecisions.pop_front();
            ++m_droppedDecisions;
        }
        m_recentDecisions.push_back(decision);
        m_metrics->routingDecided(decision);
        Q_EMIT routingDecided(decision);
    });
    return std::nullopt;
}

void Engine::stop()
{
    m_metricsServer.reset();
    m_listener.reset();
    m_context.connector = nullptr;
    m_context.udpDns = nullptr;
    m_context.registry = nullptr;
    m_context.credentials = {};
    m_registry.reset();
    m_recentDecisions.clear();
    m_droppedDecisions = 0;
    m_udpDns.reset();
    m_metered.reset();
    m_routing.reset();
    m_router.reset();
    m_resolver.reset();
    m_tunnel.reset();
    m_tunnelTls.reset();
    m_direct.reset();
}

bool Engine::isRunning() const
{
    return m_listener != nullptr;
}

QString Engine::listenAddress() const
{
    if (!m_listener)
        return {};
    return hostPortString(m_listener->serverAddress(), m_listener->serverPort());
}

int Engine::activeConnections() const
{
    return m_listener ? m_listener->activeConnections() : 0;
}

quint64 Engine::totalConnections() const
{
    return m_listener ? m_listener->totalConnections() : 0;
}

EngineSnapshot Engine::takeSnapshot(const ConnectionSort& sort)
{
    EngineSnapshot snapshot;
    snapshot.running = isRunning();
    if (!snapshot.running)
        return snapshot;
    snapshot.sequence = ++m_snapshotSequence;
    snapshot.listenAddress = listenAddress();
    snapshot.activeConnections = activeConnections();
    snapshot.totalConnections = totalConnections();
    if (m_tunnel)
        snapshot.tunnel = m_tunnel->status();
    m_registry->sample(snapshot, sort);
    snapshot.decisions = QList<RoutingDecision>(m_recentDecisions.begin(), m_recentDecisions.end());
    snapshot.droppedDecisions = std::exchange(m_droppedDecisions, 0);
    m_recentDecisions.clear();
    return snapshot;
}

bool Engine::closeConnection(quint64 id)
{
    return m_registry && m_registry->close(id);
}

} // namespace echw
