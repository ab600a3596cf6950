#include "ProxyListener.h"

#include "inbound/InboundConnection.h"
#include "net/SocketStream.h"
#include "net/StreamListener.h"

#include <QLoggingCategory>

#include <algorithm>
#include <unistd.h>

namespace echw {

Q_DECLARE_LOGGING_CATEGORY(lcInbound)

ProxyListener::ProxyListener(const InboundContext& context, int connectionLimit, int handshakeLimit,
                             QObject* parent)
    : QTcpServer(parent)
    , m_context(context)
    , m_connectionLimit(std::max(1, connectionLimit))
    , m_handshakeLimit(std::max(1, handshakeLimit))
{
    setListenBacklogSize(kListenBacklog);
}

ProxyListener::~ProxyListener()
{
    for (const qintptr descriptor : m_waiting)
        ::close(int(descriptor));
}

void ProxyListener::incomingConnection(qintptr descriptor)
{
    ++m_total;
    if (m_established >= m_connectionLimit) {
        // QTcpServer accepts everything already queued in one go, so a few may arrive past the
        // limit; they wait here untouched (no reads, no buffers), and no more are accepted.
        m_waiting.push_back(descriptor);
        updateAccepting();
        return;
    }
    serve(descriptor);
}

void ProxyListener::serve(qintptr descriptor)
{
    if (int(m_handshaking.size()) >= m_handshakeLimit) {
        InboundConnection* oldest = m_handshaking.front();
        ++m_droppedHandshakes;
        // Once per power of two: a flood is visible in the log without filling it.
        if ((m_droppedHandshakes & (m_droppedHandshakes - 1)) == 0)
            qCInfo(lcInbound,
                   "%d connections are in their handshake: dropping the oldest (%llu so far)",
                   m_handshakeLimit, static_cast<unsigned long long>(m_droppedHandshakes));
        oldest->drop(); // finished() takes it off the list
    }
    auto* connection =
        new InboundConnection(std::make_unique<SocketStream>(int(descriptor)), m_context, this);
    m_handshaking.push_back(connection);
    connect(connection, &InboundConnection::established, this,
            [this, connection] { onEstablished(connection); });
    connect(connection, &InboundConnection::finished, this,
            [this, connection] { onFinished(connection); });
    connection->start();
}

void ProxyListener::onEstablished(InboundConnection* connection)
{
    m_handshaking.remove(connection);
    ++m_established;
    if (m_establishedChanged)
        m_establishedChanged(+1);
    updateAccepting();
}

void ProxyListener::onFinished(InboundConnection* connection)
{
    if (connection->isEstablished()) {
        --m_established;
        if (m_establishedChanged)
            m_establishedChanged(-1);
    } else {
        m_handshaking.remove(connection);
    }
    connection->deleteLater();
    while (!m_waiting.empty() && m_established < m_connectionLimit) {
        const qintptr next = m_waiting.front();
        m_waiting.pop_front();
        serve(next);
    }
    updateAccepting();
}

void ProxyListener::updateAccepting()
{
    // (A listener that is handed its connections has no socket to pause.)
    if (!isListening())
        return;
    if (m_established >= m_connectionLimit || !m_waiting.empty())
        pauseAccepting();
    else
        resumeAccepting();
}

} // namespace echw
