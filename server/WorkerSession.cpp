#include "WorkerSession.h"

#include "AddressPolicy.h"
#include "ServerLog.h"
#include "net/HostResolver.h"
#include "net/SocketStream.h"
#include "net/TcpDialer.h"

#include <algorithm>
#include <utility>

namespace echw::server {

namespace {

using Event = WebSocketFrameDecoder::Event;

constexpr qint64 kReadChunk = WorkerSession::kMaxFramePayload;
// A busy target gets this many reads per event, so one connection cannot starve the others on
// the event loop; its socket notifier fires again for the rest.
constexpr int kTargetReadsPerEvent = 4;

thread_local char t_scratch[kReadChunk];
// Outgoing frames are built here and copied into TLS at once, so one buffer serves every
// session on the thread and an idle session holds none.
thread_local QByteArray t_frame;

const QByteArray kConnectPrefix = QByteArrayLiteral("CONNECT:");
const QByteArray kDataPrefix = QByteArrayLiteral("DATA:");
const QByteArray kErrorPrefix = QByteArrayLiteral("ERROR:");
const QByteArray kConnected = QByteArrayLiteral("CONNECTED");
const QByteArray kClose = QByteArrayLiteral("CLOSE");

// RFC 6455 section 7.4.1: 1008, a message that violates the endpoint's policy.
constexpr quint16 kPolicyViolation = 1008;

// One answer for every refused target, whatever the reason and whether anything listens there:
// a client must not learn more about the server's networks than that it may not go there.
const QString kNotAllowed = QStringLiteral("target address not allowed");

} // namespace

WorkerSession::WorkerSession(ByteStream* client, WorkerContext& context, quint64 id,
                             QObject* parent)
    : QObject(parent)
    , m_client(client)
    , m_context(context)
    , m_id(id)
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        switch (m_phase) {
        case Phase::AwaitingConnect:
            qCDebug(lcServer, "connection %llu: no CONNECT in time", m_id);
            closeWith(kPolicyViolation, "CONNECT expected");
            break;
        case Phase::Closing:
            finish(Ending::Clean);
            break;
        case Phase::Resetting:
            finish(Ending::Reset);
            break;
        case Phase::Dialing:
            m_dialer.reset();
            onDialFailed(QStringLiteral("connecting to %1 timed out after %2 ms")
                             .arg(m_targetName)
                             .arg(m_context.settings.dialTimeout.count()));
            break;
        case Phase::Open:
        case Phase::Done:
            break;
        }
    });
}

WorkerSession::~WorkerSession() = default;

void WorkerSession::start(const QByteArray& initialBytes)
{
    connect(m_client, &ByteStream::readyRead, this, &WorkerSession::onClientReadable);
    connect(m_client, &ByteStream::readFinished, this, [this] {
        m_clientReadDone = true;
        // The worker protocol has no half-close: the client's end of TLS ends the session.
        closeFromClient();
        checkClosed();
    });
    connect(m_client, &ByteStream::failed, this, [this](const QString& reason) {
        qCDebug(lcServer, "connection %llu: client connection failed: %s", m_id,
                qPrintable(reason));
        finish(Ending::Clean);
    });
    connect(m_client, &ByteStream::bytesWritten, this, &WorkerSession::onClientBytesWritten);
    connect(m_client, &ByteStream::writeFinished, this, [this] {
        m_clientWriteDone = true;
        checkClosed();
    });
    m_deadline.start(m_context.settings.connectFrameTimeout);
    m_decoder.append(initialBytes);
    processFrames();
    onClientReadable();
}

void WorkerSession::onClientReadable()
{
    while (m_phase != Phase::Done) {
        if (clientReadBlocked()) {
            if (!m_clientPaused) {
                m_clientPaused = true;
                m_client->setReadPaused(true);
            }
            return;
        }
        // Read until empty: TLS may hold decrypted bytes that no socket event would announce.
        const qint64 n = m_client->read(t_scratch, kReadChunk);
        if (n <= 0)
            return;
        m_decoder.append(QByteArrayView(t_scratch, n));
        processFrames();
    }
}

