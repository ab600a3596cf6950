#pragma once

#include "inbound/ProxyCredentials.h"

#include <chrono>
#include <memory>

namespace echw {

class ConnectionRegistry;
class Connector;
class DnsOverTunnel;
class MetricsRegistry;

// What every inbound session needs from the engine that accepted it.
struct InboundContext {
    Connector* connector = nullptr;
    // Answers the DNS queries of SOCKS5 UDP ASSOCIATE: through the tunnel when the engine runs
    // one, else over a direct connection. Null: UDP ASSOCIATE is refused (0x07).
    DnsOverTunnel* udpDns = nullptr;
    // Where proxied connections are listed for the dashboard; null: not listed.
    ConnectionRegistry* registry = nullptr;
    // The Prometheus counters; null: not counted.
    MetricsRegistry* metrics = nullptr;
    // What every SOCKS5 and HTTP client must present; empty: nothing.
    ProxyCredentials credentials;
    // From accept to a complete request (SOCKS5 greeting, authentication and request, or an
    // HTTP request head).
    std::chrono::milliseconds handshakeTimeout{10'000};
    // After an error reply, how long the client gets to read it before the socket closes.
    std::chrono::milliseconds lingerTimeout{5'000};
    // What the pointers above point into (the engine's router and connectors of one
    // configuration): every connection holds its context, so a new configuration applies to
    // new connections while open ones finish on what they started with.
    std::shared_ptr<const void> owner;
};

} // namespace echw
