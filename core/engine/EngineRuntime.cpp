#include "EngineRuntime.h"

#include "config/SettingsValidation.h"
#include "ech/DohClient.h"
#include "ech/EchConfigCache.h"
#include "engine/Engine.h"
#include "engine/EngineShared.h"
#include "metrics/MetricsRegistry.h"
#include "metrics/MetricsServer.h"
#include "metrics/SnapshotMerge.h"
#include "net/SocketAddresses.h"
#include "net/StreamListener.h"
#include "routing/RouteLists.h"
#include "system/EventLoopThread.h"
#include "tls/TlsContext.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QTcpServer>
#include <QTimer>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <unistd.h>

namespace echw {

Q_LOGGING_CATEGORY(lcEngine, "echw.engine")

// Shared with the engine threads, which lower the counts; only the runtime's thread raises
// them, so its check against a limit and its increment cannot be overtaken.
struct EngineRuntime::Counters {
    std::atomic<int> established{0};
    std::atomic<int> inFlight{0};
    std::atomic<int> limit{1};
};

namespace {

// The one listening socket: every accepted descriptor goes to the runtime.
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

// A list folder the user gave is the only place looked at, so a mistake in it shows rather
// than lists from elsewhere; otherwise each file comes from the search path of RouteLists.h.
std::variant<RouteLists, QString> loadChinaLists(const EngineConfig& config)
{
    ListFiles files;
    if (!config.listDirectory.isEmpty()) {
        const QDir directory(config.listDirectory);
        files.ipv4 = directory.filePath(kIpv4ListFileName);
        if (QFileInfo::exists(directory.filePath(kIpv6ListFileName)))
            files.ipv6 = directory.filePath(kIpv6ListFileName);
    } else {
        files = findListFiles(listSearchPath(config.updatedListDirectory));
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

// Says once, at start, who can use the proxy at `address`; never names the password.
void logAccess(const EngineConfig& config, const QString& address)
{
    const bool loopback = listensOnLoopback(config.listenText);
    if (!config.hasCredentials && !loopback) {
        qCWarning(lcEngine,
                  "listening on %s without authentication: anyone who can reach this port can "
                  "use the proxy",
                  qPrintable(address));
    } else if (config.hasCredentials && !loopback) {
        qCWarning(lcEngine,
                  "listening on %s for the network: SOCKS5 and HTTP clients must log in with "
                  "the configured user name and password",
                  qPrintable(address));
    } else if (config.hasCredentials) {
        qCInfo(lcEngine, "SOCKS5 and HTTP clients must log in with the configured user name and "
                         "password");
    }
}

// The status line shows a problem if any engine has one, else what the tunnels did.
TunnelStatus mergedTunnelStatus(const QList<EngineSnapshot>& parts)
{
    TunnelStatus merged;
    for (const EngineSnapshot& part : parts) {
        if (part.tunnel.state == TunnelStatus::State::Failing)
            return part.tunnel;
        if (int(part.tunnel.state) > int(merged.state))
            merged = part.tunnel;
    }
    return merged;
}

} // namespace

EngineRuntime::EngineRuntime(QObject* parent)
    : QObject(parent)
    , m_counters(std::make_shared<Counters>())
    , m_ownMetrics(std::make_shared<MetricsRegistry>(QByteArrayLiteral(ECHW_VERSION)))
    , m_connectionIds(std::make_shared<std::atomic<quint64>>(0))
{}

EngineRuntime::~EngineRuntime()
{
    stop();
}

std::optional<QString> EngineRuntime::start(const EngineConfig& config)
{
    stop();
    // Written before any engine thread starts, read by them only while they run.
    m_counters->limit = std::max(1, config.connectionLimit);
    m_counters->established = 0;
    m_counters->inFlight = 0;
    m_next = 0;
    m_snapshotSequence = 0;
    auto shared = makeShared(config);
    if (auto* error = std::get_if<QString>(&shared)) {
        const QString message = *error;
        stop();
        return message;
    }
    m_shared = std::get<std::shared_ptr<EngineShared>>(std::move(shared));
    m_config = config;
    if (auto error = startWorkers(config)) {
        stop();
        return error;
    }
    m_acceptor = std::make_unique<Acceptor>([this](qintptr descriptor) { accept(descriptor); });
    if (!m_acceptor->listen(config.listen.address, config.listen.port)) {
        const QString error = QStringLiteral("cannot listen on %1: %2")
                                  .arg(config.listenText, m_acceptor->errorString());
        stop();
        return error;
    }
    if (auto error = serveMetrics(config)) {
        stop();
        return error;
    }
    logAccess(config, listenAddress());
    return std::nullopt;
}

std::optional<QString> EngineRuntime::serveMetrics(const EngineConfig& config)
{
    m_metricsServer.reset();
    if (!config.metrics)
        return std::nullopt;
    m_metricsServer = std::make_unique<MetricsServer>([this] { return metricsExposition(); });
    if (!m_metricsServer->listen(config.metrics->address, config.metrics->port)) {
        const QString error = QStringLiteral("cannot serve metrics on %1: %2")
                                  .arg(config.metricsText, m_metricsServer->errorString());
        m_metricsServer.reset();
        return error;
    }
    qCInfo(lcEngine, "metrics at http://%s/metrics", qPrintable(metricsAddress()));
    if (!listensOnLoopback(config.metricsText))
        qCWarning(lcEngine,
                  "metrics are served to the network on %s: anyone who can reach the port sees "
                  "how the proxy is used",
                  qPrintable(metricsAddress()));
    return std::nullopt;
}

std::optional<QString> EngineRuntime::reconfigure(const EngineConfig& config)
{
    if (!isRunning() || !m_config || config.listen.address != m_config->listen.address ||
        config.listen.port != m_config->listen.port || config.threads != m_config->threads)
        return start(config);
    auto made = makeShared(config);
    if (auto* error = std::get_if<QString>(&made))
        return *error;
    auto shared = std::get<std::shared_ptr<EngineShared>>(std::move(made));
    const int threads = int(m_workers.size());
    const int handshakeLimit = (config.handshakeLimit + threads - 1) / threads;
    if (auto error = onEveryEngine([&](Engine& engine, int) {
            return engine.reconfigure(config, shared, handshakeLimit);
        }))
        return error;
    m_shared = std::move(shared);
    const bool metricsMoved = config.metricsText != m_config->metricsText;
    m_config = config;
    m_counters->limit = std::max(1, config.connectionLimit);
    handOut(); // a higher limit lets waiting clients in
    if (metricsMoved) {
        if (auto error = serveMetrics(config))
            return error;
    }
    qCInfo(lcEngine, "new configuration: routing %s; open connections go on as they were",
           qPrintable(routingModeName(config.routing)));
    return std::nullopt;
}

std::variant<std::shared_ptr<EngineShared>, QString>
EngineRuntime::makeShared(const EngineConfig& config)
{
    auto shared = std::make_shared<EngineShared>();
    // One id counter for the runtime's life: ids stay unique across reconfigurations.
    shared->connectionIds = m_connectionIds;
    if (config.routing == RoutingMode::BypassCn) {
        auto lists = loadChinaLists(config);
        if (auto* error = std::get_if<QString>(&lists))
            return *error;
        shared->lists = std::make_shared<const RouteLists>(std::get<RouteLists>(std::move(lists)));
    }
    // The trust store is parsed once per set of trust anchors.
    const QString caFile = config.tunnel ? config.tunnel->caFile : config.caFile;
    if (m_shared && m_shared->dohTls && m_config &&
        (m_config->tunnel ? m_config->tunnel->caFile : m_config->caFile) == caFile) {
        shared->dohTls = m_shared->dohTls;
    } else {
        auto tls = TlsClientContext::create(caFile);
        if (auto* error = std::get_if<QString>(&tls)) {
            if (config.tunnel)
                return *error;
            // The proxy works without it; only UDP ASSOCIATE is refused.
            qCWarning(lcEngine, "DNS over SOCKS5 UDP is off: %s", qPrintable(*error));
        } else {
            shared->dohTls = std::get<std::shared_ptr<TlsClientContext>>(std::move(tls));
        }
    }
    if (config.tunnel) {
        shared->tunnelTls = shared->dohTls;
        useEch(config, *shared);
    }
    return shared;
}

// The provider is kept while the server's DoH server, ECH domain and trust anchors stay: a
// new routing mode or rule set needs no new fetch. A replaced one stays until the next change,
// so connections in their set-up at the switch still get their answer.
void EngineRuntime::useEch(const EngineConfig& config, EngineShared& shared)
{
    const TunnelConfig& tunnel = *config.tunnel;
    if (tunnel.withoutEch) {
        qCWarning(lcEngine, "no-ECH mode: the server name %s is sent in clear",
                  qPrintable(tunnel.server.host));
        return;
    }
    const bool same = m_ech && m_config && m_config->tunnel && !m_config->tunnel->withoutEch &&
                      m_config->tunnel->dohServer == tunnel.dohServer &&
                      m_config->tunnel->echDomain == tunnel.echDomain &&
                      m_config->tunnel->caFile == tunnel.caFile &&
                      m_config->echCacheFile == config.echCacheFile;
    if (!same) {
        m_retiredEchTarget = std::move(m_echTarget);
        m_retiredEch = std::move(m_ech);
        startEch(config);
    }
    shared.ech = m_ech.get();
    shared.echTarget = m_echTarget->get();
}

void EngineRuntime::startEch(const EngineConfig& config)
{
    const TunnelConfig& tunnel = *config.tunnel;
    DohOptions options;
    options.url = tunnel.dohServer;
    options.extraCaFile = tunnel.caFile;
    m_ech =
        std::make_unique<EchConfigProvider>(std::make_unique<DohClient>(options), tunnel.echDomain,
                                            EchConfigCache(config.echCacheFile));
    m_echTarget = std::make_unique<ReplyTargetHandle>(m_ech.get());
    connect(m_ech.get(), &EchConfigProvider::fetchFinished, this,
            [this](bool succeeded, bool servedStale) {
                using Result = MetricsRegistry::EchConfigFetchResult;
                m_ownMetrics->echConfigFetched(succeeded     ? Result::Ok
                                               : servedStale ? Result::FailedServedStale
                                                             : Result::Failed);
            });
    // Fetched at start rather than on the first connection: it is then ready, and a problem
    // shows at start. Queued, so that listening does not wait for the DoH client's set-up (it
    // reads the system CA store).
    QMetaObject::invokeMethod(
        m_ech.get(),
        [provider = m_ech.get(), domain = tunnel.echDomain] {
            provider->get(provider, [domain](EchConfigSource::Result result) {
                if (auto* error = std::get_if<QString>(&result))
                    qCWarning(lcEngine, "%s", qPrintable(*error));
                else
                    qCInfo(lcEngine, "ECH config for %s ready", qPrintable(domain));
            });
        },
        Qt::QueuedConnection);
}

std::shared_ptr<MetricsRegistry> EngineRuntime::registryFor(int index)
{
    while (int(m_engineMetrics.size()) <= index)
        m_engineMetrics.push_back(
            std::make_shared<MetricsRegistry>(QByteArrayLiteral(ECHW_VERSION)));
    return m_engineMetrics[std::size_t(index)];
}

std::optional<QString> EngineRuntime::startWorkers(const EngineConfig& config)
{
    const int threads = std::max(1, config.threads);
    std::vector<EngineSlot> slots;
    for (int i = 0; i < threads; ++i) {
        Worker worker;
        worker.thread = std::make_unique<EventLoopThread>(QStringLiteral("echw-engine-%1").arg(i));
        worker.engine = worker.thread->adopt(std::make_unique<Engine>());
        m_workers.push_back(std::move(worker));

        EngineSlot slot;
        slot.index = i;
        slot.metrics = registryFor(i);
        slot.handshakeLimit = (config.handshakeLimit + threads - 1) / threads;
        // Clients wait only after handOut() saw the count at the limit, so only the step down
        // to below it needs to wake the acceptor.
        slot.establishedChanged = [counters = m_counters, replies = m_replies.get(),
                                   runtime = this](int delta) {
            if (counters->established.fetch_add(delta) == counters->limit && delta < 0)
                replies->post([runtime] { runtime->handOut(); });
        };
        slots.push_back(std::move(slot));
    }
    return onEveryEngine([&](Engine& engine, int index) {
        return engine.start(config, m_shared, std::move(slots[std::size_t(index)]));
    });
}

// All engines at once, each on its thread, then waits for every one: starting N threads costs
// about what one costs.
std::optional<QString>
EngineRuntime::onEveryEngine(const std::function<std::optional<QString>(Engine&, int)>& work)
{
    struct Round {
        std::mutex mutex;
        std::condition_variable done;
        std::size_t remaining = 0;
        std::optional<QString> firstError;
    } round;
    round.remaining = m_workers.size();
    for (std::size_t i = 0; i < m_workers.size(); ++i) {
        Engine* engine = m_workers[i].engine;
        QMetaObject::invokeMethod(
            engine,
            [&round, &work, engine, index = int(i)] {
                auto error = work(*engine, index);
                const std::lock_guard lock(round.mutex);
                if (error && !round.firstError)
                    round.firstError = std::move(error);
                if (--round.remaining == 0)
                    round.done.notify_all();
            },
            Qt::QueuedConnection);
    }
    std::unique_lock lock(round.mutex);
    round.done.wait(lock, [&] { return round.remaining == 0; });
    return round.firstError;
}

void EngineRuntime::accept(qintptr descriptor)
{
    m_waiting.push_back(descriptor);
    handOut();
}

// Hands waiting clients to the engines in turn while the proxy is below its limit of
// established connections; at the limit, further clients wait in the kernel's listen backlog.
// Clients still in their handshake do not count: each engine keeps them within its share of
// the handshake budget (InboundServer).
void EngineRuntime::handOut()
{
    if (!m_acceptor)
        return;
    while (!m_waiting.empty() && m_counters->established.load() < m_counters->limit &&
           m_counters->inFlight.load() < kMaxInFlight) {
        auto descriptor = std::make_shared<DescriptorInFlight>(m_waiting.front());
        m_waiting.pop_front();
        m_counters->inFlight.fetch_add(1);
        Worker& worker = m_workers[m_next++ % m_workers.size()];
        ++worker.handed;
        Engine* engine = worker.engine;
        QMetaObject::invokeMethod(
            engine,
            [engine, descriptor, counters = m_counters, replies = m_replies.get(), runtime = this] {
                engine->adoptConnection(descriptor->take());
                if (counters->inFlight.fetch_sub(1) == kMaxInFlight)
                    replies->post([runtime] { runtime->handOut(); });
            },
            Qt::QueuedConnection);
    }
    if (m_waiting.empty())
        m_acceptor->resumeAccepting();
    else
        m_acceptor->pauseAccepting();
}

void EngineRuntime::stop()
{
    m_metricsServer.reset();
    if (m_acceptor)
        m_acceptor->close();
    for (const qintptr descriptor : m_waiting)
        ::close(int(descriptor));
    m_waiting.clear();
    stopWorkers();
    m_acceptor.reset();
    // Rounds in flight are answered with what they have: their engines are gone.
    while (!m_rounds.empty())
        finishRound(m_rounds.begin()->first);
    // Cancelled first: a relay left on a detached thread reaches nothing.
    m_echTarget.reset();
    m_ech.reset();
    m_retiredEchTarget.reset();
    m_retiredEch.reset();
    m_shared.reset();
    m_config.reset();
}

void EngineRuntime::stopWorkers()
{
    // All asked at once, then each joined within what is left of one deadline.
    for (Worker& worker : m_workers)
        worker.thread->quit();
    const QDeadlineTimer deadline(kStopDeadline);
    for (Worker& worker : m_workers)
        worker.thread->stop(std::chrono::milliseconds(deadline.remainingTime()));
    m_workers.clear();
}

bool EngineRuntime::isRunning() const
{
    return m_acceptor && m_acceptor->isListening();
}

QString EngineRuntime::listenAddress() const
{
    if (!isRunning())
        return {};
    return hostPortString(m_acceptor->serverAddress(), m_acceptor->serverPort());
}

QString EngineRuntime::metricsAddress() const
{
    if (!m_metricsServer)
        return {};
    return hostPortString(m_metricsServer->serverAddress(), m_metricsServer->serverPort());
}

QList<quint64> EngineRuntime::handedConnections() const
{
    QList<quint64> counts;
    for (const Worker& worker : m_workers)
        counts.append(worker.handed);
    return counts;
}

int EngineRuntime::establishedConnections() const
{
    return m_counters->established.load();
}

QByteArray EngineRuntime::metricsExposition() const
{
    // Each registry has one writer, its engine thread, and is read here as it is: no engine
    // is asked, so a busy one cannot hold a scrape up.
    QList<QList<prometheus::Family>> parts;
    parts.append(m_ownMetrics->families());
    for (const auto& registry : m_engineMetrics)
        parts.append(registry->families());
    return prometheus::render(MetricsRegistry::sum(parts));
}

void EngineRuntime::requestSnapshot(const ConnectionSort& sort,
                                    std::function<void(EngineSnapshot)> done)
{
    if (m_workers.empty() || !isRunning()) {
        done(EngineSnapshot{});
        return;
    }
    const quint64 id = ++m_nextRound;
    SnapshotRound& round = m_rounds[id];
    round.sort = sort;
    round.done = std::move(done);
    round.waiting = int(m_workers.size());
    for (Worker& worker : m_workers) {
        Engine* engine = worker.engine;
        QMetaObject::invokeMethod(
            engine,
            [engine, sort, id, replies = m_replies.get(), runtime = this] {
                EngineSnapshot part = engine->takeSnapshot(sort);
                replies->post([runtime, id, part = std::move(part)]() mutable {
                    runtime->snapshotPart(id, std::move(part));
                });
            },
            Qt::QueuedConnection);
    }
    QTimer::singleShot(kSnapshotDeadline, this, [this, id] { finishRound(id); });
}

void EngineRuntime::snapshotPart(quint64 id, EngineSnapshot part)
{
    const auto found = m_rounds.find(id);
    if (found == m_rounds.end())
        return; // late: that round was answered without it
    found->second.parts.append(std::move(part));
    if (--found->second.waiting == 0)
        finishRound(id);
}

void EngineRuntime::finishRound(quint64 id)
{
    const auto found = m_rounds.find(id);
    if (found == m_rounds.end())
        return;
    SnapshotRound round = std::move(found->second);
    m_rounds.erase(found);
    EngineSnapshot snapshot;
    if (isRunning() && !round.parts.isEmpty()) {
        snapshot = mergeSnapshots(round.parts, round.sort);
        snapshot.sequence = ++m_snapshotSequence;
        snapshot.listenAddress = listenAddress();
        snapshot.tunnel = mergedTunnelStatus(round.parts);
    }
    round.done(std::move(snapshot));
}

void EngineRuntime::closeConnection(quint64 id)
{
    // Ids are unique across the engines; only the one that has it acts.
    for (Worker& worker : m_workers) {
        Engine* engine = worker.engine;
        QMetaObject::invokeMethod(
            engine, [engine, id] { engine->closeConnection(id); }, Qt::QueuedConnection);
    }
}

} // namespace echw
