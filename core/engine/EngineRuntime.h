#pragma once

#include "config/EngineConfig.h"
#include "metrics/EngineSnapshot.h"
#include "system/ReplyTarget.h"

#include <QList>
#include <QObject>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

class QTcpServer;

namespace echw {

class EchConfigProvider;
class Engine;
class EventLoopThread;
class MetricsRegistry;
class MetricsServer;
struct EngineShared;

// The running proxy, for every program (the CLI, the desktop app, the benchmarks): one
// listening socket, one global limit of established connections, N engine threads that serve
// the connections handed to them, and the state they share (the China lists, the ECH config
// provider, the TLS trust store), made once. Lives on the thread that made it, which accepts;
// that thread also answers /metrics, without waiting for any engine thread.
//
// One acceptor that hands each descriptor to the next engine in turn, rather than one
// SO_REUSEPORT socket per engine: a port that is taken fails as with one thread (with
// SO_REUSEPORT a second copy of the proxy run by the same user would bind too and silently take
// half of the clients); port 0 is one bind; the connection limit stays one count. The cost is
// one queued event per connection and round-robin rather than least-loaded placement.
class EngineRuntime final : public QObject {
    Q_OBJECT
public:
    // How long stop() waits for the engine threads together.
    static constexpr std::chrono::milliseconds kStopDeadline{10'000};
    // How long a dashboard snapshot waits for the engines; one that is late is left out of
    // that snapshot (its connections show in the next).
    static constexpr std::chrono::milliseconds kSnapshotDeadline{1'000};
    // Descriptors accepted and queued to engine threads that have not taken them yet; past it
    // the acceptor waits, so a flood of new connections cannot queue without bound.
    static constexpr int kMaxInFlight = 256;

    explicit EngineRuntime(QObject* parent = nullptr);
    ~EngineRuntime() override;

    // Starts config.threads engine threads, then listens; on any failure nothing is left
    // running and what went wrong is returned.
    std::optional<QString> start(const EngineConfig& config);
    // A new configuration for new connections, while open ones go on with what they started
    // with: nothing is dropped and the counters go on. A new listen address or thread count
    // needs a new acceptor or new threads: that is a restart (open connections end). Not
    // running: start(). On failure the running configuration stays.
    std::optional<QString> reconfigure(const EngineConfig& config);
    // In order: stops accepting, stops each engine on its own thread (its connections close
    // there), joins the threads within kStopDeadline. A thread that does not end in time is
    // left detached with its own references to what it uses (said in the log).
    void stop();

    bool isRunning() const;
    int threadCount() const { return int(m_workers.size()); }
    // The address actually listened on, e.g. "127.0.0.1:30000" (useful with port 0).
    QString listenAddress() const;
    // Where /metrics is served; empty when it is off.
    QString metricsAddress() const;
    // Connections handed to each engine since start, in engine order.
    QList<quint64> handedConnections() const;
    // Client connections past their handshake and not finished yet, across the engines.
    int establishedConnections() const;

    // Every engine's counters summed, read without waiting for their threads. The counters
    // last as long as the runtime, across restarts.
    QByteArray metricsExposition() const;
    // The dashboard's view: each engine's part taken on its thread, merged here, handed to
    // `done` on this thread within kSnapshotDeadline. Stopped: at once, not running.
    void requestSnapshot(const ConnectionSort& sort, std::function<void(EngineSnapshot)> done);
    // The dashboard's close action, for whichever engine has that connection.
    void closeConnection(quint64 id);

private:
    struct Worker {
        std::unique_ptr<EventLoopThread> thread;
        Engine* engine = nullptr; // lives on `thread`, which owns it
        quint64 handed = 0;
    };
    struct Counters;
    struct SnapshotRound {
        ConnectionSort sort;
        std::function<void(EngineSnapshot)> done;
        QList<EngineSnapshot> parts;
        int waiting = 0;
    };

    std::variant<std::shared_ptr<EngineShared>, QString> makeShared(const EngineConfig& config);
    void useEch(const EngineConfig& config, EngineShared& shared);
    void startEch(const EngineConfig& config);
    std::optional<QString> serveMetrics(const EngineConfig& config);
    std::optional<QString> startWorkers(const EngineConfig& config);
    std::optional<QString>
    onEveryEngine(const std::function<std::optional<QString>(Engine&, int)>& work);
    void accept(qintptr descriptor);
    void handOut();
    void snapshotPart(quint64 round, EngineSnapshot part);
    void finishRound(quint64 round);
    std::shared_ptr<MetricsRegistry> registryFor(int index);
    void stopWorkers();

    std::shared_ptr<Counters> m_counters;
    ReplyTargetHandle m_replies{this};
    // The runtime's own counters (ECH fetches), then one per engine index, kept across
    // restarts.
    std::shared_ptr<MetricsRegistry> m_ownMetrics;
    std::vector<std::shared_ptr<MetricsRegistry>> m_engineMetrics;

    std::shared_ptr<std::atomic<quint64>> m_connectionIds;
    std::optional<EngineConfig> m_config; // while running

    std::unique_ptr<EchConfigProvider> m_ech;
    std::unique_ptr<ReplyTargetHandle> m_echTarget;  // cancelled before m_ech goes
    std::unique_ptr<EchConfigProvider> m_retiredEch; // the one before the last change
    std::unique_ptr<ReplyTargetHandle> m_retiredEchTarget;
    std::shared_ptr<EngineShared> m_shared;
    std::vector<Worker> m_workers;
    std::deque<qintptr> m_waiting; // accepted at the limit, not handed over yet
    std::size_t m_next = 0;
    std::unique_ptr<QTcpServer> m_acceptor;
    std::unique_ptr<MetricsServer> m_metricsServer;

    std::map<quint64, SnapshotRound> m_rounds;
    quint64 m_nextRound = 0;
    quint64 m_snapshotSequence = 0;
};

} // namespace echw
