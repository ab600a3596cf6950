#pragma once

#include "inbound/InboundContext.h"

#include <QTcpServer>

#include <deque>
#include <functional>

namespace echw {

// The local proxy port: SOCKS5 and HTTP on one listening socket. Each accepted connection
// becomes an InboundConnection owned by the listener until it finishes.
class ProxyListener final : public QTcpServer {
    Q_OBJECT
public:
    ProxyListener(const InboundContext& context, int connectionLimit, QObject* parent = nullptr);
    ~ProxyListener() override;

    int activeConnections() const { return m_active; }
    quint64 totalConnections() const { return m_total; }

    // A connection accepted by another listener (EngineGroup's acceptor) and handed to this
    // thread: served like one of its own. Such a listener never listens itself.
    void adopt(qintptr descriptor) { incomingConnection(descriptor); }
    // Runs on this listener's thread each time one of its connections finishes.
    void setConnectionFinished(std::function<void()> finished)
    {
        m_connectionFinished = std::move(finished);
    }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void serve(qintptr descriptor);

    const InboundContext& m_context;
    int m_connectionLimit;
    int m_active = 0;
    std::deque<qintptr> m_waiting; // accepted past the limit, not yet served
    quint64 m_total = 0;
    std::function<void()> m_connectionFinished;
};

} // namespace echw