bool WorkerSession::clientReadBlocked() const
{
    switch (m_phase) {
    case Phase::AwaitingConnect:
    case Phase::Dialing:
        return m_earlyData.size() >= kMaxEarlyBytes;
    case Phase::Open:
        return m_target->pendingWriteBytes() >= kHighWater;
    case Phase::Closing:
        return false; // drained and dropped, so the client's close reaches us
    case Phase::Resetting:
    case Phase::Done:
        return true;
    }
    return true;
}

void WorkerSession::resumeClient()
{
    if (!m_clientPaused || clientReadBlocked())
        return;
    m_clientPaused = false;
    m_client->setReadPaused(false);
}

void WorkerSession::processFrames()
{
    handleFrames();
    flushPongs();
}

void WorkerSession::handleFrames()
{
    while (m_phase != Phase::Done && m_phase != Phase::Resetting) {
        auto event = m_decoder.next();
        if (!event)
            return;
        switch (event->type) {
        case Event::Type::Text:
            onText(event->payload);
            break;
        case Event::Type::BinaryData:
            if (m_phase == Phase::Open)
                writeToTarget(event->payload);
            else if (m_phase != Phase::Closing)
                m_earlyData += event->payload;
            break;
        case Event::Type::Ping:
            // RFC 6455 section 5.5.3: a Pong echoes the Ping's application data.
            qCDebug(lcServer, "connection %llu: ping", m_id);
            // The pongs of one read go out together, in one TLS record rather than one each.
            if (!m_closeSent)
                appendFrame(m_pongs, WebSocketOpcode::Pong, event->payload, true, std::nullopt);
            break;
        case Event::Type::Pong:
            break;
        case Event::Type::Close:
            closeFromClient();
            break;
        case Event::Type::Error:
            // Section 7.1.7: fail the WebSocket connection with the code the decoder chose.
            qCDebug(lcServer, "connection %llu: bad WebSocket data: %s", m_id,
                    event->reason.constData());
            abortTarget();
            closeWith(event->closeCode, event->reason);
            break;
        }
    }
}

void WorkerSession::onText(const QByteArray& text)
{
    if (text.startsWith(kConnectPrefix)) {
        if (m_phase != Phase::AwaitingConnect) {
            // One WebSocket carries one connection; the worker never multiplexes.
            sendText(kErrorPrefix + "unexpected CONNECT");
            abortTarget();
            closeWith(WebSocketCloseCode::ProtocolError);
            return;
        }
        onConnect(QByteArrayView(text).sliced(kConnectPrefix.size()));
    } else if (text.startsWith(kDataPrefix)) {
        // The reference worker writes the text after "DATA:" to the target as UTF-8.
        const QByteArrayView data = QByteArrayView(text).sliced(kDataPrefix.size());
        if (m_phase == Phase::Open)
            writeToTarget(data);
        else if (m_phase != Phase::Closing)
            m_earlyData += data;
    } else if (text == kClose) {
        closeFromClient();
    } else {
        qCDebug(lcServer, "connection %llu: ignoring an unknown text message", m_id);
    }
}

