#pragma once

#include "net/ConnectError.h"

#include <QObject>
#include <QTimer>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <variant>
#include <vector>

namespace echw {

class TunnelStream;

// Worker sessions made ahead of demand: TCP, TLS with ECH and the WebSocket upgrade done,
// CONNECT not yet sent (TunnelStream::upgrade). Taking one saves the whole handshake on the
// path of a new connection.
//
// The pool aims at the number of sessions taken (or asked for while it was empty) within the
// demand window, kept between `idleSize` and `maxSize`. Start counts as a burst of `maxSize`
// opens, so the pool fills up at once; a quiet spell lets it shrink back to `idleSize` as
// sessions retire. A session ready for longer than `retireAge` is closed before the worker's (or
// a CDN's) idle timeout would close it, and replaced only while the target still wants it. A
// ready session that dies is dropped at once, never handed out. Failing to make sessions backs
// off exponentially, so a failing worker sees no hot loop.
class TunnelPool final : public QObject {
    Q_OBJECT
public:
    using SessionResult = std::variant<std::unique_ptr<TunnelStream>, ConnectError>;
    using SessionCallback = std::function<void(SessionResult)>;
    // Starts making one ready session; destroying the handle cancels it, and then the callback
    // is never called.
    using Opener = std::function<std::unique_ptr<QObject>(SessionCallback)>;

    // Cloudflare closes a WebSocket after about 100 s without traffic; retiring at 60 s stays
    // well clear of that and of similar proxies.
    static constexpr std::chrono::milliseconds kDefaultRetireAge{60'000};

    struct Settings {
        int maxSize = 0;  // never more sessions ready or in the making; 0: no pool
        int idleSize = 1; // kept ready without demand (at most maxSize)
        // Sessions in the making at once: refills spread out instead of a burst of handshakes
        // competing with live connections for the event loop.
        int maxFilling = 2;
        // After a take, the refill waits this long while sessions remain: its handshake then
        // runs after the taker's CONNECT round trip instead of in the middle of it, in both
        // this process and the worker.
        std::chrono::milliseconds refillDelay{25};
        std::chrono::milliseconds retireAge = kDefaultRetireAge;
        std::chrono::milliseconds demandWindow{60'000};
        // A session that dies sooner after it became ready counts as a failure (backoff).
        std::chrono::milliseconds minimumLife{1'000};
        std::chrono::milliseconds firstBackoff{1'000};
        std::chrono::milliseconds maxBackoff{30'000};
    };

    struct Counters {
        quint64 opened = 0;   // sessions that became ready
        quint64 taken = 0;    // handed out
        quint64 missed = 0;   // take() found none ready
        quint64 retired = 0;  // closed at the retire age
        quint64 died = 0;     // closed by the worker or the network while ready
        quint64 failures = 0; // attempts to make a session that failed
    };

    TunnelPool(Settings settings, Opener opener, QObject* parent = nullptr);
    ~TunnelPool() override;

    // A ready session, or null when none is; either way counts as demand and starts a refill
    // (asynchronously: the caller's connection goes first).
    std::unique_ptr<TunnelStream> take();

    int readyCount() const { return int(m_ready.size()); }
    int fillingCount() const { return int(m_filling.size()); }
    // How many sessions the pool aims at now.
    int targetSize() const;
    const Counters& counters() const { return m_counters; }

Q_SIGNALS:
    // After every change of readyCount().
    void readyCountChanged(int ready);

private:
    using Clock = std::chrono::steady_clock;
    struct Entry {
        std::unique_ptr<TunnelStream> session;
        Clock::time_point readyAt;
    };

    void refill();
    void scheduleRefill();
    void startFill();
    void onFilled(quint64 id, SessionResult result);
    void onSessionDied(TunnelStream* session, const QString& reason);
    void noteFailure(const QString& reason);
    void retireOld();
    void scheduleRetire();
    void trimDemand(Clock::time_point now) const;

    Settings m_settings;
    Opener m_opener;
    std::vector<Entry> m_ready; // oldest first
    std::map<quint64, std::unique_ptr<QObject>> m_filling;
    quint64 m_nextFillId = 0;
    mutable std::deque<Clock::time_point> m_demand; // recent takes, at most maxSize of them
    int m_failureStreak = 0;
    QTimer m_backoff;
    QTimer m_retire;
    QTimer m_delayedRefill;
    bool m_refillQueued = false;
    Counters m_counters;
};

} // namespace echw
