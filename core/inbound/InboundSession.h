#pragma once

#include "inbound/InboundContext.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace echw {

class ByteStream;
class ConnectionEntry;
struct TargetAddress;

// What the SOCKS5 and HTTP proxy sessions share: the client stream, the deadline of the
// current waiting state, and an orderly close after a final reply.
class InboundSession : public QObject {
    Q_OBJECT
public:
    InboundSession(std::unique_ptr<ByteStream> client, const InboundContext& context,
                   QObject* parent);
    ~InboundSession() override;

    virtual void start(const QByteArray& firstBytes) = 0;
    // Ends the connection at once, both sides (the dashboard's close action).
    virtual void closeNow();

Q_SIGNALS:
    // The client's first request is complete (a SOCKS5 request, an HTTP request head): the
    // connection leaves the handshake budget (InboundServer). At most once.
    void established();
    // The session is over and both sockets are closed; the owner may delete it.
    void finished();

protected:
    // Arms the deadline of the state being entered; expiring calls onDeadline(what).
    void armDeadline(std::chrono::milliseconds timeout, const char* what);
    // A complete request: disarms the head deadline and, the first time, says established().
    void requestReceived();
    virtual void onDeadline(const char* what);

    // Sends `reply` (may be empty), ends our direction and closes once the client has had the
    // chance to read it.
    void replyAndClose(const QByteArray& reply);
    void finish();
    // Lists the connection in the engine's registry (when there is one) under `inbound`, or
    // moves the listing to a new target; returns the entry, null when not listed.
    ConnectionEntry* listConnection(const QString& inbound, const TargetAddress& target);

    std::unique_ptr<ByteStream> m_client;
    // Declared before the subclasses' relays and handles, so it outlives what counts into it.
    std::unique_ptr<ConnectionEntry> m_entry;
    const InboundContext& m_context;

private:
    QTimer m_deadline;
    const char* m_deadlineWhat = "";
    bool m_established = false;
    bool m_finished = false;
    bool m_closing = false;
};

} // namespace echw