void WorkerSession::onConnect(QByteArrayView request)
{
    m_deadline.stop();
    // `<target>|<first-bytes>`: the target never contains '|', the first bytes may.
    const qsizetype separator = request.indexOf('|');
    const QByteArrayView authority = separator < 0 ? request : request.first(separator);
    const auto target = TargetAddress::fromAuthority(QString::fromUtf8(authority));
    if (!target) {
        failConnect(QStringLiteral("invalid target"));
        return;
    }
    m_targetName = target->toString();
    m_targetPort = target->port;
    if (separator >= 0)
        m_earlyData.prepend(request.sliced(separator + 1));
    m_phase = Phase::Dialing;
    // One deadline for resolving and dialing every address.
    m_deadline.start(m_context.settings.dialTimeout);
    if (target->kind == TargetAddress::Kind::IPv6) {
        onResolved({QHostAddress(target->host)});
        return;
    }
    // Read numeric hosts as the system resolver does, from the text the client sent: "0177.0.0.1"
    // is 127.0.0.1 to getaddrinfo, whatever another parser makes of it, and "167772161" or
    // "0x7f.1" need no DNS to be judged.
    const QByteArrayView host = authority.first(authority.lastIndexOf(':'));
    if (const auto numeric = numericIPv4Host(QString::fromLatin1(host))) {
        onResolved({*numeric});
        return;
    }
    m_context.resolver->resolve(target->host, this, [this](HostResolver::Result result) {
        if (m_phase != Phase::Dialing)
            return;
        if (auto* answer = std::get_if<HostResolver::Answer>(&result))
            onResolved(answer->addresses);
        else
            onDialFailed(std::get<QString>(result));
    });
}

// Every address the name has is judged before any is dialed: a name that mixes a public address
// with an internal one is refused as a whole, and the connection goes to an address literal that
// was judged, never to a name that could resolve differently a moment later.
void WorkerSession::onResolved(const QList<QHostAddress>& addresses)
{
    for (const QHostAddress& address : addresses) {
        if (const auto refusal = m_context.targetPolicy.refusal(address)) {
            qCDebug(lcServer, "connection %llu: refusing %s: %s is %s", m_id,
                    qPrintable(m_targetName), qPrintable(address.toString()), qPrintable(*refusal));
            ++m_context.counters.targetsRefused;
            failConnect(kNotAllowed);
            return;
        }
    }
    m_addresses = addresses;
    m_nextAddress = 0;
    m_lastDialError = QStringLiteral("%1 has no address").arg(m_targetName);
    dialNext();
}

void WorkerSession::dialNext()
{
    while (m_nextAddress < m_addresses.size()) {
        const auto literal =
            TargetAddress::fromHostPort(m_addresses.at(m_nextAddress++).toString(), m_targetPort);
        if (!literal)
            continue; // an address with a scope: not one a target can be reached at
        const auto left =
            std::max(m_deadline.remainingTimeAsDuration(), std::chrono::milliseconds(1));
        // The dialer may be replaced from its own callback: TcpDialer allows that.
        m_dialer = std::make_unique<TcpDialer>(*literal, left, [this](TcpDialer::Result result) {
            if (auto* socket = std::get_if<std::unique_ptr<SocketStream>>(&result)) {
                onDialed(std::move(*socket));
                return;
            }
            m_lastDialError = std::get<ConnectError>(result).message;
            dialNext();
        });
        m_dialer->start();
        return;
    }
    onDialFailed(m_lastDialError);
}

void WorkerSession::onDialed(std::unique_ptr<SocketStream> target)
{
    if (m_phase != Phase::Dialing)
        return;
    m_deadline.stop();
    m_target = std::move(target);
    m_targetWriteDone = false;
    connect(m_target.get(), &ByteStream::readyRead, this, &WorkerSession::onTargetReadable);
    connect(m_target.get(), &ByteStream::readFinished, this, &WorkerSession::onTargetEnded);
    connect(m_target.get(), &ByteStream::failed, this, &WorkerSession::onTargetFailed);
    connect(m_target.get(), &ByteStream::bytesWritten, this, &WorkerSession::onTargetBytesWritten);
    connect(m_target.get(), &ByteStream::writeFinished, this, [this] {
        m_targetWriteDone = true;
        checkClosed();
    });
    m_phase = Phase::Open;
    ++m_context.counters.targetsConnected;
    qCDebug(lcServer, "connection %llu: connected to %s", m_id, qPrintable(m_targetName));
    // Protocol order: the first bytes reach the target before CONNECTED reaches the client.
    writeToTarget(std::exchange(m_earlyData, {}));
    if (sendText(kConnected))
        resumeClient();
}

