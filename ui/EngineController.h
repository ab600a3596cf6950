#pragma once

#include "config/EngineConfig.h"
#include "metrics/EngineSnapshot.h"
#include "system/EventLoopThread.h"

#include <QObject>

#include <chrono>

namespace echw {

class EngineHost;

// The GUI's handle on the proxy (engine/EngineRuntime), which runs on its own thread with its
// engine threads behind it, as in the CLI. Calls
// are queued to that thread and return at once; results come back as signals, and the
// dashboard's data as one snapshot per interval (never per connection or per byte).
class EngineController final : public QObject {
    Q_OBJECT
public:
    explicit EngineController(QObject* parent = nullptr);
    // Stops the engine and joins its thread.
    ~EngineController() override;

    void start(const EngineConfig& config);
    // New connections use `config`, open ones go on (EngineRuntime::reconfigure); then
    // reconfigured(), or reconfigureFailed() with the old configuration still running.
    void reconfigure(const EngineConfig& config);
    void stop();
    void closeConnection(quint64 id);
    // The connection list's order, applied on the engine thread from the next snapshot on.
    void setSort(const ConnectionSort& sort);
    void setSnapshotInterval(std::chrono::milliseconds interval);

    // As last reported by the engine thread.
    bool isRunning() const { return m_running; }
    const QString& listenAddress() const { return m_listenAddress; }

Q_SIGNALS:
    void started(const QString& listenAddress);
    void startFailed(const QString& error);
    void reconfigured(const QString& listenAddress);
    void reconfigureFailed(const QString& error);
    void stopped();
    void snapshotReady(const echw::EngineSnapshot& snapshot);

private:
    EventLoopThread m_thread{QStringLiteral("echw-runtime")};
    EngineHost* m_host; // lives on m_thread, which owns it
    bool m_running = false;
    QString m_listenAddress;
};

} // namespace echw
