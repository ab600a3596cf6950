#pragma once

#include "inbound/HttpProxyParser.h"
#include "inbound/InboundSession.h"
#include "outbound/Connector.h"

namespace echw {

class StreamPump;
class StreamRelay;

// One HTTP proxy client. CONNECT becomes a raw relay after "200 Connection Established".
// Absolute-form requests are rewritten one by one (keep-alive) and sent over an upstream
// connection to their target; a request for another target replaces that connection.
// Responses flow back unparsed.
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

    HttpProxyParser m_parser;
    TargetAddress m_target;
    std::unique_ptr<QObject> m_pendingConnect;
    std::unique_ptr<ByteStream> m_upstream;
    std::unique_ptr<StreamPump> m_downPump;
    std::unique_ptr<StreamRelay> m_relay;
    // Request bytes for an upstream that is still connecting.
    QByteArray m_outbox;
    // A request for a new target was parsed; the connection opens once this read is handled.
    bool m_openPending = false;
    bool m_clientEnded = false;
    bool m_clientWriteEnded = false;
};

} // namespace echw
