#include "SocketAddresses.h"

#include <sys/socket.h>

namespace echw {

namespace {

enum class End { Local, Peer };

std::optional<QHostAddress> addressOf(int descriptor, End end)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    auto* raw = reinterpret_cast<sockaddr*>(&storage);
    const int result = end == End::Local ? ::getsockname(descriptor, raw, &length)
                                         : ::getpeername(descriptor, raw, &length);
    if (result != 0)
        return std::nullopt;
    QHostAddress address(raw);
    if (address.isNull())
        return std::nullopt;
    bool isIpv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isIpv4);
    if (isIpv4 && address.protocol() == QAbstractSocket::IPv6Protocol)
        address = QHostAddress(ipv4);
    return address;
}

} // namespace

std::optional<QHostAddress> localAddressOf(int descriptor)
{
    return addressOf(descriptor, End::Local);
}

std::optional<QHostAddress> peerAddressOf(int descriptor)
{
    return addressOf(descriptor, End::Peer);
}

QString hostPortString(const QHostAddress& address, quint16 port)
{
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        return QStringLiteral("[%1]:%2").arg(address.toString()).arg(port);
    return QStringLiteral("%1:%2").arg(address.toString()).arg(port);
}

} // namespace echw
