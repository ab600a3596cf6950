#pragma once

#include "inbound/InboundSession.h"
#include "inbound/Socks5Parser.h"
#include "outbound/Connector.h"

namespace echw {

class StreamRelay;
class UdpAssociation;

// One SOCKS5 client: handshake, then either CONNECT through the connector, reply and relay, or
// UDP ASSOCIATE: a UDP relay for DNS that lives as long as this control connection.
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
    void startUdpAssociation(quint16 clientPort);
    void onClientClosed();
    void closeNow() override;

    Socks5Parser m_parser;
    TargetAddress m_target;
    std::unique_ptr<QObject> m_pendingConnect;
    std::unique_ptr<StreamRelay> m_relay;
    std::unique_ptr<UdpAssociation> m_udp;
};

} // namespace echw
