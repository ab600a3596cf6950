#include "ProxyListener.h"

#include "inbound/InboundConnection.h"
#include "net/SocketStream.h"

namespace echw {

ProxyListener::ProxyListener(const InboundContext& context, QObject* parent)
    : QTcpServer(parent)
    , m_context(context)
{}

void ProxyListener::incomingConnection(qintptr descriptor)
{
    auto* connection =
        new InboundConnection(std::make_unique<SocketStream>(int(descriptor)), m_context, this);
    ++m_active;
    ++m_total;
    connect(connection, &InboundConnection::finished, this, [this, connection] {
        --m_active;
        connection->deleteLater();
    });
    connection->start();
}

} // namespace echw
