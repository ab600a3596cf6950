#include "TunnelStream.h"

#include "system/OncePerProcess.h"

#include <QLoggingCategory>

namespace echw {

Q_LOGGING_CATEGORY(lcTunnel, "echw.tunnel")

namespace {

constexpr qint64 kReadChunk = 64 * 1024;
// Decoded payload held for a slow local reader before the worker is held back.
constexpr qsizetype kInboxHighWater = 256 * 1024;

thread_local char t_tunnelScratch[kReadChunk];

const QByteArray kConnected = QByteArrayLiteral("CONNECTED");
const QByteArray kErrorPrefix = QByteArrayLiteral("ERROR:");
const QByteArray kClose = QByteArrayLiteral("CLOSE");

} // namespace

TunnelStream::TunnelStream(std::unique_ptr<ByteStream> transport, Setup setup, QObject* parent)
    : ByteStream(parent)
    , m_transport(std::move(transport))
    , m_setup(std::move(setup))
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        if (m_phase == Phase::Upgrading && !m_connectAfterUpgrade) {
            failSetup(ConnectError::Kind::TimedOut,
                      QStringLiteral("the worker did not accept the WebSocket upgrade within %1 ms")
                          .arg(m_setup.timeout.count()));
            return;
        }
        failSetup(ConnectError::Kind::TimedOut,
                  QStringLiteral("the worker did not confirm %1 within %2 ms")
                      .arg(m_setup.target.toString())
                      .arg(m_setup.timeout.count()));
    });
    connect(&m_keepAlive, &QTimer::timeout, this, &TunnelStream::onKeepAlive);
    connect(m_transport.get(), &ByteStream::readyRead, this, &TunnelStream::onTransportReadable);
    connect(m_transport.get(), &ByteStream::readFinished, this, &TunnelStream::onTransportEnded);
    connect(m_transport.get(), &ByteStream::failed, this, &TunnelStream::onTransportFailed);
    connect(m_transport.get(), &ByteStream::bytesWritten, this, &ByteStream::bytesWritten);
    connect(m_transport.get(), &ByteStream::writeFinished, this, &ByteStream::writeFinished);
}

TunnelStream::~TunnelStream() = default;

void TunnelStream::start()
{
    m_connectAfterUpgrade = true;
    upgrade();
}

void TunnelStream::upgrade()
{
    auto request = buildWebSocketUpgradeRequest(m_setup.upgrade);
    if (auto* error = std::get_if<QString>(&request)) {
        failSetup(ConnectError::Kind::Failed, *error);
        return;
    }
    auto& upgrade = std::get<WebSocketUpgradeRequest>(request);
    m_upgrade.emplace(upgrade.key, m_setup.upgrade.subprotocol);
    m_deadline.start(m_setup.timeout);
    m_transport->write(upgrade.bytes);
    onTransportReadable(); // bytes may already wait
}

void TunnelStream::connectTo(const TargetAddress& target, QByteArray earlyData)
{
    Q_ASSERT(m_phase == Phase::Ready);
    m_setup.target = target;
    m_setup.earlyData = std::move(earlyData);
    m_keepAlive.stop();
    m_awaitingPong = false;
    sendConnect();
}

void TunnelStream::sendConnect()
{
    m_phase = Phase::Connecting;
    // After start() the one deadline covers the upgrade and CONNECTED.
    if (!m_deadline.isActive())
        m_deadline.start(m_setup.timeout);
    QByteArray connect = "CONNECT:" + m_setup.target.toString().toUtf8() + '|';
    if (WebSocketFrameDecoder::isValidUtf8(m_setup.earlyData))
        connect += m_setup.earlyData;
    else
        m_binaryEarlyData = m_setup.earlyData;
    m_setup.earlyData.clear();
    sendFrame(WebSocketOpcode::Text, connect);
}

void TunnelStream::onKeepAlive()
{
    if (m_phase == Phase::Ready) {
        // Nothing else flows on a ready session: an unanswered ping is the only sign that the
        // worker or the path is gone.
        if (m_awaitingPong) {
            failSetup(ConnectError::Kind::Failed,
                      QStringLiteral("the worker did not answer a ping within %1 ms")
                          .arg(m_setup.keepAliveInterval.count()));
            return;
        }
        m_awaitingPong = true;
        sendFrame(WebSocketOpcode::Ping, {});
        return;
    }
    if (m_phase == Phase::Open && !m_closing)
        sendFrame(WebSocketOpcode::Ping, {});
}

