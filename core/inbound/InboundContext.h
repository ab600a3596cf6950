#pragma once

#include <chrono>

namespace echw {

class Connector;

// What every inbound session needs from the engine that accepted it.
struct InboundContext {
    Connector* connector = nullptr;
    // From accept to a complete request (SOCKS5 greeting + request, or an HTTP request head).
    std::chrono::milliseconds handshakeTimeout{30'000};
    // After an error reply, how long the client gets to read it before the socket closes.
    std::chrono::milliseconds lingerTimeout{5'000};
};

} // namespace echw
