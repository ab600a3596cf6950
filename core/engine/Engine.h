#pragma once

#include "config/EngineConfig.h"
#include "engine/EngineShared.h"
#include "inbound/InboundContext.h"
#include "metrics/EngineSnapshot.h"
#include "routing/RoutingDecision.h"

#include <QObject>

#include <deque>
#include <memory>
#include <optional>
#include <variant>

namespace echw {

class ConnectionRegistry;
class MetricsRegistry;
class InboundServer;

// One engine thread's share of the running proxy: the client connections the acceptor hands
// it, and the router and connectors they use. It never listens (engine/EngineRuntime does);
// everything it shares with the other engines comes in EngineShared. Made, used and destroyed
// on its own thread.
class Engine final : public QObject {
    Q_OBJECT
public:
    explicit Engine(QObject* parent = nullptr);
    ~Engine() override;

    // The config was checked when it was parsed; what can still fail here is said.
    std::optional<QString> start(const EngineConfig& config, std::shared_ptr<EngineShared> shared,
                                 EngineSlot slot);
    // Connections from now on use `config`; open ones go on with what they started with (each
    // holds its configuration's router and connectors until it ends). Nothing is dropped, the
    // dashboard's list and the counters go on. Running only; on failure nothing changes.
    std::optional<QString> reconfigure(const EngineConfig& config,
                                       std::shared_ptr<EngineShared> shared, int handshakeLimit);
    // Closes every connection.
    void stop();
    // Serves a client connection accepted by the runtime; closes it when stopped.
    void adoptConnection(qintptr descriptor);

    bool isRunning() const;
    int activeConnections() const;
    quint64 totalConnections() const;

    // This engine's part of what the dashboard shows, with rates since its previous call;
    // connections in `sort` order. Empty (not running) when stopped.
    EngineSnapshot takeSnapshot(const ConnectionSort& sort = {});
    // The dashboard's close action; false when that connection is not here.
    bool closeConnection(quint64 id);

private:
    // One configuration's router and connectors, shared by the connections that use it.
    struct Generation;
    std::variant<std::shared_ptr<Generation>, QString>
    makeGeneration(const EngineConfig& config, std::shared_ptr<EngineShared> shared);
    std::shared_ptr<const InboundContext>
    makeContext(const EngineConfig& config, const std::shared_ptr<Generation>& generation);
    void onDecided(const RoutingDecision& decision);

    std::shared_ptr<MetricsRegistry> m_metrics; // before everything that counts into it
    // Kept across configurations, so the dashboard's list and totals go on.
    std::unique_ptr<ConnectionRegistry> m_registry;
    std::deque<RoutingDecision> m_recentDecisions; // since the last snapshot, capped
    quint64 m_droppedDecisions = 0;
    std::shared_ptr<Generation> m_current;
    std::unique_ptr<InboundServer> m_server;
};

} // namespace echw
