#include "InboundConnection.h"

#include "inbound/HttpProxySession.h"
#include "inbound/ProtocolSniffer.h"
#include "inbound/Socks5Session.h"
#include "net/Handover.h"
#include "net/SocketStream.h"

#include <QLoggingCategory>

namespace echw {

Q_DECLARE_LOGGING_CATEGORY(lcInbound)

InboundConnection::InboundConnection(std::unique_ptr<SocketStream> client,
                                     std::shared_ptr<const InboundContext> context, QObject* parent)
    : QObject(parent)
    , m_contextOwner(std::move(context))
    , m_context(*m_contextOwner)
    , m_client(std::move(client))
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        qCInfo(lcInbound, "closing a client connection that sent nothing");
        close();
    });
}

InboundConnection::~InboundConnection()
{
    if (m_countedAs)
        m_context.metrics->connectionFinished(*m_countedAs);
}

void InboundConnection::start()
{
    connect(m_client.get(), &ByteStream::readyRead, this, &InboundConnection::onFirstBytes);
    connect(m_client.get(), &ByteStream::readFinished, this, &InboundConnection::close);
    connect(m_client.get(), &ByteStream::failed, this, &InboundConnection::close);
    m_deadline.start(m_context.handshakeTimeout);
}

void InboundConnection::onFirstBytes()
{
    char buffer[4096];
    const qint64 n = m_client->read(buffer, sizeof buffer);
    if (n <= 0)
        return;
    m_deadline.stop();
    const QByteArray firstBytes(buffer, n);
    switch (sniffProtocol(buffer[0])) {
    case InboundProtocol::Socks5:
        m_session = std::make_unique<Socks5Session>(handOver(m_client, this), m_context);
        m_countedAs = MetricsRegistry::Inbound::Socks5;
        break;
    case InboundProtocol::Http:
        m_session = std::make_unique<HttpProxySession>(handOver(m_client, this), m_context);
        m_countedAs = MetricsRegistry::Inbound::Http;
        break;
    case InboundProtocol::Unknown:
        qCInfo(lcInbound, "closing a client connection: unknown protocol (first byte 0x%02x)",
               quint8(buffer[0]));
        close();
        return;
    }
    if (m_context.metrics)
        m_context.metrics->connectionAccepted(*m_countedAs);
    else
        m_countedAs.reset();
    connect(m_session.get(), &InboundSession::established, this, [this] {
        m_established = true;
        Q_EMIT established();
    });
    connect(m_session.get(), &InboundSession::finished, this, &InboundConnection::close);
    m_session->start(firstBytes);
}

void InboundConnection::drop()
{
    // Never called from the session's own signals, so it can go right here; a session still
    // in its handshake has no upstream or listing to end first.
    m_session.reset();
    close();
}

void InboundConnection::close()
{
    if (m_closed)
        return;
    m_closed = true;
    m_deadline.stop();
    if (m_client)
        m_client->abort();
    Q_EMIT finished();
}

} // namespace echw
