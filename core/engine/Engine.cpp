#include "Engine.h"

#include "ech/DohClient.h"
#include "ech/EchConfigRelay.h"
#include "inbound/InboundServer.h"
#include "metrics/ConnectionRegistry.h"
#include "metrics/MeteredConnector.h"
#include "metrics/MetricsRegistry.h"
#include "net/HostResolver.h"
#include "outbound/DirectConnector.h"
#include "outbound/DnsOverTunnel.h"
#include "outbound/RoutingConnector.h"
#include "outbound/TunnelConnector.h"
#include "routing/RouteLists.h"
#include "routing/Router.h"
#include "tls/TlsContext.h"

#include <QLoggingCategory>

#include <unistd.h>

namespace echw {

Q_DECLARE_LOGGING_CATEGORY(lcEngine)

struct Engine::Generation {
    // Declared in the order of use: each member is destroyed before what it uses.
    std::shared_ptr<EngineShared> shared;
    std::unique_ptr<Connector> direct;
    std::shared_ptr<EchConfigRelay> ech;
    std::unique_ptr<TunnelConnector> tunnel;
    std::unique_ptr<DnsOverTunnel> udpDns;
    std::unique_ptr<HostResolver> resolver;
    std::unique_ptr<Router> router;
    std::unique_ptr<Connector> routing;
    std::unique_ptr<Connector> metered;
};

Engine::Engine(QObject* parent)
    : QObject(parent)
{}

Engine::~Engine()
{
    stop();
}

std::optional<QString> Engine::start(const EngineConfig& config,
                                     std::shared_ptr<EngineShared> shared, EngineSlot slot)
{
    stop();
    m_metrics = std::move(slot.metrics);
    m_registry =
        std::make_unique<ConnectionRegistry>(ConnectionRegistry::Clock{}, shared->connectionIds);
    m_registry->setMetrics(m_metrics.get());
    auto generation = makeGeneration(config, std::move(shared));
    if (auto* error = std::get_if<QString>(&generation)) {
        stop();
        return *error;
    }
    m_current = std::get<std::shared_ptr<Generation>>(std::move(generation));
    m_server = std::make_unique<InboundServer>(makeContext(config, m_current), slot.handshakeLimit);
    m_server->setEstablishedChanged(std::move(slot.establishedChanged));
    return std::nullopt;
}

std::optional<QString> Engine::reconfigure(const EngineConfig& config,
                                           std::shared_ptr<EngineShared> shared, int handshakeLimit)
{
    if (!m_server)
        return QStringLiteral("the engine is not running");
    auto generation = makeGeneration(config, std::move(shared));
    if (auto* error = std::get_if<QString>(&generation))
        return *error;
    m_current = std::get<std::shared_ptr<Generation>>(std::move(generation));
    m_server->setContext(makeContext(config, m_current), handshakeLimit);
    return std::nullopt;
}

std::shared_ptr<const InboundContext>
Engine::makeContext(const EngineConfig& config, const std::shared_ptr<Generation>& generation)
{
    auto context = std::make_shared<InboundContext>();
    context->connector = generation->metered.get();
    context->udpDns = generation->udpDns.get();
    context->registry = m_registry.get();
    context->metrics = m_metrics.get();
    context->credentials = config.credentials;
    context->handshakeTimeout = config.handshakeTimeout;
    context->owner = generation;
    return context;
}

std::variant<std::shared_ptr<Engine::Generation>, QString>
Engine::makeGeneration(const EngineConfig& config, std::shared_ptr<EngineShared> shared)
{
    auto generation = std::make_shared<Generation>();
    generation->shared = std::move(shared);
    const EngineShared& state = *generation->shared;
    generation->direct = std::make_unique<DirectConnector>(config.connectTimeout);

    Router::Config routing;
    routing.mode = config.routing;
    routing.cacheCapacity = config.routeCacheSize;
    routing.rules = config.rules;
    routing.lists = state.lists;
    if (config.resolverDoh.isEmpty()) {
        generation->resolver = std::make_unique<SystemHostResolver>();
    } else {
        DohOptions options;
        options.url = config.resolverDoh;
        options.extraCaFile = config.caFile;
        generation->resolver =
            std::make_unique<DohHostResolver>(std::make_unique<DohClient>(options));
    }
    generation->router = std::make_unique<Router>(std::move(routing), generation->resolver.get());
    connect(generation->router.get(), &Router::decided, this, &Engine::onDecided);

    if (config.tunnel) {
        const TunnelConfig& server = *config.tunnel;
        if (state.ech)
            generation->ech = std::make_shared<EchConfigRelay>(state.echTarget, state.ech);
        TunnelConnector::Settings tunnel;
        tunnel.host = server.server.host;
        tunnel.port = server.server.port;
        tunnel.path = server.server.path;
        tunnel.dialAddress = server.dialAddress;
        tunnel.token = server.token;
        tunnel.withoutEch = server.withoutEch;
        tunnel.connectTimeout = config.connectTimeout;
        tunnel.setupTimeout = config.connectTimeout;
        tunnel.keepAliveInterval = config.keepAliveInterval;
        tunnel.metrics = m_metrics.get();
        // The pool's size is for the whole proxy: each engine keeps its share, rounded up.
        tunnel.pool.maxSize = (config.warmPoolSize + config.threads - 1) / config.threads;
        generation->tunnel =
            std::make_unique<TunnelConnector>(tunnel, state.tunnelTls, generation->ech);
    }

    // SOCKS5 UDP ASSOCIATE serves DNS only, as DoH through the tunnel like the reference
    // client. The reference has no answer for an engine without a tunnel (routing none, no
    // tunnel rules); here the DoH server is then reached directly, which still keeps plaintext
    // DNS off the network. Without a TLS context (said once by the runtime) it is refused.
    if (state.dohTls) {
        DnsOverTunnel::Settings dns;
        dns.url = config.udpDnsServer;
        auto created =
            DnsOverTunnel::create(generation->tunnel ? *generation->tunnel : *generation->direct,
                                  state.dohTls, std::move(dns));
        if (auto* error = std::get_if<QString>(&created))
            return QStringLiteral("UDP DNS server: %1").arg(*error);
        generation->udpDns = std::get<std::unique_ptr<DnsOverTunnel>>(std::move(created));
    }
    generation->routing = std::make_unique<RoutingConnector>(
        *generation->router, *generation->direct, generation->tunnel.get());
    generation->metered = std::make_unique<MeteredConnector>(*generation->routing, *m_metrics);
    return generation;
}

void Engine::adoptConnection(qintptr descriptor)
{
    if (m_server)
        m_server->adopt(descriptor);
    else
        ::close(int(descriptor));
}

void Engine::onDecided(const RoutingDecision& decision)
{
    qCDebug(lcEngine, "route %s -> %s (%s)", qPrintable(decision.target.toString()),
            qPrintable(routeActionName(decision.action)),
            qPrintable(describeRoutingReason(decision.reason)));
    if (m_recentDecisions.size() >= std::size_t(EngineSnapshot::kMaxDecisions)) {
        m_recentDecisions.pop_front();
        ++m_droppedDecisions;
    }
    m_recentDecisions.push_back(decision);
    m_metrics->routingDecided(decision);
}

void Engine::stop()
{
    // The connections first: each holds its configuration, which goes with the last of them.
    m_server.reset();
    m_current.reset();
    m_registry.reset();
    m_recentDecisions.clear();
    m_droppedDecisions = 0;
}

bool Engine::isRunning() const
{
    return m_server != nullptr;
}

int Engine::activeConnections() const
{
    return m_server ? m_server->activeConnections() : 0;
}

quint64 Engine::totalConnections() const
{
    return m_server ? m_server->totalConnections() : 0;
}

EngineSnapshot Engine::takeSnapshot(const ConnectionSort& sort)
{
    EngineSnapshot snapshot;
    snapshot.running = isRunning();
    if (!snapshot.running)
        return snapshot;
    snapshot.activeConnections = activeConnections();
    snapshot.totalConnections = totalConnections();
    if (m_current->tunnel)
        snapshot.tunnel = m_current->tunnel->status();
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