void TunnelStream::onTransportReadable()
{
    while (m_phase != Phase::Closed) {
        if (m_phase == Phase::Open && m_inbox.size() - m_inboxOffset >= kInboxHighWater) {
            updateTransportReading();
            break;
        }
        const qint64 n = m_transport->read(t_tunnelScratch, kReadChunk);
        if (n <= 0)
            break;
        const QByteArrayView chunk(t_tunnelScratch, n);
        if (m_phase == Phase::Upgrading) {
            const auto result = m_upgrade->append(chunk);
            if (result.status == WebSocketUpgradeResponseParser::Result::Status::NeedMore)
                continue;
            if (result.status == WebSocketUpgradeResponseParser::Result::Status::Rejected) {
                failSetup(ConnectError::Kind::Failed, result.reason);
                return;
            }
            if (result.tokenUnchecked)
                warnTokenUnchecked();
            m_upgrade.reset();
            m_phase = Phase::Ready;
            m_decoder.append(result.remaining);
            if (m_connectAfterUpgrade) {
                sendConnect();
            } else {
                m_deadline.stop();
                if (m_setup.keepAliveInterval.count() > 0)
                    m_keepAlive.start(m_setup.keepAliveInterval);
                Q_EMIT upgraded();
            }
        } else {
            m_decoder.append(chunk);
        }
        handleFrames();
    }
    if (m_transport->atEnd())
        onTransportEnded();
}

void TunnelStream::warnTokenUnchecked() const
{
    const WebSocketUpgradeParams& upgrade = m_setup.upgrade;
    const auto address = TargetAddress::fromHostPort(upgrade.host, upgrade.port);
    const QString server = (address ? address->toString() : upgrade.host) + upgrade.path;
    // Once per server, not per connection: it is a property of the worker's configuration.
    if (firstTimeInProcess(QStringLiteral("token unchecked: ") + server))
        qCWarning(lcTunnel,
                  "the worker %s accepted the connection without confirming the token: it "
                  "does not check tokens, so anyone who knows its address can use it",
                  qPrintable(server));
}

void TunnelStream::handleFrames()
{
    const qsizetype before = m_inbox.size() - m_inboxOffset;
    QString cutOff; // why the worker ended the connection abnormally, reported after the data
    while (m_phase != Phase::Closed && cutOff.isEmpty()) {
        auto event = m_decoder.next();
        if (!event)
            break;
        using Type = WebSocketFrameDecoder::Event::Type;
        switch (event->type) {
        case Type::Text:
            handleText(event->payload);
            break;
        case Type::BinaryData:
            if (m_phase != Phase::Open) {
                sendClose(WebSocketCloseCode::ProtocolError);
                failSetup(ConnectError::Kind::Failed,
                          QStringLiteral("the worker sent data before CONNECTED"));
                return;
            }
            if (!m_readEnded)
                m_inbox.append(event->payload);
            break;
        case Type::Ping:
            sendFrame(WebSocketOpcode::Pong, event->payload);
            break;
        case Type::Pong:
            m_awaitingPong = false;
            break;
        case Type::Close:
            sendClose(WebSocketCloseCode::Normal);
            if (m_phase != Phase::Open) {
                failSetup(ConnectError::Kind::Failed,
                          QStringLiteral("the worker closed the WebSocket before CONNECTED"));
                return;
            }
            // RFC 6455 section 7.4.1: any other code means the connection was cut (the worker
            // going away, an error inside it). A clean end would let the local client take a
            // truncated transfer for a complete one; after `CLOSE` the code no longer matters.
            if (m_readEnded || event->closeCode == WebSocketCloseCode::Normal ||
                event->closeCode == WebSocketCloseCode::NoStatusReceived) {
                endReading();
                break;
            }
            cutOff = QStringLiteral("the worker closed the WebSocket with code %1")
                         .arg(event->closeCode);
            if (!event->reason.isEmpty())
                cutOff += QStringLiteral(": ") + QString::fromUtf8(event->reason);
            break;
        case Type::Error:
            sendClose(event->closeCode);
            if (m_phase != Phase::Open) {
                failSetup(ConnectError::Kind::Failed,
                          QStringLiteral("bad WebSocket data from the worker: %1")
                              .arg(QString::fromUtf8(event->reason)));
                return;
            }
            m_phase = Phase::Closed;
            m_transport->abort();
            reportFailed(QStringLiteral("bad WebSocket data from the worker: %1")
                             .arg(QString::fromUtf8(event->reason)));
            return;
        }
    }
    if (m_phase == Phase::Open && m_inbox.size() - m_inboxOffset > before && !m_readPaused)
        Q_EMIT readyRead();
    if (!cutOff.isEmpty() && m_phase == Phase::Open) {
        m_phase = Phase::Closed;
        m_keepAlive.stop();
        m_transport->abort();
        reportFailed(cutOff);
    }
}

