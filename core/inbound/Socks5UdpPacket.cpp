#include "Socks5UdpPacket.h"

#include "inbound/Socks5Address.h"

namespace echw {

namespace {
constexpr qsizetype kFragOffset = 2;
constexpr qsizetype kAddressOffset = 3;
} // namespace

const char* describe(Socks5UdpPacketError error)
{
    switch (error) {
    case Socks5UdpPacketError::Truncated:
        return "the datagram is shorter than its SOCKS5 header";
    case Socks5UdpPacketError::Fragmented:
        return "the datagram is a fragment (FRAG != 0)";
    case Socks5UdpPacketError::UnknownAddressType:
        return "the datagram has an unknown address type";
    case Socks5UdpPacketError::InvalidAddress:
        return "the datagram names an invalid destination";
    }
    return "the datagram is malformed";
}

std::variant<Socks5UdpPacket, Socks5UdpPacketError> parseSocks5UdpPacket(QByteArrayView datagram)
{
    if (datagram.size() <= kAddressOffset)
        return Socks5UdpPacketError::Truncated;
    if (datagram[kFragOffset] != 0)
        return Socks5UdpPacketError::Fragmented;
    const Socks5AddressField field = readSocks5Address(datagram, kAddressOffset);
    switch (field.status) {
    case Socks5AddressField::Status::Truncated:
        return Socks5UdpPacketError::Truncated;
    case Socks5AddressField::Status::UnknownType:
        return Socks5UdpPacketError::UnknownAddressType;
    case Socks5AddressField::Status::Complete:
        break;
    }
    auto address = TargetAddress::fromHostPort(field.host, field.port);
    if (!address)
        return Socks5UdpPacketError::InvalidAddress;
    return Socks5UdpPacket{std::move(*address), datagram.sliced(field.end).toByteArray()};
}

QByteArray buildSocks5UdpPacket(const TargetAddress& address, QByteArrayView payload)
{
    QByteArray datagram(kAddressOffset, '\0'); // RSV, RSV, FRAG
    appendSocks5Address(datagram, address);
    datagram.append(payload);
    return datagram;
}

} // namespace echw
