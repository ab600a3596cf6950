#include "EngineGroup.h"

#include "Engine.h"
#include "config/SettingsValidation.h"
#include "metrics/MetricsRegistry.h"
#include "metrics/MetricsServer.h"
#include "net/SocketAddresses.h"
#include "net/StreamListener.h"
#include "system/EventLoopThread.h"

#include <QDeadlineTimer>
#include <QLoggingCategory>
#include <QSemaphore>
#include <QTcpServer>

#include <functional>
#include <unistd.h>

namespace echw {

Q_LOGGING_CATEGORY(lcEngineGroup, "echw.engine")

namespace {

// The group's one listening socket: every accepted descriptor goes to the group.
class Acceptor final : public QTcpServer {
public:
    explicit Acceptor(std::function<void(qintptr)> accepted)
        : m_accepted(std::move(accepted))
    {
        setListenBacklogSize(kListenBacklog);
    }

protected:
    void incomingConnection(qintptr descriptor) override { m_accepted(descriptor); }

private:
    std::function<void(qintptr)> m_accepted;
};

// A descriptor on its way to an engine: closed if the queued call never runs (the engine
// stopped first).
struct DescriptorInFlight {
    explicit DescriptorInFlight(qintptr descriptor)
        : descriptor(descriptor)
    {}
    ~DescriptorInFlight()
    {
        if (descriptor >= 0)
            ::close(int(descriptor));
    }
    DescriptorInFlight(const DescriptorInFlight&) = delete;
    DescriptorInFlight& operator=(const DescriptorInFlight&) = delete;

    qintptr take() { return std::exchange(descriptor, -1); }

