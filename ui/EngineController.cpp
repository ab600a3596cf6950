#include "EngineController.h"

#include "Engine.h"

#include <QTimer>

namespace echw {

// The engine's side: created on the GUI thread, moved to the engine thread, and from then on
// touched only there (through queued calls).
class EngineHost final : public QObject {
    Q_OBJECT
public:
    EngineHost()
    {
        m_timer.setInterval(std::chrono::milliseconds(1000));
        connect(&m_timer, &QTimer::timeout, this, &EngineHost::publish);
    }

    void start(const ProxySettings& settings)
    {
        m_timer.stop();
        if (auto error = m_engine.start(settings)) {
            Q_EMIT startFailed(*error);
            return;
        }
        m_engine.takeSnapshot(m_sort); // the first interval's rates start here
        m_timer.start();
        Q_EMIT started(m_engine.listenAddress());
    }

    void stop()
    {
        const bool wasRunning = m_engine.isRunning();
        m_timer.stop();
        m_engine.stop();
        if (wasRunning)
            Q_EMIT snapshotReady(m_engine.takeSnapshot(m_sort));
        Q_EMIT stopped();
    }

    void closeConnection(quint64 id) { m_engine.closeConnection(id); }
    void setSort(const ConnectionSort& sort) { m_sort = sort; }
    void setInterval(std::chrono::milliseconds interval) { m_timer.setInterval(interval); }

Q_SIGNALS:
    void started(const QString& listenAddress);
    void startFailed(const QString& error);
    void stopped();
    void snapshotReady(const echw::EngineSnapshot& snapshot);

private:
    void publish() { Q_EMIT snapshotReady(m_engine.takeSnapshot(m_sort)); }

    Engine m_engine{this};
    QTimer m_timer{this};
    ConnectionSort m_sort;
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
    connect(m_host, &EngineHost::snapshotReady, this, &EngineController::snapshotReady);
}

EngineController::~EngineController()
{
    // Stopping on the engine thread closes every socket there before the thread ends.
    QMetaObject::invokeMethod(
        m_host, [host = m_host] { host->stop(); }, Qt::BlockingQueuedConnection);
    m_thread.stop();
}

void EngineController::start(const ProxySettings& settings)
{
    QMetaObject::invokeMethod(m_host, [host = m_host, settings] { host->start(settings); });
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
