#include "AddressPolicy.h"

#include "net/SocketAddresses.h"

#include <algorithm>
#include <arpa/inet.h>
#include <iterator>
#include <netinet/in.h>
#include <sys/socket.h>

namespace echw::server {

namespace {

bool inRange(quint32 address, quint32 network, int prefixLength)
{
    const quint32 mask = prefixLength == 0 ? 0 : ~quint32(0) << (32 - prefixLength);
    return (address & mask) == network;
}

// The IANA special-purpose registry's entries that are not globally reachable (RFC 6890).
bool isInternalIPv4(quint32 a)
{
    return inRange(a, 0x00000000, 8)     // "this network"
           || inRange(a, 0x0A000000, 8)  // 10/8, RFC 1918
           || inRange(a, 0x64400000, 10) // 100.64/10, carrier-grade NAT (RFC 6598)
           || inRange(a, 0x7F000000, 8)  // loopback
           || inRange(a, 0xA9FE0000, 16) // link-local, cloud metadata (169.254.169.254)
           || inRange(a, 0xAC100000, 12) // 172.16/12, RFC 1918
           || inRange(a, 0xC0000000, 24) // IETF protocol assignments
           || inRange(a, 0xC0A80000, 16) // 192.168/16, RFC 1918
           || inRange(a, 0xC6120000, 15) // benchmarking (RFC 2544)
           || inRange(a, 0xE0000000, 4)  // multicast
           || inRange(a, 0xF0000000, 4); // reserved, broadcast
}

} // namespace

bool isInternalAddress(const QHostAddress& address)
{
    if (address.protocol() == QAbstractSocket::IPv4Protocol)
        return isInternalIPv4(address.toIPv4Address());
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return true;
    bool mapped = false;
    const quint32 v4 = address.toIPv4Address(&mapped);
    if (mapped)
        return isInternalIPv4(v4);
    const Q_IPV6ADDR bytes = address.toIPv6Address();
    // 64:ff9b::/96 reaches IPv4 through NAT64; judge the address inside.
    static constexpr quint8 kNat64Prefix[12] = {0x00, 0x64, 0xff, 0x9b};
    if (std::equal(std::begin(kNat64Prefix), std::end(kNat64Prefix), bytes.c))
        return isInternalIPv4(quint32(bytes[12]) << 24 | quint32(bytes[13]) << 16 |
                              quint32(bytes[14]) << 8 | quint32(bytes[15]));
    return address.isLoopback() || address == QHostAddress(QHostAddress::AnyIPv6) ||
           (bytes[0] & 0xFE) == 0xFC                          // fc00::/7, unique local
           || (bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0x80) // fe80::/10, link-local
           || (bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0xC0) // fec0::/10, old site-local
           || bytes[0] == 0xFF;                               // multicast
}

QString SocketPeer::toString() const
{
    return hostPortString(address, port);
}

std::optional<SocketPeer> socketPeer(int descriptor)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (::getpeername(descriptor, reinterpret_cast<sockaddr*>(&storage), &length) != 0)
        return std::nullopt;
    SocketPeer peer;
    peer.address = QHostAddress(reinterpret_cast<const sockaddr*>(&storage));
    peer.port = quint16(peer.address.protocol() == QAbstractSocket::IPv6Protocol
                            ? ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port)
                            : ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port));
    return peer;
}

} // namespace echw::server
