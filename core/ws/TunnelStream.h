#pragma once

#include "net/ByteStream.h"
#include "net/ConnectError.h"
#include "net/TargetAddress.h"
#include "ws/WebSocketFrame.h"
#include "ws/WebSocketHandshake.h"

#include <QByteArray>
#include <QTimer>

#include <chrono>
#include <memory>
#include <optional>

namespace echw {

// One proxied connection through the worker (protocol.md section 2): over an established TLS
// stream (any ByteStream: TunnelConnector hands it the verified TLS stream; tests hand it plain
// TCP to speak to another WebSocket implementation), the WebSocket upgrade with the token as
// subprotocol, then `CONNECT:<target>|<early>`, then binary frames both ways until either side
// sends `CLOSE`.
//
// start() does both steps at once. A warm pool splits them: upgrade() makes a ready session
// (it answers pings, and pings the worker itself so that neither side times it out), and
// connectTo() later sends the CONNECT.
//
// Two fixes over the reference client: early data goes into the CONNECT text frame only when
// it is valid UTF-8 (the worker decodes text frames as UTF-8 and would corrupt anything else),
// and no binary frame is sent before `CONNECTED` (the worker drops them).
class TunnelStream final : public ByteStream {
    Q_OBJECT
public:
    struct Setup {
        WebSocketUpgradeParams upgrade;
        TargetAddress target;
        QByteArray earlyData;
        std::chrono::milliseconds timeout{10'000}; // upgrade + CONNECTED
        // A ping this often keeps an idle tunnel from being closed by the worker's (or a
        // middlebox's) idle timeout; 0: none.
        std::chrono::milliseconds keepAliveInterval{30'000};
    };

    TunnelStream(std::unique_ptr<ByteStream> transport, Setup setup, QObject* parent = nullptr);
    ~TunnelStream() override;

    // Sends the upgrade; emits established() once the worker said CONNECTED, or
    // setupFailed() with the reason mapped for the local client.
    void start();
    // Sends the upgrade only; emits upgraded() once the worker accepted it, or setupFailed().
    // A ready session that dies (the worker closes it, a ping goes unanswered for a whole
    // keep-alive interval) also emits setupFailed().
    void upgrade();
    // On a ready session: sends CONNECT; then as start().
    void connectTo(const TargetAddress& target, QByteArray earlyData);
    // Upgraded, not yet asked to CONNECT, and not dead.
    bool isReady() const { return m_phase == Phase::Ready; }

    qint64 read(char* data, qint64 max) override;
    void write(QByteArrayView data) override;
    qint64 pendingWriteBytes() const override;
    void setReadPaused(bool paused) override;
    bool atEnd() const override;
    void finishWrite() override;
    void abort() override;

Q_SIGNALS:
    void upgraded();
    void established();
    void setupFailed(const echw::ConnectError& error);

private:
    enum class Phase { Upgrading, Ready, Connecting, Open, Closed };

    void onTransportReadable();
    void onTransportEnded();
    void onTransportFailed(const QString& reason);
    void handleFrames();
    void handleText(const QByteArray& text);
    void sendFrame(WebSocketOpcode opcode, QByteArrayView payload);
    void sendClose(quint16 code);
    void failSetup(ConnectError::Kind kind, const QString& message);
    void endReading();
    void updateTransportReading();
    void sendConnect();
    void onKeepAlive();
    void warnTokenUnchecked() const;

    std::unique_ptr<ByteStream> m_transport;
    Setup m_setup;
    Phase m_phase = Phase::Upgrading;
    std::optional<WebSocketUpgradeResponseParser> m_upgrade;
    WebSocketFrameDecoder m_decoder;
    QTimer m_deadline;
    QTimer m_keepAlive;
    QByteArray m_frameScratch;
    QByteArray m_inbox;
    qsizetype m_inboxOffset = 0;
    QByteArray m_binaryEarlyData;
    bool m_readPaused = false;
    bool m_readEnded = false;
    bool m_closeSent = false;
    bool m_closing = false;
    bool m_connectAfterUpgrade = false;
    bool m_awaitingPong = false;
};

} // namespace echw
