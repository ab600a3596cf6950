#pragma once

#include "routing/RoutingDecision.h"

#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace echw {

// One proxied connection as the dashboard lists it.
struct ConnectionSample {
    quint64 id = 0;                     // unique for the engine's lifetime, never reused
    QString target;                     // "host:port" as the client named it
    QString inbound;                    // "SOCKS5", "HTTP" or "HTTP CONNECT"
    std::optional<RouteAction> route;   // unset while the route is being decided
    std::optional<RouteReason> matched; // why that route; unset with route
    qint64 durationMs = 0;
    quint64 bytesUp = 0; // client -> target
    quint64 bytesDown = 0;
    double rateUp = 0; // bytes per second over the last snapshot interval
    double rateDown = 0;

    bool operator==(const ConnectionSample&) const = default;
};

// Which column the engine thread sorts the connection list by, so the GUI never sorts.
enum class ConnectionSortKey {
    Started,
    Target,
    Route,
    Duration,
    BytesUp,
    BytesDown,
    RateUp,
    RateDown
};

struct ConnectionSort {
    ConnectionSortKey key = ConnectionSortKey::Started;
    bool descending = false;

    bool operator==(const ConnectionSort&) const = default;
};

// How the tunnel to the worker is doing, for the status line.
struct TunnelStatus {
    enum class State {
        Unused,      // nothing is tunnelled (routing none without tunnel rules), or stopped
        Untried,     // no tunnel opened yet
        EchAccepted, // the last tunnel opened with ECH accepted by the worker
        WithoutEch,  // the last tunnel opened in no-ECH mode (server name in clear)
        Failing,     // the last attempt failed: see detail
    };
    State state = State::Unused;
    QString detail; // Failing: the reason, e.g. "TLS with the worker x failed: ..."

    bool operator==(const TunnelStatus&) const = default;
};

// Everything the dashboard shows, taken on the engine thread about once a second and sent to
// the GUI as one queued value: the GUI never receives per-connection or per-byte signals.
struct EngineSnapshot {
    static constexpr int kMaxDecisions = 256;
    static constexpr int kMaxClosed = 500;

    quint64 sequence = 0;  // 1 for the first snapshot after a start
    qint64 intervalMs = 0; // since the previous snapshot (rates are over this interval)
    bool running = false;
    QString listenAddress; // e.g. "127.0.0.1:30000"
    TunnelStatus tunnel;

    int activeConnections = 0;    // accepted and not finished, including those still handshaking
    quint64 totalConnections = 0; // accepted since start
    int tunnelConnections = 0;    // of the listed connections, routed through the tunnel
    int directConnections = 0;    // routed direct
    quint64 bytesUp = 0;          // since start, finished connections included
    quint64 bytesDown = 0;
    double rateUp = 0; // bytes per second over the interval, all connections
    double rateDown = 0;

    QList<ConnectionSample> connections; // live ones, in the requested sort order
    // Finished since the previous snapshot, oldest first, with their final counts (rates 0);
    // at most kMaxClosed (the newest).
    QList<ConnectionSample> closed;
    quint64 droppedClosed = 0; // finished connections left out of this snapshot by that cap
    // Made since the previous snapshot, oldest first; at most kMaxDecisions (the newest).
    QList<RoutingDecision> decisions;
    quint64 droppedDecisions = 0; // decisions left out of this snapshot by that cap
};

} // namespace echw

Q_DECLARE_METATYPE(echw::EngineSnapshot)
Q_DECLARE_METATYPE(echw::ConnectionSort)
