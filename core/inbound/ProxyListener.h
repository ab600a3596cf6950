#pragma once

#include "inbound/InboundContext.h"

#include <QTcpServer>

#include <deque>
#include <functional>
#include <list>

namespace echw {

class InboundConnection;

// The local proxy port: SOCKS5 and HTTP on one listening socket. Each accepted connection
// becomes an InboundConnection owned by the listener until it finishes.
//
// Two budgets, so that clients which never finish their handshake cannot lock out the ones
// that do:
// - connections still in their handshake (no complete first request yet) are at most
//   `handshakeLimit`; a new one past it drops the oldest, which under a flood of idle or
//   slow connections is always an attacker's (a real client's handshake takes a round trip);
// - established connections are at most `connectionLimit`; past it the listener stops
//   accepting and further clients wait in the kernel's listen backlog until one finishes.
class ProxyListener final : public QTcpServer {
    Q_OBJECT
public:
    // The handshake budget when nothing else is said: more than a browser opens at once.
    static constexpr int kDefaultHandshakeLimit = 512;

    ProxyListener(const InboundContext& context, int connectionLimit,
                  int handshakeLimit = kDefaultHandshakeLimit, QObject* parent = nullptr);
    ~ProxyListener() override;

    // Accepted and not finished, handshaking or established.
    int activeConnections() const { return int(m_handshaking.size()) + m_established; }
    int handshakingConnections() const { return int(m_handshaking.size()); }
    int establishedConnections() const { return m_established; }
    quint64 totalConnections() const { return m_total; }
    // Handshaking connections dropped to make room for newer ones.
    quint64 droppedHandshakes() const { return m_droppedHandshakes; }

    // A connection accepted by another listener (EngineGroup's acceptor) and handed to this
    // thread: served like one of its own. Such a listener never listens itself.
    void adopt(qintptr descriptor) { incomingConnection(descriptor); }
    // Runs on this listener's thread with +1 when a connection becomes established and -1
    // when an established one finishes: how a group keeps one limit across listeners.
    void setEstablishedChanged(std::function<void(int)> changed)
    {
        m_establishedChanged = std::move(changed);
    }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void serve(qintptr descriptor);
    void onEstablished(InboundConnection* connection);
    void onFinished(InboundConnection* connection);
    void updateAccepting();

    const InboundContext& m_context;
    int m_connectionLimit;
    int m_handshakeLimit;
    // Oldest first: the one dropped when the budget is full.
    std::list<InboundConnection*> m_handshaking;
    int m_established = 0;
    std::deque<qintptr> m_waiting; // accepted past the limit, not yet served
    quint64 m_total = 0;
    quint64 m_droppedHandshakes = 0;
    std::function<void(int)> m_establishedChanged;
};

} // namespace echw
