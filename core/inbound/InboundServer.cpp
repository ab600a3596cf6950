#include "InboundServer.h"

#include "inbound/InboundConnection.h"
#include "net/SocketStream.h"

#include <QLoggingCategory>

#include <algorithm>

namespace echw {

Q_DECLARE_LOGGING_CATEGORY(lcInbound)

InboundServer::InboundServer(std::shared_ptr<const InboundContext> context, int handshakeLimit,
                             QObject* parent)
    : QObject(parent)
    , m_context(std::move(context))
    , m_handshakeLimit(std::max(1, handshakeLimit))
{}

void InboundServer::setContext(std::shared_ptr<const InboundContext> context, int handshakeLimit)
{
    m_context = std::move(context);
    m_handshakeLimit = std::max(1, handshakeLimit);
}

InboundServer::~InboundServer() = default;

void InboundServer::adopt(qintptr descriptor)
{
    ++m_total;
    const int handshaking = int(m_handshaking.size());
    if (handshaking >= m_handshakeLimit && (m_handshaking.front().droppable.hasExpired() ||
                                            handshaking >= kHardFactor * m_handshakeLimit)) {
        InboundConnection* oldest = m_handshaking.front().connection;
        ++m_droppedHandshakes;
        // Once per power of two: a flood is visible in the log without filling it.
        if ((m_droppedHandshakes & (m_droppedHandshakes - 1)) == 0)
            qCWarning(lcInbound,
                      "%d connections are in their handshake: dropping the oldest (%llu so far)",
                      m_handshakeLimit, static_cast<unsigned long long>(m_droppedHandshakes));
        oldest->drop(); // finished() takes it off the list
    }
    auto* connection =
        new InboundConnection(std::make_unique<SocketStream>(int(descriptor)), m_context, this);
    m_handshaking.push_back({connection, QDeadlineTimer(kDropAge)});
    connect(connection, &InboundConnection::established, this,
            [this, connection] { onEstablished(connection); });
    connect(connection, &InboundConnection::finished, this,
            [this, connection] { onFinished(connection); });
    connection->start();
}

void InboundServer::onEstablished(InboundConnection* connection)
{
    m_handshaking.remove_if(
        [connection](const Handshaking& h) { return h.connection == connection; });
    ++m_established;
    if (m_establishedChanged)
        m_establishedChanged(+1);
}

void InboundServer::onFinished(InboundConnection* connection)
{
    if (connection->isEstablished()) {
        --m_established;
        if (m_establishedChanged)
            m_establishedChanged(-1);
    } else {
        m_handshaking.remove_if(
            [connection](const Handshaking& h) { return h.connection == connection; });
    }
    connection->deleteLater();
}

} // namespace echw
