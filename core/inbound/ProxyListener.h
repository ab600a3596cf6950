#pragma once

#include "inbound/InboundContext.h"

#include <QTcpServer>

namespace echw {

// The local proxy port: SOCKS5 and HTTP on one listening socket. Each accepted connection
// becomes an InboundConnection owned by the listener until it finishes.
class ProxyListener final : public QTcpServer {
    Q_OBJECT
public:
    explicit ProxyListener(const InboundContext& context, QObject* parent = nullptr);

    int activeConnections() const { return m_active; }
    quint64 totalConnections() const { return m_total; }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    const InboundContext& m_context;
    int m_active = 0;
    quint64 m_total = 0;
};

} // namespace echw
