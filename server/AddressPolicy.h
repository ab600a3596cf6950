#pragma once

#include <QHostAddress>
#include <QString>

#include <optional>

namespace echw::server {

// Whether an address is one a public worker must not reach for its clients: loopback, private
// (RFC 1918, RFC 4193), shared (RFC 6598), link-local, unspecified, multicast, reserved, and
// the same inside IPv4-mapped and NAT64 (RFC 6052) IPv6 addresses. A worker on a VPS that let
// its clients in there would hand them the VPS's own services and the cloud metadata endpoint.
bool isInternalAddress(const QHostAddress& address);

// The address and port at the other end of a connected socket.
struct SocketPeer {
    QHostAddress address;
    quint16 port = 0;

    QString toString() const; // "1.2.3.4:5", "[::1]:5"
};
std::optional<SocketPeer> socketPeer(int descriptor);

} // namespace echw::server
