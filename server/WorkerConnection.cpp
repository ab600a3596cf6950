#include "WorkerConnection.h"

#include "AddressPolicy.h"
#include "HttpResponse.h"
#include "RequestRouter.h"
#include "ServerLog.h"
#include "net/SocketStream.h"
#include "net/TcpDialer.h"
#include "relay/StreamRelay.h"
#include "tls/TlsContext.h"
#include "tls/TlsStream.h"

#include <sys/socket.h>

namespace echw::server {

namespace {

constexpr qint64 kReadChunk = 16 * 1024;
thread_local char t_scratch[kReadChunk];

HttpResponse errorResponse(int status, const QString& reason)
{
    return HttpResponse::text(status, httpReasonPhrase(status) + ": " + reason.toUtf8() + '\n');
}

} // namespace

WorkerConnection::WorkerConnection(std::unique_ptr<SocketStream> socket, WorkerContext& context,
                                   quint64 id, QObject* parent)
    : QObject(parent)
    , m_context(context)
    , m_id(id)
    , m_socket(socket.get())
{
    if (const auto peer = socketPeer(m_socket->descriptor()))
        m_peer = peer->toString();
    QString error;
    m_tls = TlsStream::server(std::move(socket), m_context.tls->get(), &error);
    if (!m_tls) {
        m_socket = nullptr; // closed with the transport TlsStream::server did not take
        qCWarning(lcServer, "connection %llu: %s", m_id, qPrintable(error));
    }
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &WorkerConnection::onTimeout);
}

WorkerConnection::~WorkerConnection() = default;

void WorkerConnection::start()
{
    if (!m_tls) {
        QMetaObject::invokeMethod(this, &WorkerConnection::finish, Qt::QueuedConnection);
        return;
    }
    connect(m_tls.get(), &TlsStream::handshakeFinished, this,
            &WorkerConnection::onHandshakeFinished);
    connect(m_tls.get(), &ByteStream::failed, this, &WorkerConnection::onTlsFailed);
    connect(m_tls.get(), &ByteStream::readyRead, this, &WorkerConnection::onReadable);
    connect(m_tls.get(), &ByteStream::readFinished, this, [this] {
        m_readDone = true;
        if (m_phase == Phase::RequestHead || m_phase == Phase::RequestBody) {
            qCDebug(lcServer, "connection %llu: closed before the request was complete", m_id);
            finish();
            return;
        }
        checkResponded();
    });
    connect(m_tls.get(), &ByteStream::writeFinished, this, [this] {
        m_writeDone = true;
        checkResponded();
    });
    m_deadline.start(m_context.settings.requestTimeout);
    m_tls->startHandshake();
}

void WorkerConnection::onHandshakeFinished()
{
    WorkerCounters& counters = m_context.counters;
    ++counters.handshakes;
    const bool ech = m_tls->echAccepted();
    if (ech)
        ++counters.echAccepted;
    // The inner name is what ECH hides from the network; the outer one is what it saw.
    qCInfo(lcServer, "connection %llu from %s: ECH %s, inner SNI \"%s\", outer SNI \"%s\"", m_id,
           qPrintable(m_peer), ech ? "accepted" : "not accepted",
           qPrintable(m_tls->innerServerName()), qPrintable(m_tls->outerServerName()));
    m_phase = Phase::RequestHead;
    onReadable();
}

void WorkerConnection::onTlsFailed(const QString& reason)
{
    if (m_phase == Phase::Handshake) {
        ++m_context.counters.handshakeFailures;
        qCInfo(lcServer, "connection %llu from %s: %s", m_id, qPrintable(m_peer),
               qPrintable(reason));
    } else {
        qCDebug(lcServer, "connection %llu: %s", m_id, qPrintable(reason));
    }
    finish();
}

void WorkerConnection::onReadable()
{
    while (m_phase == Phase::RequestHead || m_phase == Phase::RequestBody ||
           m_phase == Phase::Responding) {
        const qint64 n = m_tls->read(t_scratch, kReadChunk);
        if (n <= 0)
            return;
        const QByteArrayView bytes(t_scratch, n);
        if (m_phase == Phase::RequestHead) {
            if (m_context.settings.forwardUpgradesTo)
                m_forwardBytes.append(bytes);
            auto result = m_parser.append(bytes);
            using Status = HttpRequestHeadParser::Result::Status;
            if (result.status == Status::Invalid) {
                qCDebug(lcServer, "connection %llu: bad request: %s", m_id,
                        qPrintable(result.reason));
                respond(errorResponse(result.httpStatus, result.reason));
            } else if (result.status == Status::Complete) {
                onRequestHead(result.head, result.remaining);
            }
        } else if (m_phase == Phase::RequestBody) {
            m_body.append(bytes.first(std::min(n, m_bodyLength - m_body.size())));
            if (m_body.size() == m_bodyLength)
                answerDns(m_body);
        }
        // Responding: whatever else the client sends is read and dropped, so that closing the
        // socket with unread bytes does not reset the connection before the response arrives
        // (RFC 9112 section 9.6).
    }
}

