#pragma once

#include "net/NameLookup.h"

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>
#include <unordered_map>
#include <variant>

namespace echw {

class DohClient;

// Resolves a host name to all its addresses, asynchronously, with a cache that honours the
// answer's TTL. Used by routing to decide where a domain target goes; the connection itself
// resolves again on its own path (the worker resolves tunnelled names).
class HostResolver : public QObject {
    Q_OBJECT
public:
    struct Answer {
        QList<QHostAddress> addresses;
        bool fromCache = false;
    };
    using Result = std::variant<Answer, QString>; // the addresses, or what went wrong
    using Callback = std::function<void(Result)>;

    using QObject::QObject;

    // Calls back from the event loop, never inside resolve(), unless `context` is gone.
    void resolve(const QString& host, QObject* context, Callback callback);

    qint64 cacheHits() const { return m_hits; }
    qint64 cacheMisses() const { return m_misses; }

protected:
    struct Lookup {
        QList<QHostAddress> addresses;
        std::chrono::seconds ttl{0};
    };
    using LookupCallback = std::function<void(std::variant<Lookup, QString>)>;
    virtual void lookup(const QString& host, LookupCallback callback) = 0;

private:
    struct Entry {
        QList<QHostAddress> addresses;
        std::chrono::steady_clock::time_point expires;
    };
    void store(const QString& host, const Lookup& lookup);

    QHash<QString, Entry> m_cache;
    QHash<QString, QList<std::pair<QPointer<QObject>, Callback>>> m_waiting;
    qint64 m_hits = 0;
    qint64 m_misses = 0;
};

// The operating system's resolver (NameLookup, on the process's lookup threads). It reports
// no TTL, so answers are kept for a fixed minute.
class SystemHostResolver final : public HostResolver {
    Q_OBJECT
public:
    using HostResolver::HostResolver;
    ~SystemHostResolver() override;

protected:
    void lookup(const QString& host, LookupCallback callback) override;

private:
    std::unordered_map<QString, std::unique_ptr<NameLookup>> m_lookups;
};

// A and AAAA over DoH, so that no plaintext DNS query leaves the machine.
class DohHostResolver final : public HostResolver {
    Q_OBJECT
public:
    DohHostResolver(std::unique_ptr<DohClient> doh, QObject* parent = nullptr);
    ~DohHostResolver() override;

protected:
    void lookup(const QString& host, LookupCallback callback) override;

private:
    std::unique_ptr<DohClient> m_doh;
};

// The addresses and smallest TTL of the A/AAAA records for `name` in a DNS response,
// following its CNAME chain.
std::variant<QList<QHostAddress>, QString>
addressesFromDnsResponse(QByteArrayView response, const QString& name, quint32* ttl);

} // namespace echw
