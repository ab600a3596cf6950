#pragma once

#include <QHostAddress>

#include <compare>
#include <optional>
#include <string_view>

namespace echw {

// An IPv6 address as a 128-bit number, most significant half first, so that the defaulted
// comparison orders addresses numerically (what sorted range tables and prefixes need).
struct Ipv6Number {
    quint64 high = 0;
    quint64 low = 0;

    friend auto operator<=>(const Ipv6Number&, const Ipv6Number&) = default;
};

inline Ipv6Number ipv6NumberOf(const Q_IPV6ADDR& address)
{
    Ipv6Number number;
    for (int i = 0; i < 8; ++i) {
        number.high = (number.high << 8) | address[i];
        number.low = (number.low << 8) | address[i + 8];
    }
    return number;
}

inline Q_IPV6ADDR ipv6BytesOf(const Ipv6Number& number)
{
    Q_IPV6ADDR bytes;
    for (int i = 0; i < 8; ++i) {
        bytes[i] = quint8(number.high >> (56 - 8 * i));
        bytes[i + 8] = quint8(number.low >> (56 - 8 * i));
    }
    return bytes;
}

// The IPv4 address carried by an IPv4-mapped IPv6 address, ::ffff:a.b.c.d (RFC 4291 section
// 2.5.5.2): a dual-stack socket reports IPv4 peers this way, and they must be judged as the
// IPv4 addresses they are.
inline std::optional<quint32> mappedIpv4Of(const Q_IPV6ADDR& address)
{
    for (int i = 0; i < 10; ++i) {
        if (address[i] != 0)
            return std::nullopt;
    }
    if (address[10] != 0xff || address[11] != 0xff)
        return std::nullopt;
    return (quint32(address[12]) << 24) | (quint32(address[13]) << 16) |
           (quint32(address[14]) << 8) | quint32(address[15]);
}

// Dotted quad only (four decimal parts 0..255, no leading zeros), e.g. "192.0.2.1".
std::optional<quint32> parseIpv4(std::string_view text);
// Any RFC 4291 text form without a zone ("2001:db8::1", "::ffff:192.0.2.1").
std::optional<Ipv6Number> parseIpv6(std::string_view text);

} // namespace echw
