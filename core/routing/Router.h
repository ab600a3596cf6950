#pragma once

#include "config/ProxySettings.h"
#include "routing/IpKey.h"
#include "routing/LruCache.h"
#include "routing/RouteLists.h"
#include "routing/RoutingDecision.h"
#include "routing/UserRules.h"

#include <QObject>

#include <functional>
#include <memory>

namespace echw {

class HostResolver;

// Decides where a connection goes: user rules first (in order, first match wins), then the
// routing mode's default. In bypass_cn a domain is resolved and goes direct when any of its
// addresses is in the China lists; a name that does not resolve is tunnelled (as the
// reference client does). Address lookups in the lists go through an LRU cache.
class Router final : public QObject {
    Q_OBJECT
public:
    struct Config {
        RoutingMode mode = RoutingMode::Global;
        std::shared_ptr<const RouteLists> lists; // needed for bypass_cn
        UserRules rules;
        qsizetype cacheCapacity = 10'000;
    };
    using Callback = std::function<void(const RoutingDecision&)>;

    Router(Config config, HostResolver* resolver, QObject* parent = nullptr);
    ~Router() override;

    // Calls back from the event loop, never inside decide(), unless `context` is gone.
    void decide(const TargetAddress& target, QObject* context, Callback callback);

    // A synchronous list lookup through the cache (for benchmarks and for addresses).
    bool inLists(const QHostAddress& address, RoutingDecision::CacheUse* cacheUse);
    qint64 cacheHits() const { return m_cache.hits(); }
    qint64 cacheMisses() const { return m_cache.misses(); }
    const Config& config() const { return m_config; }

Q_SIGNALS:
    // Every decision, for the dashboard and the metrics.
    void decided(const echw::RoutingDecision& decision);

private:
    void finish(RoutingDecision decision, qint64 startNs, QObject* context, Callback callback);
    void decideByAddresses(RoutingDecision& decision);
    RouteLists::Hit lookUp(const QHostAddress& address, RoutingDecision::CacheUse* cacheUse);

    Config m_config;
    HostResolver* m_resolver;
    LruCache<IpKey, RouteLists::Hit, IpKeyHash> m_cache;
};

} // namespace echw
