#pragma once

#include "config/ProxySettings.h"
#include "metrics/PrometheusText.h"

#include <QList>
#include <QObject>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

class QTcpServer;

namespace echw {

class Engine;
class EventLoopThread;
class MetricsServer;

// Several engines on one listening address, each on its own thread with its own event loop:
// how the proxy uses more than one core. Every engine keeps its own router, connectors, ECH
// provider, registry and metrics; only the accepting and the connection limit are shared.
//
// One acceptor on the thread that owns the group accepts every client and hands its
// descriptor to the engines in turn (a queued call). It was chosen over one SO_REUSEPORT
// socket per engine because:
// - a port that is taken fails as it does with one engine; with SO_REUSEPORT a second copy of
//   the proxy run by the same user would bind too and silently take half of the clients;
// - port 0 is one bind, and the connection limit stays one global count;
// - accepting is cheap next to relaying, so one thread keeps up with many engines.
// The cost is one queued event per connection and round-robin rather than least-loaded
// placement.
class EngineGroup final : public QObject {
    Q_OBJECT
public:
    // How long stop() waits for each engine thread to finish.
    static constexpr std::chrono::milliseconds kStopDeadline{10'000};
    // How long a metrics scrape waits for each engine's counters; an engine that does not
    // answer in time contributes its previous answer.
    static constexpr std::chrono::milliseconds kMetricsDeadline{2'000};

    explicit EngineGroup(int threads, QObject* parent = nullptr);
    ~EngineGroup() override;

    // Starts every engine thread, then listens; on any failure nothing is left running and
    // the first error is returned.
    std::optional<QString> start(const ProxySettings& settings);
    // Stops accepting, then each engine on its own thread (its sockets close there), and
    // joins the threads.
    void stop();

    bool isRunning() const;
    int threadCount() const { return m_threadCount; }
    // The address actually listened on, e.g. "127.0.0.1:30000" (useful with port 0).
    QString listenAddress() const;
    // Where the metrics endpoint listens; empty when it is off.
    QString metricsAddress() const;
    // Connections handed to each engine since start, in engine order.
    QList<quint64> handedConnections() const;
    // Client connections past their handshake and not finished yet, across the engines.
    int establishedConnections() const { return m_established.load(); }

    // Descriptors accepted and queued to an engine thread that has not taken them yet; past
    // it the acceptor waits, so a flood of new connections cannot queue without bound.
    static constexpr int kMaxInFlight = 256;

private:
    struct Worker {
        std::unique_ptr<EventLoopThread> thread;
        Engine* engine = nullptr; // lives on `thread`, which owns it
        quint64 handed = 0;
        QList<prometheus::Family> lastFamilies; // its previous answer to a scrape
    };

    void accept(qintptr descriptor);
    void handOut();
    void establishedChanged(int delta);
    void adopted();
    void stopWorkers();
    QByteArray renderMetrics();

    int m_threadCount;
    int m_limit = 1;
    // Established: counted against m_limit. Handshaking ones are bounded in each engine
    // (ProxyListener's handshake budget), so they never hold the acceptor up.
    std::atomic<int> m_established{0};
    std::atomic<int> m_inFlight{0};
    std::deque<qintptr> m_waiting; // accepted at the limit, not handed over yet
    std::size_t m_next = 0;
    std::vector<Worker> m_workers;
    std::unique_ptr<QTcpServer> m_acceptor;
    std::unique_ptr<MetricsServer> m_metricsServer;
};

} // namespace echw
