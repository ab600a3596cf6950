#pragma once

#include <QString>

#include <atomic>
#include <functional>
#include <memory>

namespace echw {

class EchConfigProvider;
class MetricsRegistry;
class ReplyTarget;
class TlsClientContext;
struct RouteLists;

// What the runtime makes once and every engine thread uses, read-only, so N threads cost one
// list load, one ECH fetch and one TLS trust store. Everything here outlives the engine
// threads: the runtime keeps it until they have been joined, and a thread that did not end
// in time keeps its own reference.
struct EngineShared {
    std::shared_ptr<const RouteLists> lists;     // bypass_cn only
    std::shared_ptr<TlsClientContext> tunnelTls; // with a tunnel
    std::shared_ptr<TlsClientContext> dohTls;    // for DNS over SOCKS5 UDP
    // The one ECH config provider, on the runtime's thread, reached only through echTarget
    // (engine threads use an EchConfigRelay); null: no ECH.
    EchConfigProvider* ech = nullptr;
    std::shared_ptr<ReplyTarget> echTarget;
    // Connection ids unique across the engines, in the order connections start.
    std::shared_ptr<std::atomic<quint64>> connectionIds;
};

// One engine thread's part: its own counters, and how it reports established connections.
struct EngineSlot {
    int index = 0;
    std::shared_ptr<MetricsRegistry> metrics;
    // On the engine's thread: +1 when a connection completes its first request, -1 when such
    // a connection ends.
    std::function<void(int)> establishedChanged;
    int handshakeLimit = 512;
};

} // namespace echw
