#include "Socks5Session.h"

#include "net/ByteStream.h"
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
    connect(m_client.get(), &ByteStream::readFinished, this, [this] {
        if (!m_relay)
            finish(); // the client gave up before the tunnel was ready
    });
    connect(m_client.get(), &ByteStream::failed, this, [this] {
        if (!m_relay)
            finish();
    });
    m_parser.append(firstBytes);
    handleParserEvents();
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
            m_client->write(event->reply);
            break;
        case Socks5Parser::Event::Type::Error:
            qCInfo(lcInbound, "SOCKS5: %s", event->reason.constData());
            replyAndClose(event->reply);
            return;
        case Socks5Parser::Event::Type::Request:
            m_target = event->target;
            // The client waits for our reply; anything it sends early stays in the parser
            // (takeRemaining) or in the kernel until the tunnel is up.
            m_client->setReadPaused(true);
            disarmDeadline();
            m_pendingConnect = m_context.connector->open(
                m_target, m_parser.takeRemaining(),
                [this](Connector::Result result) { onConnected(std::move(result)); });
            return;
        }
    }
}

void Socks5Session::onConnected(Connector::Result result)
{
    // Deleted later: this callback runs inside the handle's own code.
    m_pendingConnect.release()->deleteLater();
    if (auto* error = std::get_if<ConnectError>(&result)) {
        qCInfo(lcInbound, "SOCKS5 CONNECT %s failed: %s", qPrintable(m_target.toString()),
               qPrintable(error->message));
        replyAndClose(Socks5Parser::replyFor(replyFor(*error)));
        return;
    }
    auto upstream = std::get<std::unique_ptr<ByteStream>>(std::move(result));
    m_client->write(Socks5Parser::replyFor(Socks5Reply::Succeeded));
    disconnect(m_client.get(), nullptr, this, nullptr);
    m_client->setReadPaused(false);
    m_relay = std::make_unique<StreamRelay>(std::move(m_client), std::move(upstream));
    connect(m_relay.get(), &StreamRelay::finished, this, [this](const QString& error) {
        if (!error.isEmpty())
            qCDebug(lcInbound, "relay to %s ended: %s", qPrintable(m_target.toString()),
                    qPrintable(error));
        finish();
    });
    m_relay->start();
}

} // namespace echw
