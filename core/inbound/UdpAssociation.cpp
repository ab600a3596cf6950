#include "UdpAssociation.h"

#include "inbound/Socks5UdpPacket.h"
#include "net/Handover.h"
#include "net/SocketAddresses.h"

#include <QLoggingCategory>
#include <QNetworkDatagram>

namespace echw {

Q_DECLARE_LOGGING_CATEGORY(lcInbound)

namespace {

constexpr quint16 kDnsPort = 53;
constexpr qsizetype kDnsHeaderSize = 12;       // RFC 1035 section 4.1.1
constexpr char kQueryResponseBit = char(0x80); // QR, in the third header byte

} // namespace

UdpAssociation::UdpAssociation(DnsOverTunnel& dns, QHostAddress client, quint16 clientPort,
                               QObject* parent)
    : QObject(parent)
    , m_dns(dns)
    , m_client(std::move(client))
    , m_clientPort(clientPort)
{
    connect(&m_socket, &QUdpSocket::readyRead, this, &UdpAssociation::onReadable);
}

UdpAssociation::~UdpAssociation() = default;

std::optional<QString> UdpAssociation::bind(const QHostAddress& local)
{
    if (!m_socket.bind(local, 0))
        return QStringLiteral("cannot open a UDP relay on %1: %2")
            .arg(local.toString(), m_socket.errorString());
    qCDebug(lcInbound, "UDP association on %s for %s", qPrintable(relayText()),
            qPrintable(hostPortString(m_client, m_clientPort)));
    return std::nullopt;
}

void UdpAssociation::close()
{
    if (m_closed)
        return;
    m_closed = true;
    const Counters& c = m_counters;
    qCDebug(lcInbound,
            "UDP association on %s ended: %llu queries, %llu answers, %llu failed; dropped "
            "%llu not to port 53, %llu malformed, %llu over the in-flight limit; ignored %llu "
            "from other addresses",
            qPrintable(relayText()), c.queries, c.answers, c.failed, c.droppedNotDns,
            c.droppedMalformed, c.droppedBusy, c.ignoredForeign);
    m_socket.close();
    m_inFlight.clear();
}

QString UdpAssociation::relayText() const
{
    return hostPortString(address(), port());
}

void UdpAssociation::onReadable()
{
    while (!m_closed && m_socket.hasPendingDatagrams())
        handleDatagram(m_socket.receiveDatagram());
}

void UdpAssociation::handleDatagram(const QNetworkDatagram& datagram)
{
    // Section 7: the relay only takes datagrams from the client that asked for it. Its address
    // is the control connection's; its port is checked when the request named one.
    const QHostAddress sender = datagram.senderAddress();
    const int senderPort = datagram.senderPort();
    if (!sender.isEqual(m_client, QHostAddress::TolerantConversion) ||
        (m_clientPort != 0 && senderPort != m_clientPort)) {
        ++m_counters.ignoredForeign;
        qCDebug(lcInbound, "UDP relay %s: ignored a datagram from %s", qPrintable(relayText()),
                qPrintable(hostPortString(sender, quint16(senderPort))));
        return;
    }
    auto parsed = parseSocks5UdpPacket(datagram.data());
    if (auto* error = std::get_if<Socks5UdpPacketError>(&parsed)) {
        ++m_counters.droppedMalformed;
        qCDebug(lcInbound, "UDP relay %s: dropped a datagram: %s", qPrintable(relayText()),
                describe(*error));
        return;
    }
    auto& packet = std::get<Socks5UdpPacket>(parsed);
    if (packet.address.port != kDnsPort) {
        ++m_counters.droppedNotDns;
        qCDebug(lcInbound, "UDP relay %s: dropped a datagram to %s: only DNS (port 53) is served",
                qPrintable(relayText()), qPrintable(packet.address.toString()));
        return;
    }
    if (packet.payload.size() < kDnsHeaderSize || (packet.payload[2] & kQueryResponseBit)) {
        ++m_counters.droppedMalformed;
        qCDebug(lcInbound, "UDP relay %s: dropped a datagram to %s: not a DNS query",
                qPrintable(relayText()), qPrintable(packet.address.toString()));
        return;
    }
    if (int(m_inFlight.size()) >= kMaxQueriesInFlight) {
        ++m_counters.droppedBusy;
        qCDebug(lcInbound, "UDP relay %s: dropped a DNS query: %d already in flight",
                qPrintable(relayText()), kMaxQueriesInFlight);
        return;
    }
    ++m_counters.queries;
    const quint64 id = m_nextId++;
    m_inFlight[id] = m_dns.query(std::move(packet.payload),
                                 [this, id, destination = packet.address, sender,
                                  port = quint16(senderPort)](DnsOverTunnel::Result result) {
                                     onAnswer(id, destination, sender, port, std::move(result));
                                 });
}

void UdpAssociation::onAnswer(quint64 id, const TargetAddress& destination,
                              const QHostAddress& sender, quint16 senderPort,
                              DnsOverTunnel::Result result)
{
    const auto entry = m_inFlight.find(id);
    dropLater(entry->second);
    m_inFlight.erase(entry);
    if (auto* error = std::get_if<QString>(&result)) {
        ++m_counters.failed;
        qCWarning(lcInbound, "UDP relay %s: DNS query to %s failed: %s", qPrintable(relayText()),
                  qPrintable(destination.toString()), qPrintable(*error));
        return;
    }
    // The answer comes "from" the server the client addressed, as section 7 has the relay
    // name the source of every datagram it passes back.
    const QByteArray reply = buildSocks5UdpPacket(destination, std::get<QByteArray>(result));
    if (m_socket.writeDatagram(reply, sender, senderPort) != reply.size()) {
        ++m_counters.failed;
        qCWarning(lcInbound, "UDP relay %s: cannot send a DNS answer of %lld bytes: %s",
                  qPrintable(relayText()), qlonglong(reply.size()),
                  qPrintable(m_socket.errorString()));
        return;
    }
    ++m_counters.answers;
}

} // namespace echw
