#pragma once

#include "ech/DohClient.h"
#include "ech/EchConfigSource.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <chrono>
#include <memory>
#include <optional>

namespace echw {

// One ECHConfigList with where it came from and how long it may be used.
struct CachedEchConfig {
    QString echDomain;
    QUrl dohUrl;
    QByteArray echConfigList;
    QDateTime fetchedAt; // UTC
    QDateTime expiresAt; // UTC
};

// Persistence only: the last ECHConfigList in a small JSON file (the app keeps it under
// QStandardPaths::CacheLocation), so a restart works while the DoH server is unreachable.
// The file is untrusted input: anything corrupt, implausible or for another ECH domain or DoH
// server is ignored with a warning (category "echw.ech").
class EchConfigCache {
public:
    // An empty path keeps nothing: load() finds nothing and save() writes nothing.
    explicit EchConfigCache(QString filePath);

    const QString& filePath() const { return m_filePath; }

    // The stored config for echDomain as fetched from dohUrl, if the file holds a usable one;
    // a missing file is not worth a warning (first start).
    std::optional<CachedEchConfig> load(const QString& echDomain, const QUrl& dohUrl) const;
    // Replaces the file atomically (QSaveFile), readable by the user only (0600): the file
    // tells which worker front the user goes through. False (and a warning) on failure.
    bool save(const CachedEchConfig& config) const;
    // Deletes the file; false (and a warning) when it exists and cannot be deleted.
    bool remove() const;

private:
    QString m_filePath;
};

// The policy that gives the tunnel an ECHConfigList for one ECH domain via one DoH server:
//  - a value is fresh until fetch time + TTL, the TTL clamped into [1 min, 1 day]; a fresh
//    value (also one loaded from the cache file) is served without asking DoH;
//  - otherwise one DoH query is made, shared by every get() that arrives meanwhile;
//  - when it fails, a stale value (expired, or loaded from disk) is served with a warning, and
//    served again without asking for the next minute, so that while DoH is down a new
//    connection does not wait for the DoH deadline each time; with no value at all get()
//    reports "cannot get the ECH config for <domain>: <DoH error>".
// Results are delivered on the event loop, never inside get().
class EchConfigProvider final : public QObject, public EchConfigSource {
    Q_OBJECT
public:
    static constexpr std::chrono::seconds kMinLifetime{60};
    static constexpr std::chrono::seconds kMaxLifetime{24 * 3600};
    static constexpr std::chrono::seconds kRetryConfigLifetime{3600};

    // Loads the cache file right away (a small local file).
    EchConfigProvider(std::unique_ptr<DohClient> doh, QString echDomain, EchConfigCache cache,
                      QObject* parent = nullptr);
    ~EchConfigProvider() override;

    void get(QObject* context, Callback callback) override;
    // Retry configs (RFC 9849 section 6.1.6) come from the server through a handshake that
    // authenticated the public name, so they are at least as current as DNS: they replace the
    // value, also over a DoH answer still in flight, and are persisted.
    void replaceWithRetryConfigs(const QByteArray& configs) override;
    // The server rejected the value without sending retry configs: it is forgotten, in
    // memory and on disk, so the next get() asks DoH.
    void invalidate() override;

    // For status display.
    const std::optional<CachedEchConfig>& current() const { return m_current; }

Q_SIGNALS:
    // The value was fetched, replaced or forgotten.
    void configChanged();
    // A DoH lookup ended: `succeeded`, or failed with (`servedStale`) or without an older value
    // to use. For the metrics.
    void fetchFinished(bool succeeded, bool servedStale);

private:
    struct Waiter {
        QPointer<QObject> context;
        Callback callback;
    };

    void startFetch();
    void onFetched(DohClient::EchConfigResult result, quint64 generation);
    void setCurrent(const QByteArray& echConfigList, std::chrono::seconds lifetime);

    std::unique_ptr<DohClient> m_doh;
    QString m_echDomain;
    EchConfigCache m_cache;
    std::optional<CachedEchConfig> m_current;
    QList<Waiter> m_waiters;
    bool m_fetching = false;
    // Counts replacements and invalidations, so a DoH answer can tell that it is older.
    quint64 m_generation = 0;
    // After a failed fetch with a stale value: no new fetch before this time.
    QDateTime m_nextFetchAt;
};

} // namespace echw
