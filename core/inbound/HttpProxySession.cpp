#include "HttpProxySession.h"

#include "metrics/ConnectionRegistry.h"
#include "net/ByteStream.h"
#include "net/Handover.h"
#include "relay/StreamPump.h"
#include "relay/StreamRelay.h"

#include <QLoggingCategory>

namespace echw {

Q_DECLARE_LOGGING_CATEGORY(lcInbound)

namespace {
constexpr qint64 kReadChunk = 64 * 1024;
}

HttpProxySession::HttpProxySession(std::unique_ptr<ByteStream> client,
                                   const InboundContext& context, QObject* parent)
    : InboundSession(std::move(client), context, parent)
    , m_parser(context.credentials)
{}

HttpProxySession::~HttpProxySession() = default;

int HttpProxySession::statusFor(const ConnectError& error)
{
    switch (error.kind) {
    case ConnectError::Kind::TimedOut:
        return 504;
    case ConnectError::Kind::Blocked:
        return 403;
    default:
        return 502;
    }
}

void HttpProxySession::start(const QByteArray& firstBytes)
{
    armDeadline(m_context.handshakeTimeout, "the HTTP request head");
    connect(m_client.get(), &ByteStream::readyRead, this, &HttpProxySession::onClientReadable);
    connect(m_client.get(), &ByteStream::readFinished, this, &HttpProxySession::onClientEnded);
    connect(m_client.get(), &ByteStream::failed, this, &HttpProxySession::finish);
    m_parser.append(firstBytes);
    handleParserEvents();
}

void HttpProxySession::onClientReadable()
{
    if (upstreamCongested() || m_pendingConnect || m_held) {
        updateClientReading();
        return;
    }
    thread_local char buffer[kReadChunk];
    const qint64 n = m_client->read(buffer, kReadChunk);
    if (n > 0) {
        if (m_parser.idle())
            armDeadline(m_context.handshakeTimeout, "the HTTP request head");
        m_parser.append(QByteArrayView(buffer, n));
        handleParserEvents();
    }
}

void HttpProxySession::onClientEnded()
{
    m_clientEnded = true;
    if (!m_parser.idle())
        qCDebug(lcInbound, "HTTP client ended in the middle of a request");
    if (m_upstream && !m_pendingConnect)
        m_upstream->finishWrite();
    maybeFinish();
}

void HttpProxySession::handleParserEvents()
{
    while (!m_pendingConnect && !m_held && !upstreamCongested()) {
        auto event = m_parser.next();
        if (!event)
            break;
        if (!handleEvent(std::move(*event)))
            return;
    }
    // Everything parsed from this read travels with the connection request.
    if (m_openPending)
        openUpstream(m_target);
    updateClientReading();
}

// Returns whether to go on with the next event.
bool HttpProxySession::handleEvent(HttpProxyParser::Event event)
{
    switch (event.type) {
    case HttpProxyParser::Event::Type::Connect:
        requestReceived();
        m_target = event.target;
        m_client->setReadPaused(true);
        m_pendingConnect = m_context.connector->open(
            m_target, m_parser.takeRemaining(),
            [this](Connector::Result r) { onTunnelConnected(std::move(r)); },
            listConnection(QStringLiteral("HTTP CONNECT"), m_target));
        return false;
    case HttpProxyParser::Event::Type::RequestHead: {
        requestReceived();
        const bool otherTarget = !(event.target == m_target);
        // Pipelined requests are answered in order: a request for another target, or one past
        // the bound on requests in flight, waits (and the client is not read) until every
        // response of the current upstream has reached the client.
        const qsizetype inFlight = m_responses.outstanding();
        if (m_upstream && inFlight > 0 &&
            (otherTarget || m_responses.opaque() || inFlight >= kMaxRequestsInFlight)) {
            m_held = std::move(event);
            return false;
        }
        if (!m_upstream || otherTarget || m_responses.opaque() || m_upstreamEnded) {
            dropUpstream();
            m_target = event.target;
            m_openPending = true;
        }
        m_responses.expect(event.head.startsWith("HEAD "));
        sendUpstream(event.head);
        return true;
    }
    case HttpProxyParser::Event::Type::Body:
        sendUpstream(event.body);
        return true;
    case HttpProxyParser::Event::Type::MessageEnd:
        if (m_openPending) {
            // Pipelined requests for another target wait until this one is sent.
            openUpstream(m_target);
            updateClientReading();
            return false;
        }
        // No deadline between requests: the response may still be streaming. The next
        // request's first byte arms the head deadline again.
        return true;
    case HttpProxyParser::Event::Type::Error:
        qCWarning(lcInbound, "HTTP proxy: %d %s", event.status, event.reason.constData());
        dropUpstream();
        replyAndClose(HttpProxyParser::errorResponse(event.status, event.reason));
        return false;
    }
    return false;
}

// Called on the event loop after the responses were tracked: switching drops the pump that
// reported them, which must not happen inside its own call.
void HttpProxySession::resumeHeldRequest()
{
    if (!m_held || m_responses.outstanding() > 0 || !m_client)
        return;
    HttpProxyParser::Event event = std::move(*m_held);
    m_held.reset();
    // A held request for the same target only waited for the bound on requests in flight;
    // the connection stays unless its framing was lost.
    if (!(event.target == m_target) || m_responses.opaque() || m_upstreamEnded)
        dropUpstream();
    if (handleEvent(std::move(event)))
        handleParserEvents();
    else
        updateClientReading();
}

void HttpProxySession::onResponseBytes(QByteArrayView bytes)
{
    m_responses.observe(bytes);
    if (m_held && m_responses.outstanding() == 0)
        QMetaObject::invokeMethod(this, &HttpProxySession::resumeHeldRequest, Qt::QueuedConnection);
}

// The upstream ended its direction. With a request held for another target and every
// response delivered (a close-delimited one ends here), the client connection goes on with
// that request; otherwise the client's direction ends too, as before.
bool HttpProxySession::keepClientOpenAtUpstreamEnd()
{
    m_responses.finishInput();
    if (!m_held || m_responses.outstanding() > 0)
        return false;
    m_upstreamEnded = true;
    QMetaObject::invokeMethod(this, &HttpProxySession::resumeHeldRequest, Qt::QueuedConnection);
    return true;
}

void HttpProxySession::sendUpstream(const QByteArray& bytes)
{
    if (m_pendingConnect || m_openPending)
        m_outbox.append(bytes);
    else if (m_upstream) {
        m_upstream->write(bytes);
        if (m_entry)
            m_entry->counters()->up += quint64(bytes.size());
    }
}

void HttpProxySession::openUpstream(const TargetAddress& target)
{
    m_openPending = false;
    ConnectionEntry* entry = listConnection(QStringLiteral("HTTP"), target);
    if (entry)
        entry->counters()->up += quint64(m_outbox.size());
    m_pendingConnect = m_context.connector->open(
        target, std::exchange(m_outbox, {}),
        [this](Connector::Result r) { onUpstreamConnected(std::move(r)); }, entry);
}

void HttpProxySession::onUpstreamConnected(Connector::Result result)
{
    dropLater(m_pendingConnect);
    if (auto* error = std::get_if<ConnectError>(&result)) {
        qCWarning(lcInbound, "HTTP request to %s failed: %s", qPrintable(m_target.toString()),
                  qPrintable(error->message));
        replyAndClose(HttpProxyParser::errorResponse(statusFor(*error), error->message.toUtf8()));
        return;
    }
    m_upstream = std::get<std::unique_ptr<ByteStream>>(std::move(result));
    m_downPump = std::make_unique<StreamPump>(m_upstream.get(), m_client.get());
    if (m_entry)
        m_downPump->countInto(&m_entry->counters()->down);
    m_downPump->observeWith([this](QByteArrayView bytes) { onResponseBytes(bytes); });
    m_downPump->keepSinkOpenAtEndWhen([this] { return keepClientOpenAtUpstreamEnd(); });
    connect(m_upstream.get(), &ByteStream::bytesWritten, this, [this] {
        if (!upstreamCongested())
            handleParserEvents();
    });
    connect(m_upstream.get(), &ByteStream::failed, this, [this](const QString& reason) {
        qCDebug(lcInbound, "upstream %s failed: %s", qPrintable(m_target.toString()),
                qPrintable(reason));
        finish();
    });
    connect(m_downPump.get(), &StreamPump::finished, this, [this] {
        m_clientWriteEnded = true;
        maybeFinish();
    });
    if (m_entry)
        m_entry->counters()->up += quint64(m_outbox.size());
    m_upstream->write(std::exchange(m_outbox, {}));
    if (m_clientEnded)
        m_upstream->finishWrite();
    m_downPump->start();
    handleParserEvents();
}

void HttpProxySession::onTunnelConnected(Connector::Result result)
{
    dropLater(m_pendingConnect);
    if (auto* error = std::get_if<ConnectError>(&result)) {
        qCWarning(lcInbound, "HTTP CONNECT %s failed: %s", qPrintable(m_target.toString()),
                  qPrintable(error->message));
        replyAndClose(HttpProxyParser::errorResponse(statusFor(*error), error->message.toUtf8()));
        return;
    }
    auto upstream = std::get<std::unique_ptr<ByteStream>>(std::move(result));
    m_client->write(QByteArrayLiteral("HTTP/1.1 200 Connection Established\r\n\r\n"));
    m_client->setReadPaused(false);
    m_relay = std::make_unique<StreamRelay>(handOver(m_client, this), std::move(upstream));
    if (m_entry)
        m_relay->countInto(m_entry->counters());
    connect(m_relay.get(), &StreamRelay::finished, this, &HttpProxySession::finish);
    m_relay->start();
}

void HttpProxySession::dropUpstream()
{
    m_pendingConnect.reset();
    m_openPending = false;
    m_downPump.reset();
    abortAndDropLater(m_upstream);
    m_outbox.clear();
    m_responses = http::ResponseTracker();
    m_upstreamEnded = false;
}

bool HttpProxySession::upstreamCongested() const
{
    return (m_upstream && m_upstream->pendingWriteBytes() >= StreamPump::kHighWater) ||
           m_outbox.size() >= StreamPump::kHighWater;
}

void HttpProxySession::updateClientReading()
{
    if (m_client && !m_relay)
        m_client->setReadPaused(m_pendingConnect != nullptr || m_held || upstreamCongested());
}

void HttpProxySession::maybeFinish()
{
    // Done when the client has stopped sending and nothing more can come back to it.
    if (!m_clientEnded)
        return;
    if (!m_upstream || m_clientWriteEnded)
        finish();
}

void HttpProxySession::onDeadline(const char* what)
{
    if (m_parser.idle()) {
        InboundSession::onDeadline(what);
        return;
    }
    replyAndClose(HttpProxyParser::errorResponse(408, QByteArray("timed out: ") + what));
}

void HttpProxySession::closeNow()
{
    if (m_relay) {
        m_relay->abort(QStringLiteral("closed on request"));
        return;
    }
    dropUpstream();
    InboundSession::closeNow();
}

} // namespace echw
