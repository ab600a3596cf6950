#pragma once

#include <QHostAddress>

#include <optional>

namespace echw {

// The two ends of a connected socket descriptor (getsockname, getpeername); nullopt when the
// descriptor has none. An IPv4-mapped IPv6 address, which is how a dual-stack listener sees
// IPv4 clients, is returned as IPv4 so it compares equal to what IPv4 sockets report.
std::optional<QHostAddress> localAddressOf(int descriptor);
std::optional<QHostAddress> peerAddressOf(int descriptor);

// "1.2.3.4:80" or "[::1]:80", for logs and for what a program prints.
QString hostPortString(const QHostAddress& address, quint16 port);

} // namespace echw
