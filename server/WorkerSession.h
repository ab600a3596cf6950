#pragma once

#include "WorkerContext.h"
#include "ws/WebSocketFrame.h"

#include <QByteArray>
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
// Two things differ from the reference worker: binary frames that arrive before `CONNECTED`
// are kept (up to kMaxEarlyBytes; reading the client pauses beyond that) and written after the
// first bytes instead of being dropped, and both directions apply backpressure, so a slow
// reader on either side holds the other back instead of filling memory.
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
    void sendText(QByteArrayView text);
    void sendClose(quint16 code, QByteArrayView reason = {});
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
    QTimer m_deadline; // CONNECT frame, then the linger of Closing
    std::unique_ptr<TcpDialer> m_dialer;
    std::unique_ptr<SocketStream> m_target;
    QString m_targetName;   // for the log
    QByteArray m_earlyData; // client payload received before CONNECTED
    qint64 m_bytesToClient = 0;
    bool m_clientPaused = false;
    bool m_targetPaused = false;
    bool m_closeSent = false;
    bool m_clientWriteDone = false;
    bool m_clientReadDone = false;
    bool m_targetWriteDone = true; // no target yet, nothing to flush
};

} // namespace echw::server
