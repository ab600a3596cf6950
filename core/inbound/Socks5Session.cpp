#include "Socks5Session.h"

#include "inbound/UdpAssociation.h"
#include "metrics/ConnectionRegistry.h"
#include "net/Handover.h"
#include "net/SocketAddresses.h"
#include "net/SocketStream.h"
#include "relay/StreamRelay.h"

#include <QLoggingCategory>

namespace echw {

Q_DECLARE_LOGGING_CATEGORY(lcInbound)

namespace {
constexpr qint64 kReadChunk = 4096;
}

Socks5Session::Socks5Session(std::unique_ptr<ByteStream> client, const InboundContext& context,
                             QObject* parent)
    : InboundSession(std::move(client), context, parent)
    , m_parser(context.credentials)
{}

Socks5Session::~Socks5Session() = default;

Socks5Reply Socks5Session::replyFor(const ConnectError& error)
{
    switch (error.kind) {
    case ConnectError::Kind::Refused:
        return Socks5Reply::ConnectionRefused;
    case ConnectError::Kind::NameNotResolved:
    case ConnectError::Kind::Unreachable:
    case ConnectError::Kind::TimedOut:
        return Socks5Reply::HostUnreachable;
    case ConnectError::Kind::Blocked:
        return Socks5Reply::NotAllowed;
    case ConnectError::Kind::Failed:
        break;
    }
    return Socks5Reply::GeneralFailure;
}

void Socks5Session::start(const QByteArray& firstBytes)
{
    armDeadline(m_context.handshakeTimeout, "the SOCKS5 handshake");
    connect(m_client.get(), &ByteStream::readyRead, this, &Socks5Session::onClientReadable);
    // Before the relay runs, the end of the client's stream ends the session: the client gave
    // up before the tunnel was ready, or it closed the control connection of a UDP association.
    connect(m_client.get(), &ByteStream::readFinished, this, &Socks5Session::onClientClosed);
    connect(m_client.get(), &ByteStream::failed, this, &Socks5Session::onClientClosed);
    m_parser.append(firstBytes);
    handleParserEvents();
}

void Socks5Session::onClientClosed()
{
    if (m_relay)
        return;
    // RFC 1928 section 6: a UDP association ends with the TCP connection it was asked on.
    if (m_udp)
        m_udp->close();
    finish();
}

void Socks5Session::onClientReadable()
{
    char buffer[kReadChunk];
    const qint64 n = m_client->read(buffer, sizeof buffer);
    if (n <= 0)
        return;
    m_parser.append(QByteArrayView(buffer, n));
    handleParserEvents();
}

void Socks5Session::handleParserEvents()
{
    while (auto event = m_parser.next()) {
        switch (event->type) {
        case Socks5Parser::Event::Type::MethodSelected:
        case Socks5Parser::Event::Type::Authenticated:
            m_client->write(event->reply);
            break;
        case Socks5Parser::Event::Type::Error:
            qCWarning(lcInbound, "SOCKS5: %s", event->reason.constData());
            replyAndClose(event->reply);
            return;
        case Socks5Parser::Event::Type::Request:
            requestReceived();
            if (event->command == Socks5Parser::Command::UdpAssociate) {
                startUdpAssociation(event->clientPort);
                return;
            }
            m_target = event->target;
            // The client waits for our reply; anything it sends early stays in the parser
            // (takeRemaining) or in the kernel until the tunnel is up.
            m_client->setReadPaused(true);
            m_pendingConnect = m_context.connector->open(
                m_target, m_parser.takeRemaining(),
                [this](Connector::Result result) { onConnected(std::move(result)); },
                listConnection(QStringLiteral("SOCKS5"), m_target));
            return;
        }
    }
}

void Socks5Session::startUdpAssociation(quint16 clientPort)
{
    // The relay listens on the address the client reached us on, which is one it can send to,
    // and only hears the control connection's peer.
    const auto* socket = qobject_cast<const SocketStream*>(m_client.get());
    const auto local = socket ? localAddressOf(socket->descriptor()) : std::nullopt;
    const auto peer = socket ? peerAddressOf(socket->descriptor()) : std::nullopt;
    if (!m_context.udpDns || !local || !peer) {
        qCWarning(lcInbound, "SOCKS5 UDP ASSOCIATE refused: %s",
                  m_context.udpDns ? "the control connection has no addresses"
                                   : "no DNS over HTTPS server for UDP is available");
        replyAndClose(Socks5Parser::replyFor(m_context.udpDns ? Socks5Reply::GeneralFailure
                                                              : Socks5Reply::CommandNotSupported));
        return;
    }
    m_udp = std::make_unique<UdpAssociation>(*m_context.udpDns, *peer, clientPort);
    if (const auto error = m_udp->bind(*local)) {
        qCWarning(lcInbound, "SOCKS5 UDP ASSOCIATE failed: %s", qPrintable(*error));
        m_udp.reset();
        replyAndClose(Socks5Parser::replyFor(Socks5Reply::GeneralFailure));
        return;
    }
    // No deadline from here on: the association lasts as long as the client keeps the control
    // connection open, and whatever it sends there is read and ignored so its end is seen.
    m_client->write(
        Socks5Parser::replyFor(Socks5Reply::Succeeded, m_udp->address(), m_udp->port()));
}

void Socks5Session::onConnected(Connector::Result result)
{
    dropLater(m_pendingConnect);
    if (auto* error = std::get_if<ConnectError>(&result)) {
        qCWarning(lcInbound, "SOCKS5 CONNECT %s failed: %s", qPrintable(m_target.toString()),
                  qPrintable(error->message));
        replyAndClose(Socks5Parser::replyFor(replyFor(*error)));
        return;
    }
    auto upstream = std::get<std::unique_ptr<ByteStream>>(std::move(result));
    m_client->write(Socks5Parser::replyFor(Socks5Reply::Succeeded));
    m_client->setReadPaused(false);
    m_relay = std::make_unique<StreamRelay>(handOver(m_client, this), std::move(upstream));
    if (m_entry)
        m_relay->countInto(m_entry->counters());
    connect(m_relay.get(), &StreamRelay::finished, this, [this](const QString& error) {
        if (!error.isEmpty())
            qCDebug(lcInbound, "relay to %s ended: %s", qPrintable(m_target.toString()),
                    qPrintable(error));
        finish();
    });
    m_relay->start();
}

void Socks5Session::closeNow()
{
    if (m_relay)
        m_relay->abort(QStringLiteral("closed on request"));
    else
        InboundSession::closeNow();
}

} // namespace echw
