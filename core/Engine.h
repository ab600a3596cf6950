#pragma once

#include "config/ProxySettings.h"
#include "inbound/InboundContext.h"
#include "inbound/ProxyListener.h"
#include "metrics/EngineSnapshot.h"
#include "routing/RoutingDecision.h"

#include <QObject>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <variant>

namespace echw {

class ConnectionRegistry;
class Connector;
class DnsOverTunnel;
class HostResolver;
class MetricsRegistry;
class MetricsServer;
class Router;
class TlsClientContext;
class TunnelConnector;

// A running proxy: the listener, the connectors and the settings they share. The CLI, the
// GUI (on its engine thread), the tests and the benchmarks all drive this one object.
class Engine final : public QObject {
    Q_OBJECT
public:
    explicit Engine(QObject* parent = nullptr);
    ~Engine() override;

    // Connections accepted elsewhere (EngineGroup) instead of on a listener of the engine's
    // own. `establishedChanged` runs on the engine's thread with +1 when one of them completes
    // its first request and -1 when such an established one ends (ProxyListener).
    struct HandedConnections {
        std::function<void(int)> establishedChanged;
        // This engine's share of the handshake budget.
        int handshakeLimit = ProxyListener::kDefaultHandshakeLimit;
    };

    // Starts listening; returns what went wrong instead when it cannot. With `handed`, the
    // engine neither listens nor serves metrics: adoptConnection() brings its clients.
    std::optional<QString> start(const ProxySettings& settings,
                                 std::optional<HandedConnections> handed = std::nullopt);
    void stop();
    // Serves a client connection accepted by another thread; closes it when stopped.
    void adoptConnection(qintptr descriptor);

    // Says once, at start, who can use the proxy at `address`; never names the password.
    static void logAccess(const ProxySettings& settings, const QString& address);
    // The Prometheus endpoint on `listen` (already checked for exposure), or why not.
    static std::variant<std::unique_ptr<MetricsServer>, QString>
    serveMetrics(const QString& listen, std::function<QByteArray()> render);

    bool isRunning() const;
    // The address actually listened on, e.g. "127.0.0.1:30000" (useful with port 0).
    QString listenAddress() const;
    int activeConnections() const;
    quint64 totalConnections() const;

    // What the dashboard shows, with rates since the previous call; connections listed in
    // `sort` order. Also valid (not running, empty) when stopped.
    EngineSnapshot takeSnapshot(const ConnectionSort& sort = {});
    // The dashboard's close action; false when that connection is gone already.
    bool closeConnection(quint64 id);

    // The counters behind the Prometheus endpoint; they live as long as the engine, across
    // restarts.
    MetricsRegistry& metrics() { return *m_metrics; }
    // Where the endpoint listens, e.g. "127.0.0.1:9464"; empty when it is off.
    QString metricsAddress() const;

Q_SIGNALS:
    void routingDecided(const echw::RoutingDecision& decision);

private:
    ProxySettings m_settings;
    InboundContext m_context;
    std::optional<QString> startTunnel(const ProxySettings& settings);
    std::optional<QString> startRouting(const ProxySettings& settings, bool* needsTunnel);
    std::optional<QString> startUdpDns(const ProxySettings& settings);
    std::optional<QString> startMetrics(const ProxySettings& settings);

    // Declared before everything that counts into it, so it is destroyed after them.
    std::unique_ptr<MetricsRegistry> m_metrics;

    std::unique_ptr<ConnectionRegistry> m_registry;
    std::deque<RoutingDecision> m_recentDecisions; // since the last snapshot, capped
    quint64 m_droppedDecisions = 0;
    quint64 m_snapshotSequence = 0;

    std::unique_ptr<Connector> m_direct;
    std::unique_ptr<TunnelConnector> m_tunnel;
    std::shared_ptr<TlsClientContext> m_tunnelTls; // set with m_tunnel
    std::unique_ptr<DnsOverTunnel> m_udpDns;
    std::unique_ptr<HostResolver> m_resolver;
    std::unique_ptr<Router> m_router;
    std::unique_ptr<Connector> m_routing;
    std::unique_ptr<Connector> m_metered;
    std::unique_ptr<MetricsServer> m_metricsServer;
    std::unique_ptr<ProxyListener> m_listener;
};

} // namespace echw
