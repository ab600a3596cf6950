#pragma once

#include "net/TargetAddress.h"
#include "outbound/DnsOverTunnel.h"

#include <QHostAddress>
#include <QObject>
#include <QUdpSocket>

#include <map>
#include <memory>
#include <optional>

class QNetworkDatagram;

namespace echw {

// The UDP relay of one SOCKS5 UDP ASSOCIATE (RFC 1928 section 7), serving DNS only: each
// datagram to port 53 is answered through DNS over HTTPS, the answer going back with the
// SOCKS5 header naming the destination the client asked for. Everything else is dropped and
// counted. Owned by the SOCKS5 session of the control connection, so it ends with it.
class UdpAssociation final : public QObject {
    Q_OBJECT
public:
    struct Counters {
        quint64 queries = 0;          // datagrams to port 53 passed on to the DoH server
        quint64 answers = 0;          // answers sent back to the client
        quint64 failed = 0;           // DoH exchanges that failed or timed out
        quint64 droppedNotDns = 0;    // datagrams to a port other than 53
        quint64 droppedMalformed = 0; // unreadable header, FRAG != 0, not a DNS query
        quint64 droppedBusy = 0;      // too many queries in flight
        quint64 ignoredForeign = 0;   // sent from another address than the client's
    };

    // At most this many queries wait for DoH at once; more are dropped, as a full DNS server
    // would, so a flood costs a bounded number of tunnel connections.
    static constexpr int kMaxQueriesInFlight = 32;

    // `client` is the control connection's peer: datagrams from any other address are ignored.
    // `clientPort` is the port the client announced in its request, 0 when it did not know.
    UdpAssociation(DnsOverTunnel& dns, QHostAddress client, quint16 clientPort,
                   QObject* parent = nullptr);
    ~UdpAssociation() override;

    // Binds the relay on `local`, the address the client reached the proxy on, at a free port;
    // returns what went wrong instead.
    std::optional<QString> bind(const QHostAddress& local);
    QHostAddress address() const { return m_socket.localAddress(); }
    quint16 port() const { return m_socket.localPort(); }

    const Counters& counters() const { return m_counters; }

    // Closes the relay and cancels the queries in flight; logs the counters.
    void close();

private:
    void onReadable();
    void handleDatagram(const QNetworkDatagram& datagram);
    void onAnswer(quint64 id, const TargetAddress& destination, const QHostAddress& sender,
                  quint16 senderPort, DnsOverTunnel::Result result);
    QString relayText() const;

    DnsOverTunnel& m_dns;
    QHostAddress m_client;
    quint16 m_clientPort;
    QUdpSocket m_socket;
    std::map<quint64, std::unique_ptr<QObject>> m_inFlight;
    quint64 m_nextId = 0;
    Counters m_counters;
    bool m_closed = false;
};

} // namespace echw
