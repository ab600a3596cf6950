// A datagram from a SOCKS5 client to the UDP relay (RFC 1928 section 7), parsed and built again.

#include "FuzzSupport.h"
#include "inbound/Socks5UdpPacket.h"
#include "routing/IpNumbers.h"

#include <QHostAddress>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView input = echw::fuzz::bytesOf(data, size);
    const auto parsed = echw::parseSocks5UdpPacket(input);
    if (const auto* error = std::get_if<echw::Socks5UdpPacketError>(&parsed)) {
        ECHW_FUZZ_CHECK(echw::describe(*error) != nullptr);
        if (*error == echw::Socks5UdpPacketError::Fragmented)
            ECHW_FUZZ_CHECK(input.size() > 3 && input[2] != 0);
        return 0;
    }
    const auto& packet = std::get<echw::Socks5UdpPacket>(parsed);
    ECHW_FUZZ_CHECK(input.endsWith(packet.payload));

    // What the relay sends back in the same format must read as what it says. An IPv4-mapped
    // IPv6 source is written as IPv4, so it comes back as that IPv4 address.
    auto expected = packet.address;
    if (expected.kind == echw::TargetAddress::Kind::IPv6) {
        if (const auto ipv4 = echw::mappedIpv4Of(QHostAddress(expected.host).toIPv6Address()))
            expected =
                *echw::TargetAddress::fromHostPort(QHostAddress(*ipv4).toString(), expected.port);
    }
    const QByteArray built = echw::buildSocks5UdpPacket(packet.address, packet.payload);
    const auto reparsed = echw::parseSocks5UdpPacket(built);
    const auto* again = std::get_if<echw::Socks5UdpPacket>(&reparsed);
    ECHW_FUZZ_CHECK(again && again->address == expected && again->payload == packet.payload);
    return 0;
}