    qintptr descriptor;
};

} // namespace

EngineGroup::EngineGroup(int threads, QObject* parent)
    : QObject(parent)
    , m_threadCount(std::max(1, threads))
{}

EngineGroup::~EngineGroup()
{
    stop();
}

std::optional<QString> EngineGroup::start(const ProxySettings& settings)
{
    stop();
    const auto listen = parseListenAddress(settings.listen);
    if (auto* error = std::get_if<QString>(&listen))
        return QStringLiteral("listen address: %1").arg(*error);
    // Written before any engine thread starts, read by them only while they run.
    m_limit = std::max(1, settings.connectionLimit);
    m_established = 0;
    m_inFlight = 0;
    m_next = 0;

    // The warm pool's size is for the whole proxy: each engine keeps its share (rounded up).
    ProxySettings engineSettings = settings;
    engineSettings.warmPoolSize = (settings.warmPoolSize + m_threadCount - 1) / m_threadCount;

    // The engines first: they check the settings, so nothing is accepted for settings that
    // are refused (an open proxy on the network, say).
    for (int i = 0; i < m_threadCount; ++i) {
        Worker worker;
        worker.thread = std::make_unique<EventLoopThread>(QStringLiteral("echw-engine-%1").arg(i));
        worker.engine = worker.thread->adopt(std::make_unique<Engine>());
        Engine* engine = worker.engine;
        m_workers.push_back(std::move(worker));

        std::optional<QString> error;
        QMetaObject::invokeMethod(
            engine,
            [&] {
                error =
                    engine->start(engineSettings,
                                  Engine::HandedConnections{
                                      [this](int delta) { establishedChanged(delta); },
                                      (ProxyListener::kDefaultHandshakeLimit + m_threadCount - 1) /
                                          m_threadCount});
            },
            Qt::BlockingQueuedConnection);
        if (error) {
            stop();
            return error;
        }
    }

    m_acceptor = std::make_unique<Acceptor>([this](qintptr descriptor) {
        m_waiting.push_back(descriptor);
        handOut();
    });
    const auto& address = std::get<ListenAddress>(listen);
    if (!m_acceptor->listen(address.address, address.port)) {
        const QString error = QStringLiteral("cannot listen on %1: %2")
                                  .arg(settings.listen, m_acceptor->errorString());
        stop();
        return error;
    }
    if (!settings.metricsListen.isEmpty()) {
        auto served =
            Engine::serveMetrics(settings.metricsListen, [this] { return renderMetrics(); });
        if (auto* error = std::get_if<QString>(&served)) {
            const QString message = *error;
            stop();
            return message;
        }
        m_metricsServer = std::get<std::unique_ptr<MetricsServer>>(std::move(served));
    }
    Engine::logAccess(settings, listenAddress());
    return std::nullopt;
}

// Hands waiting clients to the engines in turn while the group is below its limit of
// established connections; at the limit, further clients wait in the kernel's listen backlog
// as they do with one engine. Clients still in their handshake do not count: each engine
// keeps them within its share of the handshake budget.
void EngineGroup::handOut()
{
    if (!m_acceptor)
        return;
    // Only this thread adds to m_inFlight, so the check and the increment cannot be
    // overtaken; engines only lower it.
    while (!m_waiting.empty() && m_established.load() < m_limit &&
           m_inFlight.load() < kMaxInFlight) {
        auto descriptor = std::make_shared<DescriptorInFlight>(m_waiting.front());
        m_waiting.pop_front();
        m_inFlight.fetch_add(1);
        Worker& worker = m_workers[m_next++ % m_workers.size()];
        ++worker.handed;
        Engine* engine = worker.engine;
        QMetaObject::invokeMethod(
            engine,
            [this, engine, descriptor] {
                engine->adoptConnection(descriptor->take());
                adopted();
            },
            Qt::QueuedConnection);
    }
    if (m_waiting.empty())
        m_acceptor->resumeAccepting();
    else
        m_acceptor->pauseAccepting();
}

// On an engine's thread.
void EngineGroup::adopted()
{
    if (m_inFlight.fetch_sub(1) == kMaxInFlight)
        QMetaObject::invokeMethod(
            this, [this] { handOut(); }, Qt::QueuedConnection);
}

// On an engine's thread.
void EngineGroup::establishedChanged(int delta)
{
    // Clients wait only after handOut() saw the count at the limit, so only the step down to
    // below the limit needs to wake it.
    if (m_established.fetch_add(delta) == m_limit && delta < 0)
        QMetaObject::invokeMethod(
            this, [this] { handOut(); }, Qt::QueuedConnection);
}

void EngineGroup::stop()
{
    m_metricsServer.reset();
    if (m_acceptor)
        m_acceptor->close();
    for (const qintptr descriptor : m_waiting)
        ::close(int(descriptor));
    m_waiting.clear();
    stopWorkers();
    m_acceptor.reset();
}

void EngineGroup::stopWorkers()
{
    // All asked at once, then each joined within what is left of one deadline.
    for (Worker& worker : m_workers)
        worker.thread->quit();
    const QDeadlineTimer deadline(kStopDeadline);
    for (Worker& worker : m_workers)
        worker.thread->stop(std::chrono::milliseconds(deadline.remainingTime()));
    m_workers.clear();
}

bool EngineGroup::isRunning() const
{
    return m_acceptor && m_acceptor->isListening();
}

QString EngineGroup::listenAddress() const
{
    if (!isRunning())
        return {};
    return hostPortString(m_acceptor->serverAddress(), m_acceptor->serverPort());
}

QString EngineGroup::metricsAddress() const
{
    if (!m_metricsServer)
        return {};
    return hostPortString(m_metricsServer->serverAddress(), m_metricsServer->serverPort());
}

QList<quint64> EngineGroup::handedConnections() const
{
    QList<quint64> counts;
    for (const Worker& worker : m_workers)
        counts.append(worker.handed);
    return counts;
}

// Each engine's counters are read on its own thread (they are plain integers), all asked at
// once, then summed here.
QByteArray EngineGroup::renderMetrics()
{
    struct Answer {
        QSemaphore ready;
        QList<prometheus::Family> families;
    };
    std::vector<std::shared_ptr<Answer>> answers;
    for (Worker& worker : m_workers) {
        auto answer = std::make_shared<Answer>();
        Engine* engine = worker.engine;
        QMetaObject::invokeMethod(
            engine,
            [engine, answer] {
                answer->families = engine->metrics().families();
                answer->ready.release();
            },
            Qt::QueuedConnection);
        answers.push_back(std::move(answer));
    }
    const QDeadlineTimer deadline(kMetricsDeadline);
    QList<QList<prometheus::Family>> perEngine;
    for (std::size_t i = 0; i < m_workers.size(); ++i) {
        Worker& worker = m_workers[i];
        if (answers[i]->ready.tryAcquire(1, int(deadline.remainingTime())))
            worker.lastFamilies = std::move(answers[i]->families);
        else
            qCWarning(lcEngineGroup, "%s did not answer for metrics within %lld ms",
                      qPrintable(worker.thread->name()), qlonglong(kMetricsDeadline.count()));
        if (!worker.lastFamilies.isEmpty())
            perEngine.append(worker.lastFamilies);
    }
    return prometheus::render(MetricsRegistry::sum(perEngine));
}

} // namespace echw