void WorkerConnection::onRequestHead(const HttpRequestHead& head, const QByteArray& remaining)
{
    m_headRequest = head.method == "HEAD";
    const RouterConfig config{m_context.settings.token, m_context.settings.dohEnabled};
    if (m_context.settings.forwardUpgradesTo && head.fieldHasToken("Upgrade", "websocket")) {
        forwardUpgrade();
        return;
    }
    m_forwardBytes.clear();
    auto route = routeRequest(head, config);

    if (auto* upgrade = std::get_if<WebSocketUpgrade>(&route)) {
        m_deadline.stop();
        m_phase = Phase::Session;
        ++m_context.counters.sessions;
        qCInfo(lcServer, "connection %llu: WebSocket session on %s", m_id,
               head.target.left(200).constData());
        m_tls->write(upgrade->response);
        // From here the session reads and writes the stream; this object only waits for it.
        m_tls->disconnect(this);
        m_session = std::make_unique<WorkerSession>(m_tls.get(), m_context, m_id);
        connect(m_session.get(), &WorkerSession::finished, this,
                &WorkerConnection::onSessionFinished);
        m_session->start(remaining);
    } else if (auto* query = std::get_if<DnsQuery>(&route)) {
        answerDns(query->query);
    } else if (auto* body = std::get_if<DnsQueryBody>(&route)) {
        m_phase = Phase::RequestBody;
        m_bodyLength = body->length;
        m_body = remaining.left(body->length);
        if (m_body.size() == m_bodyLength)
            answerDns(m_body);
    } else {
        const auto& response = std::get<HttpResponse>(route);
        if (response.status >= 400)
            qCDebug(lcServer, "connection %llu: answering %d to %s", m_id, response.status,
                    head.method.constData());
        respond(response);
    }
}

// The runtime behind us sees the client's request as it was sent (the parser only looked at it),
// so the upgrade, the token check and every frame are its own.
void WorkerConnection::forwardUpgrade()
{
    m_deadline.stop();
    m_phase = Phase::Forwarding;
    ++m_context.counters.sessions;
    // While the dial runs this object keeps its handlers on the stream: onReadable() leaves what
    // the client sends queued in the stream (the relay picks it up when it starts), a failure
    // ends the connection, and a failed dial can still answer with a response.
    const TargetAddress upstream = *m_context.settings.forwardUpgradesTo;
    m_forwardDialer = std::make_unique<TcpDialer>(
        upstream, m_context.settings.dialTimeout, [this, upstream](TcpDialer::Result result) {
            if (m_phase != Phase::Forwarding)
                return; // the client went away while the dial ran
            auto* socket = std::get_if<std::unique_ptr<SocketStream>>(&result);
            if (!socket) {
                const QString reason = std::get<ConnectError>(result).message;
                qCWarning(lcServer, "connection %llu: cannot forward to %s: %s", m_id,
                          qPrintable(upstream.toString()), qPrintable(reason));
                m_forwardBytes.clear();
                respond(errorResponse(502, reason));
                return;
            }
            qCInfo(lcServer, "connection %llu: WebSocket upgrade forwarded to %s", m_id,
                   qPrintable(upstream.toString()));
            m_tls->disconnect(this);
            (*socket)->write(std::exchange(m_forwardBytes, {}));
            m_forwardRelay = std::make_unique<StreamRelay>(std::move(m_tls), std::move(*socket));
            connect(m_forwardRelay.get(), &StreamRelay::finished, this, &WorkerConnection::finish);
            m_forwardRelay->start();
        });
    m_forwardDialer->start();
}

void WorkerConnection::answerDns(QByteArrayView query)
{
    const HttpResponse response = answerDnsQuery(query, m_context.credentials.publicName,
                                                 m_context.credentials.echConfigList);
    if (response.status == 200)
        ++m_context.counters.dnsAnswers;
    respond(response);
}

// One response per connection, then a graceful close: close_notify and FIN once the bytes are
// out, and the connection is let go when the client has closed too or the linger deadline passes.
void WorkerConnection::respond(const HttpResponse& response)
{
    m_phase = Phase::Responding;
    m_body.clear();
    m_tls->write(response.serialize(m_headRequest));
    m_tls->finishWrite();
    m_deadline.start(m_context.settings.lingerTimeout);
    checkResponded();
}

void WorkerConnection::onTimeout()
{
    switch (m_phase) {
    case Phase::Handshake:
        ++m_context.counters.handshakeFailures;
        qCInfo(lcServer, "connection %llu from %s: TLS handshake timed out", m_id,
               qPrintable(m_peer));
        finish();
        break;
    case Phase::RequestHead:
    case Phase::RequestBody:
        respond(HttpResponse::text(408, "Request Timeout\n"));
        break;
    case Phase::Responding:
        finish();
        break;
    case Phase::Session:
    case Phase::Forwarding:
    case Phase::Done:
        break;
    }
}

void WorkerConnection::onSessionFinished(WorkerSession::Ending ending)
{
    if (ending == WorkerSession::Ending::Reset && m_socket) {
        // SO_LINGER with a zero timeout makes close(2) send RST instead of FIN.
        const linger reset{1, 0};
        ::setsockopt(m_socket->descriptor(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }
    finish();
}

void WorkerConnection::checkResponded()
{
    if (m_phase == Phase::Responding && m_writeDone && m_readDone)
        finish();
}

void WorkerConnection::finish()
{
    if (m_phase == Phase::Done)
        return;
    m_phase = Phase::Done;
    m_deadline.stop();
    if (m_tls) {
        m_tls->disconnect(this);
        m_tls->abort();
    }
    Q_EMIT finished();
}

} // namespace echw::server