void WorkerSession::onDialFailed(const QString& message)
{
    if (m_phase != Phase::Dialing)
        return;
    qCDebug(lcServer, "connection %llu: %s", m_id, qPrintable(message));
    failConnect(message);
}

void WorkerSession::failConnect(const QString& message)
{
    ++m_context.counters.targetsFailed;
    m_earlyData.clear();
    sendText(kErrorPrefix + message.toUtf8());
    closeWith(WebSocketCloseCode::Normal);
}

void WorkerSession::writeToTarget(QByteArrayView data)
{
    if (data.isEmpty())
        return;
    m_target->write(data);
    m_context.counters.bytesToTarget += quint64(data.size());
}

void WorkerSession::onTargetReadable()
{
    for (int round = 0; round < kTargetReadsPerEvent && m_phase == Phase::Open; ++round) {
        if (m_client->pendingWriteBytes() >= kHighWater) {
            m_targetPaused = true;
            m_target->setReadPaused(true);
            return;
        }
        qint64 limit = kReadChunk;
        if (const auto& failAfter = m_context.settings.failAfterBytes) {
            if (m_bytesToClient >= *failAfter) {
                startReset();
                return;
            }
            limit = std::min(limit, *failAfter - m_bytesToClient);
        }
        const qint64 n = m_target->read(t_scratch, limit);
        if (n <= 0)
            return;
        // One unmasked binary frame per read (RFC 6455 section 5.1: servers never mask).
        t_frame.resize(0);
        appendFrame(t_frame, WebSocketOpcode::Binary, QByteArrayView(t_scratch, n), true,
                    std::nullopt);
        m_client->write(t_frame);
        noteQueuedToClient();
        m_bytesToClient += n;
        m_context.counters.bytesToClient += quint64(n);
    }
    if (m_phase == Phase::Open && m_context.settings.failAfterBytes &&
        m_bytesToClient >= *m_context.settings.failAfterBytes)
        startReset();
}

void WorkerSession::onTargetEnded()
{
    if (m_phase != Phase::Open)
        return;
    qCDebug(lcServer, "connection %llu: %s closed", m_id, qPrintable(m_targetName));
    // Hand back whatever we still owe the target, then end its direction as it ended its own.
    m_target->finishWrite();
    sendText(kClose);
    closeWith(WebSocketCloseCode::Normal);
}

void WorkerSession::onTargetFailed(const QString& reason)
{
    abortTarget();
    if (m_phase != Phase::Open) {
        checkClosed();
        return;
    }
    qCDebug(lcServer, "connection %llu: %s failed: %s", m_id, qPrintable(m_targetName),
            qPrintable(reason));
    sendText(kErrorPrefix + reason.toUtf8());
    closeWith(WebSocketCloseCode::Normal);
}

void WorkerSession::onClientBytesWritten()
{
    const qint64 pending = m_client->pendingWriteBytes();
    if (m_phase == Phase::Resetting && pending == 0) {
        finish(Ending::Reset);
        return;
    }
    if (m_phase == Phase::Open && m_targetPaused && pending <= kLowWater) {
        m_targetPaused = false;
        // The socket notifier is level-triggered: waiting bytes announce themselves.
        m_target->setReadPaused(false);
    }
}

void WorkerSession::onTargetBytesWritten()
{
    if (m_target->pendingWriteBytes() <= kLowWater)
        resumeClient();
}

// The failAfterBytes test hook: the bytes counted so far go out, then the connection is reset
// without CLOSE, Close frame or close_notify.
void WorkerSession::startReset()
{
    m_phase = Phase::Resetting;
    m_target->setReadPaused(true);
    m_client->setReadPaused(true);
    qCInfo(lcServer, "connection %llu: dropping the connection after %lld bytes (test hook)", m_id,
           qlonglong(m_bytesToClient));
    if (m_client->pendingWriteBytes() == 0) {
        finish(Ending::Reset);
        return;
    }
    m_deadline.start(m_context.settings.lingerTimeout);
}

