#pragma once

#include "WorkerContext.h"
#include "ws/WebSocketFrame.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTimer>

#include <memory>

namespace echw {
class ByteStream;
class SocketStream;
class TcpDialer;
struct TargetAddress;
} // namespace echw

namespace echw::server {

// The worker protocol on one WebSocket (protocol.md section 2), after the 101: the text frame
// `CONNECT:<target>|<first-bytes>`, a TCP connection to the target, `CONNECTED` or `ERROR:...`,
// then binary frames both ways until either side ends with `CLOSE`.
//
// Three things differ from the reference worker: binary frames that arrive before `CONNECTED`
// are kept (up to kMaxEarlyBytes; reading the client pauses beyond that) and written after the
// first bytes instead of being dropped; both directions apply backpressure, so a slow reader on
// either side holds the other back instead of filling memory; and the target is resolved and
// judged by the target policy before anything connects to it, so an internal port gives the
// same answer whether it is open or closed.
class WorkerSession final : public QObject {
    Q_OBJECT
public:
    enum class Ending {
        Clean, // closed as the protocol says, or the client went away
        Reset, // the failAfterBytes test hook fired: the connection is to be reset
    };

    static constexpr qint64 kHighWater = 256 * 1024;
    static constexpr qint64 kLowWater = 64 * 1024;
    static constexpr qsizetype kMaxEarlyBytes = 1024 * 1024;
    // Payload per binary frame to the client, so each frame is one read's worth.
    static constexpr qint64 kMaxFramePayload = 64 * 1024;
    // The most a session queues toward its client. Data from the target stops at kHighWater;
    // what cannot wait (pongs, CONNECTED/ERROR/CLOSE, the Close frame) may go beyond, up to
    // here. A client that lets this much pile up is not reading, and its session is closed:
    // otherwise a ping flood whose pongs are never read grows the server without bound.
    static constexpr qint64 kMaxQueuedToClient = 1024 * 1024;
    static_assert(kMaxQueuedToClient >= 2 * (kHighWater + kMaxFramePayload),
                  "room for control frames above a full data queue");

    // `client` carries the WebSocket (the TLS stream after the 101) and must outlive the session;
    // `context` the settings and counters; `id` names the connection in the log.
    WorkerSession(ByteStream* client, WorkerContext& context, quint64 id,
                  QObject* parent = nullptr);
    ~WorkerSession() override;

    // Starts with the bytes that followed the upgrade request (frames the client sent early).
    void start(const QByteArray& initialBytes);

Q_SIGNALS:
    // The session is over; the owner closes the client stream (resetting it for Reset).
    void finished(echw::server::WorkerSession::Ending ending);

private:
    enum class Phase {
        AwaitingConnect, // the 101 went out; waiting for CONNECT
        Dialing,         // CONNECT received; connecting to the target
        Open,            // CONNECTED sent; relaying
        Closing,         // our Close went out; waiting for the last bytes to leave
        Resetting,       // failAfterBytes reached; waiting for the bytes to leave, then reset
        Done,
    };

    void onClientReadable();
    void processFrames();
    void onText(const QByteArray& text);
    void onConnect(QByteArrayView request);
    void onResolved(const QList<QHostAddress>& addresses);
    void dialNext();
    void failConnect(const QString& message);
    void onDialed(std::unique_ptr<SocketStream> target);
    void onDialFailed(const QString& message);
    void writeToTarget(QByteArrayView data);
    void onTargetReadable();
    void onTargetEnded();
    void onTargetFailed(const QString& reason);
    void onClientBytesWritten();
    void onTargetBytesWritten();
    void resumeClient();
    void startReset();
    void handleFrames();
    bool writeFrameToClient(QByteArrayView frame);
    void noteQueuedToClient();
    bool flushPongs();
    bool sendText(QByteArrayView text);
    bool sendClose(quint16 code, QByteArrayView reason = {});
    void closeWith(quint16 code, QByteArrayView reason = {});
    void closeFromClient();
    void abortTarget();
    void checkClosed();
    void finish(Ending ending);
    bool clientReadBlocked() const;

    ByteStream* m_client;
    WorkerContext& m_context;
    quint64 m_id;
    Phase m_phase = Phase::AwaitingConnect;
    WebSocketFrameDecoder m_decoder{WebSocketRole::Server};
    QTimer m_deadline; // CONNECT frame, then resolving and dialing, then the linger of Closing
    QList<QHostAddress> m_addresses; // the target's, all allowed by the policy, to dial in turn
    qsizetype m_nextAddress = 0;
    quint16 m_targetPort = 0;
    QString m_lastDialError;
    std::unique_ptr<TcpDialer> m_dialer;
    std::unique_ptr<SocketStream> m_target;
    QString m_targetName;   // for the log
    QByteArray m_earlyData; // client payload received before CONNECTED
    QByteArray m_pongs;     // answers to the pings of one read, written together
    qint64 m_bytesToClient = 0;
    bool m_clientPaused = false;
    bool m_targetPaused = false;
    bool m_closeSent = false;
    bool m_clientWriteDone = false;
    bool m_clientReadDone = false;
    bool m_targetWriteDone = true; // no target yet, nothing to flush
};

} // namespace echw::server
