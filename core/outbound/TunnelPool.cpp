#include "TunnelPool.h"

#include "net/Handover.h"
#include "ws/TunnelStream.h"

#include <QLoggingCategory>

#include <algorithm>

namespace echw {

Q_LOGGING_CATEGORY(lcPool, "echw.pool")

namespace {

std::chrono::milliseconds untilDeadline(std::chrono::steady_clock::time_point deadline)
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return std::max(left, std::chrono::milliseconds(0));
}

} // namespace

TunnelPool::TunnelPool(Settings settings, Opener opener, QObject* parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_opener(std::move(opener))
{
    m_settings.idleSize = std::clamp(m_settings.idleSize, 0, m_settings.maxSize);
    m_backoff.setSingleShot(true);
    connect(&m_backoff, &QTimer::timeout, this, &TunnelPool::refill);
    m_retire.setSingleShot(true);
    connect(&m_retire, &QTimer::timeout, this, &TunnelPool::retireOld);
    m_delayedRefill.setSingleShot(true);
    connect(&m_delayedRefill, &QTimer::timeout, this, &TunnelPool::refill);
    m_demand.assign(std::size_t(std::max(m_settings.maxSize, 0)), Clock::now());
    scheduleRefill();
}

TunnelPool::~TunnelPool()
{
    for (Entry& entry : m_ready) {
        disconnect(entry.session.get(), nullptr, this, nullptr);
        entry.session->abort();
    }
}

std::unique_ptr<TunnelStream> TunnelPool::take()
{
    if (m_settings.maxSize <= 0)
        return nullptr;
    const auto now = Clock::now();
    m_demand.push_back(now);
    trimDemand(now);
    std::unique_ptr<TunnelStream> session;
    // The oldest first: every session gets used well before the worker's idle timeout, and
    // sessions made in one burst do not all expire (and get replaced) at once.
    while (!m_ready.empty() && !session) {
        Entry entry = std::move(m_ready.front());
        m_ready.erase(m_ready.begin());
        if (entry.session->isReady()) {
            session = handOver(entry.session, this);
        } else {
            ++m_counters.died;
            dropLater(entry.session);
        }
    }
    if (session)
        ++m_counters.taken;
    else
        ++m_counters.missed;
    scheduleRetire();
    Q_EMIT readyCountChanged(readyCount());
    if (m_ready.empty())
        scheduleRefill();
    else if (!m_delayedRefill.isActive())
        m_delayedRefill.start(m_settings.refillDelay);
    return session;
}

int TunnelPool::targetSize() const
{
    if (m_settings.maxSize <= 0)
        return 0;
    trimDemand(Clock::now());
    return std::clamp(int(m_demand.size()), m_settings.idleSize, m_settings.maxSize);
}

void TunnelPool::trimDemand(Clock::time_point now) const
{
    while (!m_demand.empty() && (now - m_demand.front() > m_settings.demandWindow ||
                                 int(m_demand.size()) > m_settings.maxSize))
        m_demand.pop_front();
}

void TunnelPool::scheduleRefill()
{
    if (m_refillQueued)
        return;
    m_refillQueued = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_refillQueued = false;
            refill();
        },
        Qt::QueuedConnection);
}

void TunnelPool::refill()
{
    if (m_backoff.isActive())
        return;
    const int wanted = std::min(targetSize() - readyCount() - fillingCount(),
                                m_settings.maxFilling - fillingCount());
    for (int i = 0; i < wanted; ++i)
        startFill();
}

void TunnelPool::startFill()
{
    const quint64 id = m_nextFillId++;
    // Registered first: an opener may answer before it returns.
    m_filling.emplace(id, nullptr);
    auto handle = m_opener([this, id](SessionResult result) { onFilled(id, std::move(result)); });
    if (auto it = m_filling.find(id); it != m_filling.end())
        it->second = std::move(handle);
    else
        dropLater(handle);
}

void TunnelPool::onFilled(quint64 id, SessionResult result)
{
    if (auto it = m_filling.find(id); it != m_filling.end()) {
        // Deleted later: this runs inside the handle's own code.
        dropLater(it->second);
        m_filling.erase(it);
    }
    if (auto* error = std::get_if<ConnectError>(&result)) {
        noteFailure(error->message);
        return;
    }
    m_failureStreak = 0;
    ++m_counters.opened;
    auto session = std::get<std::unique_ptr<TunnelStream>>(std::move(result));
    TunnelStream* raw = session.get();
    connect(raw, &TunnelStream::setupFailed, this,
            [this, raw](const ConnectError& error) { onSessionDied(raw, error.message); });
    m_ready.push_back({std::move(session), Clock::now()});
    scheduleRetire();
    Q_EMIT readyCountChanged(readyCount());
    // Demand may have grown while this one was made.
    scheduleRefill();
}

void TunnelPool::onSessionDied(TunnelStream* session, const QString& reason)
{
    const auto it = std::find_if(m_ready.begin(), m_ready.end(), [session](const Entry& entry) {
        return entry.session.get() == session;
    });
    if (it == m_ready.end())
        return;
    const auto life = Clock::now() - it->readyAt;
    // Deleted later: this runs inside the session's own signal.
    dropLater(it->session);
    m_ready.erase(it);
    ++m_counters.died;
    qCDebug(lcPool, "a ready session closed: %s", qPrintable(reason));
    scheduleRetire();
    Q_EMIT readyCountChanged(readyCount());
    if (life < m_settings.minimumLife)
        noteFailure(QStringLiteral("a ready session closed after %1 ms: %2")
                        .arg(std::chrono::duration_cast<std::chrono::milliseconds>(life).count())
                        .arg(reason));
    else
        scheduleRefill();
}

void TunnelPool::noteFailure(const QString& reason)
{
    ++m_counters.failures;
    if (m_backoff.isActive())
        return; // one failure per round: the others were already in the making
    ++m_failureStreak;
    const int doublings = std::min(m_failureStreak - 1, 16);
    const std::chrono::milliseconds delay = std::min<std::chrono::milliseconds>(
        m_settings.firstBackoff * (1 << doublings), m_settings.maxBackoff);
    // Once per backoff round, not per session: a failing worker must not flood the log.
    qCWarning(lcPool, "warm pool: %s; next try in %lld ms", qPrintable(reason),
              qlonglong(delay.count()));
    m_backoff.start(delay);
}

void TunnelPool::retireOld()
{
    const auto now = Clock::now();
    const auto old = [&](const Entry& entry) {
        return now - entry.readyAt >= m_settings.retireAge;
    };
    const auto firstYoung = std::find_if_not(m_ready.begin(), m_ready.end(), old);
    const int retired = int(firstYoung - m_ready.begin());
    for (auto it = m_ready.begin(); it != firstYoung; ++it) {
        abortAndDropLater(it->session);
    }
    m_ready.erase(m_ready.begin(), firstYoung);
    m_counters.retired += quint64(retired);
    scheduleRetire();
    if (retired > 0) {
        Q_EMIT readyCountChanged(readyCount());
        scheduleRefill();
    }
}

void TunnelPool::scheduleRetire()
{
    if (m_ready.empty()) {
        m_retire.stop();
        return;
    }
    // m_ready is oldest first: the front retires next.
    m_retire.start(untilDeadline(m_ready.front().readyAt + m_settings.retireAge));
}

} // namespace echw
