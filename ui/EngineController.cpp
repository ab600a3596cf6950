#include "EngineController.h"

#include "engine/EngineRuntime.h"

#include <QTimer>

namespace echw {

// The engine's side: created on the GUI thread, moved to the runtime's thread, and from then
// on touched only there (through queued calls). The runtime accepts there and runs its engine
// threads behind it, as in the CLI.
class EngineHost final : public QObject {
    Q_OBJECT
public:
    EngineHost()
    {
        m_timer.setInterval(std::chrono::milliseconds(1000));
        connect(&m_timer, &QTimer::timeout, this, &EngineHost::publish);
    }

    void start(const EngineConfig& config)
    {
        m_timer.stop();
        if (auto error = m_runtime.start(config)) {
            Q_EMIT startFailed(*error);
            return;
        }
        m_published = false;
        publish(); // the first interval's rates start here
        m_timer.start();
        Q_EMIT started(m_runtime.listenAddress());
    }

    void reconfigure(const EngineConfig& config)
    {
        const bool wasRunning = m_runtime.isRunning();
        if (auto error = m_runtime.reconfigure(config)) {
            if (m_runtime.isRunning()) {
                Q_EMIT reconfigureFailed(*error);
                return;
            }
            m_timer.stop();
            Q_EMIT startFailed(*error);
            if (wasRunning)
                Q_EMIT stopped();
            return;
        }
        if (!wasRunning) {
            m_published = false;
            publish();
            m_timer.start();
        }
        Q_EMIT reconfigured(m_runtime.listenAddress());
    }

    void stop()
    {
        const bool wasRunning = m_runtime.isRunning();
        m_timer.stop();
        m_runtime.stop();
        if (wasRunning)
            Q_EMIT snapshotReady(EngineSnapshot{});
        Q_EMIT stopped();
    }

    void closeConnection(quint64 id) { m_runtime.closeConnection(id); }
    void setSort(const ConnectionSort& sort) { m_sort = sort; }
    void setInterval(std::chrono::milliseconds interval) { m_timer.setInterval(interval); }

Q_SIGNALS:
    void started(const QString& listenAddress);
    void startFailed(const QString& error);
    void reconfigured(const QString& listenAddress);
    void reconfigureFailed(const QString& error);
    void stopped();
    void snapshotReady(const echw::EngineSnapshot& snapshot);

private:
    void publish()
    {
        // One round at a time: a round still waiting for a late engine is not doubled.
        if (m_waiting)
            return;
        m_waiting = true;
        const bool first = !m_published;
        m_runtime.requestSnapshot(m_sort, [this, first](EngineSnapshot snapshot) {
            m_waiting = false;
            m_published = true;
            if (!first)
                Q_EMIT snapshotReady(snapshot);
        });
    }

    EngineRuntime m_runtime{this};
    QTimer m_timer{this};
    ConnectionSort m_sort;
    bool m_waiting = false;
    bool m_published = false;
};

EngineController::EngineController(QObject* parent)
    : QObject(parent)
    , m_host(m_thread.adopt(std::make_unique<EngineHost>()))
{
    qRegisterMetaType<echw::EngineSnapshot>();
    qRegisterMetaType<echw::ConnectionSort>();
    connect(m_host, &EngineHost::started, this, [this](const QString& address) {
        m_running = true;
        m_listenAddress = address;
        Q_EMIT started(address);
    });
    connect(m_host, &EngineHost::startFailed, this, [this](const QString& error) {
        m_running = false;
        m_listenAddress.clear();
        Q_EMIT startFailed(error);
    });
    connect(m_host, &EngineHost::stopped, this, [this] {
        const bool wasRunning = std::exchange(m_running, false);
        m_listenAddress.clear();
        if (wasRunning)
            Q_EMIT stopped();
    });
    connect(m_host, &EngineHost::reconfigured, this, [this](const QString& address) {
        m_running = true;
        m_listenAddress = address;
        Q_EMIT reconfigured(address);
    });
    connect(m_host, &EngineHost::reconfigureFailed, this, &EngineController::reconfigureFailed);
    connect(m_host, &EngineHost::snapshotReady, this, &EngineController::snapshotReady);
}

EngineController::~EngineController()
{
    // Stopping on the engine thread closes every socket there before the thread ends.
    QMetaObject::invokeMethod(
        m_host, [host = m_host] { host->stop(); }, Qt::BlockingQueuedConnection);
    m_thread.stop();
}

void EngineController::start(const EngineConfig& config)
{
    QMetaObject::invokeMethod(m_host, [host = m_host, config] { host->start(config); });
}

void EngineController::reconfigure(const EngineConfig& config)
{
    QMetaObject::invokeMethod(m_host, [host = m_host, config] { host->reconfigure(config); });
}

void EngineController::stop()
{
    QMetaObject::invokeMethod(m_host, [host = m_host] { host->stop(); });
}

void EngineController::closeConnection(quint64 id)
{
    QMetaObject::invokeMethod(m_host, [host = m_host, id] { host->closeConnection(id); });
}

void EngineController::setSort(const ConnectionSort& sort)
{
    QMetaObject::invokeMethod(m_host, [host = m_host, sort] { host->setSort(sort); });
}

void EngineController::setSnapshotInterval(std::chrono::milliseconds interval)
{
    QMetaObject::invokeMethod(m_host, [host = m_host, interval] { host->setInterval(interval); });
}

} // namespace echw

#include "EngineController.moc"
