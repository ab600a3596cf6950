#pragma once

#include "inbound/InboundContext.h"

#include <QTcpServer>

#include <deque>

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

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void serve(qintptr descriptor);

    const InboundContext& m_context;
    int m_connectionLimit;
    int m_active = 0;
    std::deque<qintptr> m_waiting; // accepted past the limit, not yet served
    quint64 m_total = 0;
};

} // namespace echw
