#include "ProxyListener.h"

#include "inbound/InboundConnection.h"
#include "net/SocketStream.h"
#include "net/StreamListener.h"

#include <unistd.h>

namespace echw {

ProxyListener::ProxyListener(const InboundContext& context, int connectionLimit, QObject* parent)
    : QTcpServer(parent)
    , m_context(context)
    , m_connectionLimit(std::max(1, connectionLimit))
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
    if (m_active >= m_connectionLimit) {
        // QTcpServer accepts everything already queued in one go, so a few may arrive past the
        // limit; they wait here untouched (no reads, no buffers), and no more are accepted.
        m_waiting.push_back(descriptor);
        pauseAccepting();
        return;
    }
    serve(descriptor);
}

void ProxyListener::serve(qintptr descriptor)
{
    auto* connection =
        new InboundConnection(std::make_unique<SocketStream>(int(descriptor)), m_context, this);
    ++m_active;
    connect(connection, &InboundConnection::finished, this, [this, connection] {
        --m_active;
        connection->deleteLater();
        if (m_connectionFinished)
            m_connectionFinished();
        if (!m_waiting.empty()) {
            const qintptr next = m_waiting.front();
            m_waiting.pop_front();
            serve(next);
        } else if (m_active < m_connectionLimit && isListening()) {
            // (A listener that is handed its connections has no socket to resume.)
            resumeAccepting();
        }
    });
    connection->start();
    // At the limit, further clients wait in the kernel's listen backlog: memory stays
    // bounded, and they are served in order as connections finish.
    if (m_active >= m_connectionLimit && isListening())
        pauseAccepting();
}

} // namespace echw
