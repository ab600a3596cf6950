#pragma once

#include "http/HttpResponseTracker.h"
#include "inbound/HttpProxyParser.h"
#include "inbound/InboundSession.h"
#include "outbound/Connector.h"

namespace echw {

class StreamPump;
class StreamRelay;

// One HTTP proxy client. CONNECT becomes a raw relay after "200 Connection Established".
// Absolute-form requests are rewritten one by one (keep-alive) and sent over an upstream
// connection to their target. Responses flow back unchanged while http::ResponseTracker
// follows their framing; a pipelined request for another target is held (the client is not
// read) until every response of the current upstream has reached the client, then the
// upstream is replaced, so responses come back in request order, each from its own target.
class HttpProxySession final : public InboundSession {
    Q_OBJECT
public:
    HttpProxySession(std::unique_ptr<ByteStream> client, const InboundContext& context,
                     QObject* parent = nullptr);
    ~HttpProxySession() override;

    void start(const QByteArray& firstBytes) override;

    static int statusFor(const ConnectError& error);

private:
    void onClientReadable();
    void onClientEnded();
    void handleParserEvents();
    bool handleEvent(HttpProxyParser::Event event);
    void resumeHeldRequest();
    void onResponseBytes(QByteArrayView bytes);
    bool keepClientOpenAtUpstreamEnd();
    void sendUpstream(const QByteArray& bytes);
    void openUpstream(const TargetAddress& target);
    void onUpstreamConnected(Connector::Result result);
    void onTunnelConnected(Connector::Result result);
    void dropUpstream();
    bool upstreamCongested() const;
    void updateClientReading();
    void maybeFinish();
    void onDeadline(const char* what) override;
    void closeNow() override;

    // Requests sent on one upstream before their responses: more wait with the client unread.
    static constexpr qsizetype kMaxRequestsInFlight = 32;

    HttpProxyParser m_parser;
    http::ResponseTracker m_responses;
    // A parsed request waiting for the current upstream's responses (one at most).
    std::optional<HttpProxyParser::Event> m_held;
    TargetAddress m_target;
    std::unique_ptr<QObject> m_pendingConnect;
    std::unique_ptr<ByteStream> m_upstream;
    std::unique_ptr<StreamPump> m_downPump;
    std::unique_ptr<StreamRelay> m_relay;
    // Request bytes for an upstream that is still connecting.
    QByteArray m_outbox;
    // A request for a new target was parsed; the connection opens once this read is handled.
    bool m_openPending = false;
    // The current upstream ended its direction while a request was held for after it.
    bool m_upstreamEnded = false;
    bool m_clientEnded = false;
    bool m_clientWriteEnded = false;
};

} // namespace echw
