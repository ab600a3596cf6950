#pragma once

#include "HttpRequestHead.h"
#include "WorkerContext.h"
#include "WorkerSession.h"

#include <QByteArray>
#include <QObject>
#include <QTimer>

#include <memory>

namespace echw {
class SocketStream;
class StreamRelay;
class TcpDialer;
class TlsStream;
} // namespace echw

namespace echw::server {

struct HttpResponse;

// One accepted TCP connection: the TLS handshake (with ECH), one HTTP request, and then either
// a WebSocket worker session or a single response (a DoH answer, the banner, an error) followed
// by a graceful close. One deadline covers handshake and request; a closing connection lingers
// a bounded time so its last bytes are not lost to a reset.
class WorkerConnection final : public QObject {
    Q_OBJECT
public:
    WorkerConnection(std::unique_ptr<SocketStream> socket, WorkerContext& context, quint64 id,
                     QObject* parent = nullptr);
    ~WorkerConnection() override;

    void start();

Q_SIGNALS:
    // Everything is closed; the owner may delete the connection (later, not from the slot).
    void finished();

private:
    enum class Phase {
        Handshake,   // TLS
        RequestHead, // reading the request head
        RequestBody, // reading a DoH POST body
        Responding,  // the response is written; lingering until the client has it
        Session,     // a WorkerSession runs
        Forwarding,  // the upgrade is passed on to WorkerSettings::forwardUpgradesTo
        Done,
    };

    void onHandshakeFinished();
    void onTlsFailed(const QString& reason);
    void onReadable();
    void onRequestHead(const HttpRequestHead& head, const QByteArray& remaining);
    void forwardUpgrade();
    void answerDns(QByteArrayView query);
    void respond(const HttpResponse& response);
    void onTimeout();
    void onSessionFinished(WorkerSession::Ending ending);
    void checkResponded();
    void finish();

    WorkerContext& m_context;
    quint64 m_id;
    QString m_peer;         // for the log
    SocketStream* m_socket; // owned by m_tls; kept to reset the connection
    std::unique_ptr<TlsStream> m_tls;
    Phase m_phase = Phase::Handshake;
    QTimer m_deadline;
    HttpRequestHeadParser m_parser;
    bool m_headRequest = false; // HEAD: the response has no body
    QByteArray m_body;          // a DoH POST body as it arrives
    qint64 m_bodyLength = 0;
    std::unique_ptr<WorkerSession> m_session;
    QByteArray m_forwardBytes; // forwarding: every byte read so far, the request head first
    std::unique_ptr<TcpDialer> m_forwardDialer;
    std::unique_ptr<StreamRelay> m_forwardRelay;
    bool m_writeDone = false;
    bool m_readDone = false;
};

} // namespace echw::server
