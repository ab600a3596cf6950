#pragma once

#include "inbound/InboundSession.h"
#include "inbound/Socks5Parser.h"
#include "outbound/Connector.h"

namespace echw {

class StreamRelay;

// One SOCKS5 client: handshake, CONNECT through the connector, reply, then relay.
class Socks5Session final : public InboundSession {
    Q_OBJECT
public:
    Socks5Session(std::unique_ptr<ByteStream> client, const InboundContext& context,
                  QObject* parent = nullptr);
    ~Socks5Session() override;

    void start(const QByteArray& firstBytes) override;

    static Socks5Reply replyFor(const ConnectError& error);

private:
    void onClientReadable();
    void handleParserEvents();
    void onConnected(Connector::Result result);

    Socks5Parser m_parser;
    TargetAddress m_target;
    std::unique_ptr<QObject> m_pendingConnect;
    std::unique_ptr<StreamRelay> m_relay;
};

} // namespace echw
