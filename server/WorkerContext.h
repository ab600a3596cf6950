#pragma once

#include "AddressPolicy.h"
#include "ServerCredentials.h"
#include "net/TargetAddress.h"

#include <QByteArray>
#include <QtGlobal>

#include <chrono>
#include <memory>
#include <optional>

namespace echw {
class HostResolver;
class TlsServerContext;
} // namespace echw

namespace echw::server {

struct WorkerSettings {
    // Clients must offer this as a Sec-WebSocket-Protocol; empty: anyone may connect. Never
    // logged.
    QByteArray token;
    bool dohEnabled = false;
    // Whether clients may reach every address through the worker, the special-purpose blocks
    // (loopback, private, link-local, documentation...) and the server's own addresses included
    // (see AddressPolicy.h). Needed for loopback tests; dangerous on a public server.
    bool allowInternalTargets = false;
    // TLS handshake plus request head (plus a DoH body), from accept.
    std::chrono::milliseconds requestTimeout{10'000};
    // From the 101 to the CONNECT frame.
    std::chrono::milliseconds connectFrameTimeout{10'000};
    // Resolving and connecting to the target.
    std::chrono::milliseconds dialTimeout{10'000};
    // How long a closing connection waits for its last bytes to go out and the peer to close.
    std::chrono::milliseconds lingerTimeout{5'000};
    // Set: every WebSocket upgrade is passed on unchanged, request head included, to this
    // plain-TCP address, and the bytes are relayed both ways; this server then only terminates
    // TLS + ECH (and answers DoH) in front of another worker runtime, such as workerd running a
    // worker script, which does its own token check and framing. Chosen by the operator, so
    // the target policy does not apply to it.
    std::optional<TargetAddress> forwardUpgradesTo;
    // Test hook: after relaying this many bytes to the client, a session drops its connection
    // with a TCP reset, like a worker that dies mid-stream.
    std::optional<qint64> failAfterBytes;
};

// What the server has done since it started; read by tests and the log.
struct WorkerCounters {
    quint64 connections = 0;       // TCP connections accepted
    quint64 handshakes = 0;        // TLS handshakes completed
    quint64 handshakeFailures = 0; // TLS handshakes that failed or timed out
    quint64 echAccepted = 0;       // handshakes in which ECH was accepted
    quint64 sessions = 0;          // WebSocket upgrades answered 101
    quint64 targetsConnected = 0;  // sessions that reached their target (CONNECTED sent)
    quint64 targetsFailed = 0;     // sessions that answered ERROR: to CONNECT
    quint64 dnsAnswers = 0;        // DoH queries answered 200
    quint64 bytesToTarget = 0;     // payload relayed client -> target
    quint64 bytesToClient = 0;     // payload relayed target -> client
    quint64 targetsRefused = 0;    // CONNECTs refused by the target policy (also targetsFailed)
    // Sessions closed because their client let more than WorkerSession::kMaxQueuedToClient
    // pile up unread, and the most bytes any session had queued toward its client.
    quint64 clientsNotReading = 0;
    qint64 peakQueuedToClient = 0;
    qint64 activeConnections = 0;
};

// What every connection of one server shares. Owned by WorkerServer, which outlives its
// connections.
struct WorkerContext {
    WorkerSettings settings;
    ServerCredentials credentials;
    std::shared_ptr<TlsServerContext> tls;
    WorkerCounters counters;
    // Resolves CONNECT names before the policy sees their addresses; owned by WorkerServer.
    HostResolver* resolver = nullptr;
    TargetPolicy targetPolicy{false};
};

} // namespace echw::server