void TunnelStream::handleText(const QByteArray& text)
{
    if (m_phase == Phase::Connecting) {
        if (text == kConnected) {
            m_phase = Phase::Open;
            m_deadline.stop();
            if (m_setup.keepAliveInterval.count() > 0)
                m_keepAlive.start(m_setup.keepAliveInterval);
            if (!m_binaryEarlyData.isEmpty())
                sendFrame(WebSocketOpcode::Binary, std::exchange(m_binaryEarlyData, {}));
            Q_EMIT established();
        } else if (text.startsWith(kErrorPrefix)) {
            failSetup(ConnectError::Kind::Unreachable,
                      QStringLiteral("the worker could not connect to %1: %2")
                          .arg(m_setup.target.toString(),
                               QString::fromUtf8(text.mid(kErrorPrefix.size())).left(200)));
        } else {
            failSetup(ConnectError::Kind::Failed,
                      QStringLiteral("unexpected answer from the worker to CONNECT"));
        }
        return;
    }
    if (m_phase == Phase::Ready) {
        if (text == kClose || text.startsWith(kErrorPrefix))
            failSetup(ConnectError::Kind::Failed,
                      QStringLiteral("the worker ended the session before CONNECT"));
        return;
    }
    if (text == kClose || text.startsWith(kErrorPrefix)) {
        if (text != kClose)
            qCWarning(lcTunnel, "worker: %s", text.left(200).constData());
        endReading();
        return;
    }
    qCDebug(lcTunnel, "ignoring a text message from the worker");
}

void TunnelStream::onTransportEnded()
{
    if (m_phase == Phase::Open) {
        endReading();
        return;
    }
    if (m_phase != Phase::Closed)
        failSetup(ConnectError::Kind::Failed,
                  QStringLiteral("the worker closed the connection during set-up"));
}

void TunnelStream::onTransportFailed(const QString& reason)
{
    if (m_phase == Phase::Open) {
        m_phase = Phase::Closed;
        reportFailed(reason);
        return;
    }
    failSetup(ConnectError::Kind::Failed, reason);
}

qint64 TunnelStream::read(char* data, qint64 max)
{
    const qint64 available = m_inbox.size() - m_inboxOffset;
    const qint64 n = std::min(available, max);
    if (n > 0) {
        std::memcpy(data, m_inbox.constData() + m_inboxOffset, size_t(n));
        m_inboxOffset += n;
        if (m_inboxOffset == m_inbox.size()) {
            m_inbox.clear();
            m_inboxOffset = 0;
            updateTransportReading();
        }
    }
    return n;
}

void TunnelStream::write(QByteArrayView data)
{
    if (data.isEmpty() || m_phase != Phase::Open || m_closing)
        return;
    sendFrame(WebSocketOpcode::Binary, data);
}

qint64 TunnelStream::pendingWriteBytes() const
{
    return m_transport->pendingWriteBytes();
}

void TunnelStream::setReadPaused(bool paused)
{
    m_readPaused = paused;
    updateTransportReading();
    if (!paused && (m_inbox.size() > m_inboxOffset || m_readEnded))
        QMetaObject::invokeMethod(this, &ByteStream::readyRead, Qt::QueuedConnection);
}

bool TunnelStream::atEnd() const
{
    return m_readEnded && m_inbox.size() == m_inboxOffset;
}

void TunnelStream::finishWrite()
{
    if (m_closing || m_phase == Phase::Closed)
        return;
    m_closing = true;
    // The worker protocol has no half-close: CLOSE ends the whole connection at the worker.
    sendFrame(WebSocketOpcode::Text, kClose);
    m_transport->finishWrite();
}

void TunnelStream::abort()
{
    m_phase = Phase::Closed;
    m_deadline.stop();
    m_keepAlive.stop();
    m_transport->abort();
}

void TunnelStream::sendFrame(WebSocketOpcode opcode, QByteArrayView payload)
{
    m_frameScratch.resize(0); // unlike clear(), keeps the buffer: no allocation per frame
    appendFrame(m_frameScratch, opcode, payload, true, randomMaskKey());
    m_transport->write(m_frameScratch);
}

void TunnelStream::sendClose(quint16 code)
{
    // After finishWrite() our direction is closed at the transport: nothing more can go out.
    if (m_closeSent || m_closing)
        return;
    m_closeSent = true;
    m_frameScratch.resize(0);
    appendCloseFrame(m_frameScratch, code, {}, randomMaskKey());
    m_transport->write(m_frameScratch);
}

void TunnelStream::failSetup(ConnectError::Kind kind, const QString& message)
{
    if (m_phase == Phase::Closed)
        return;
    m_phase = Phase::Closed;
    m_deadline.stop();
    m_keepAlive.stop();
    m_transport->abort();
    Q_EMIT setupFailed(ConnectError{kind, message});
}

void TunnelStream::endReading()
{
    if (m_readEnded)
        return;
    m_readEnded = true;
    QMetaObject::invokeMethod(this, &ByteStream::readyRead, Qt::QueuedConnection);
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (atEnd())
                Q_EMIT readFinished();
        },
        Qt::QueuedConnection);
}

void TunnelStream::updateTransportReading()
{
    if (m_phase == Phase::Closed)
        return;
    m_transport->setReadPaused(m_readPaused || m_inbox.size() - m_inboxOffset >= kInboxHighWater);
}

} // namespace echw
