#pragma once

#include "inbound/InboundContext.h"

#include <QDeadlineTimer>
#include <QObject>

#include <chrono>
#include <functional>
#include <list>
#include <memory>

namespace echw {

class InboundConnection;

// The client connections of one engine thread: SOCKS5 and HTTP, handed over as descriptors by
// the acceptor (engine/ConnectionAcceptor), which alone listens. Each becomes an
// InboundConnection owned here until it finishes.
//
// Connections still in their handshake (no complete first request yet) have a budget of
// `handshakeLimit`: a new one past it drops the oldest if that one has had kDropAge for its
// handshake, which under a flood of idle or slow connections is always an attacker's (a real
// client's handshake takes a round trip). So clients that never finish their handshake cannot
// lock out the ones that do. A burst of real clients, all younger than that, is not dropped
// (their requests may wait in the socket until the engine reads them) up to kHardFactor times
// the budget, past which the oldest goes whatever its age: what handshakes costs stays bounded.
// Established connections are limited by the acceptor, which hears of each through
// `establishedChanged`.
class InboundServer final : public QObject {
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds kDropAge{1'000};
    static constexpr int kHardFactor = 4;

    InboundServer(std::shared_ptr<const InboundContext> context, int handshakeLimit,
                  QObject* parent = nullptr);
    ~InboundServer() override;

    // What connections adopted from now on use; those already here keep theirs.
    void setContext(std::shared_ptr<const InboundContext> context, int handshakeLimit);

    // Serves a connected client socket; it is closed here when no longer needed.
    void adopt(qintptr descriptor);
    // Runs on this thread with +1 when a connection becomes established and -1 when an
    // established one finishes.
    void setEstablishedChanged(std::function<void(int)> changed)
    {
        m_establishedChanged = std::move(changed);
    }

    // Adopted and not finished, handshaking or established.
    int activeConnections() const { return int(m_handshaking.size()) + m_established; }
    int handshakingConnections() const { return int(m_handshaking.size()); }
    int establishedConnections() const { return m_established; }
    quint64 totalConnections() const { return m_total; }
    // Handshaking connections dropped to make room for newer ones.
    quint64 droppedHandshakes() const { return m_droppedHandshakes; }

private:
    void onEstablished(InboundConnection* connection);
    void onFinished(InboundConnection* connection);

    std::shared_ptr<const InboundContext> m_context;
    int m_handshakeLimit;
    struct Handshaking {
        InboundConnection* connection;
        QDeadlineTimer droppable; // expires kDropAge after it came
    };
    // Oldest first: the one dropped when the budget is full.
    std::list<Handshaking> m_handshaking;
    int m_established = 0;
    quint64 m_total = 0;
    quint64 m_droppedHandshakes = 0;
    std::function<void(int)> m_establishedChanged;
};

} // namespace echw