// For frames that cannot wait for the client to read (everything but data, which waits at
// kHighWater): over kMaxQueuedToClient the client is not reading, and the session ends at once,
// dropping what is queued; a graceful close could not reach such a client anyway. Returns
// whether the session goes on.
bool WorkerSession::writeFrameToClient(QByteArrayView frame)
{
    const qint64 queued = m_client->pendingWriteBytes();
    if (queued + frame.size() > kMaxQueuedToClient) {
        ++m_context.counters.clientsNotReading;
        qCInfo(lcServer, "connection %llu: the client leaves %lld bytes unread; closing", m_id,
               qlonglong(queued));
        finish(Ending::Clean);
        return false;
    }
    m_client->write(frame);
    noteQueuedToClient();
    return m_phase != Phase::Done;
}

void WorkerSession::noteQueuedToClient()
{
    qint64& peak = m_context.counters.peakQueuedToClient;
    peak = std::max(peak, m_client->pendingWriteBytes());
}

bool WorkerSession::flushPongs()
{
    if (m_pongs.isEmpty() || m_phase == Phase::Done)
        return m_phase != Phase::Done;
    // Taken first, so the buffer is free (and an idle session holds none) whatever happens next.
    const QByteArray pongs = std::exchange(m_pongs, {});
    return writeFrameToClient(pongs);
}

// Pongs already decoded go first: frames leave in the order their causes arrived.
bool WorkerSession::sendText(QByteArrayView text)
{
    if (!flushPongs())
        return false;
    if (m_closeSent)
        return true;
    t_frame.resize(0);
    appendFrame(t_frame, WebSocketOpcode::Text, text, true, std::nullopt);
    return writeFrameToClient(t_frame);
}

bool WorkerSession::sendClose(quint16 code, QByteArrayView reason)
{
    if (!flushPongs())
        return false;
    if (m_closeSent)
        return true;
    m_closeSent = true;
    t_frame.resize(0);
    appendCloseFrame(t_frame, code, reason, std::nullopt);
    return writeFrameToClient(t_frame);
}

// Sends our Close frame and ends our direction of TLS (RFC 6455 section 7.1.1: after the
// closing handshake the server closes first); the session ends when the client has closed
// too, the target has taken its last bytes, or the linger deadline passes.
void WorkerSession::closeWith(quint16 code, QByteArrayView reason)
{
    if (m_phase == Phase::Closing || m_phase == Phase::Done || m_phase == Phase::Resetting)
        return;
    m_phase = Phase::Closing;
    if (m_target)
        m_target->setReadPaused(true);
    if (!sendClose(code, reason))
        return;
    m_client->finishWrite();
    resumeClient();
    m_deadline.start(m_context.settings.lingerTimeout);
    checkClosed();
}

// CLOSE, a Close frame, or the end of the client's TLS stream: the target gets what the client
// already sent, then both sides are closed.
void WorkerSession::closeFromClient()
{
    switch (m_phase) {
    case Phase::AwaitingConnect:
    case Phase::Dialing:
        m_dialer.reset();
        closeWith(WebSocketCloseCode::Normal);
        break;
    case Phase::Open:
        m_target->finishWrite();
        closeWith(WebSocketCloseCode::Normal);
        break;
    case Phase::Closing:
    case Phase::Resetting:
    case Phase::Done:
        break;
    }
}

void WorkerSession::abortTarget()
{
    if (m_target)
        m_target->abort();
    m_targetWriteDone = true;
}

void WorkerSession::checkClosed()
{
    if (m_phase == Phase::Closing && m_clientWriteDone && m_clientReadDone && m_targetWriteDone)
        finish(Ending::Clean);
}

void WorkerSession::finish(Ending ending)
{
    if (m_phase == Phase::Done)
        return;
    m_phase = Phase::Done;
    m_deadline.stop();
    if (m_target)
        m_target->abort();
    m_client->disconnect(this);
    Q_EMIT finished(ending);
}

} // namespace echw::server
