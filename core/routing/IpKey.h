#pragma once

#include "routing/IpNumbers.h"

#include <QHostAddress>

#include <array>
#include <cstddef>

namespace echw {

// An address as a small trivially copyable value, for hash tables: QHostAddress is a shared,
// heap-allocated object, too heavy to store and compare by the thousand.
struct IpKey {
    enum class Family : quint8 { None, Ipv4, Ipv6 };

    std::array<quint8, 16> bytes{}; // IPv4: the first four, network order; the rest zero
    Family family = Family::None;

    // IPv4-mapped IPv6 addresses become the IPv4 address they carry: the same destination
    // gets the same key whichever way a client wrote it. The IPv6 scope is not part of the key.
    static IpKey from(const QHostAddress& address)
    {
        IpKey key;
        if (address.protocol() == QHostAddress::IPv4Protocol)
            return fromIpv4(address.toIPv4Address());
        // By protocol, not QHostAddress::toIPv4Address(&ok): that also turns "::" into 0.0.0.0.
        if (address.protocol() != QHostAddress::IPv6Protocol)
            return key;
        const Q_IPV6ADDR ipv6 = address.toIPv6Address();
        if (const auto mapped = mappedIpv4Of(ipv6))
            return fromIpv4(*mapped);
        key.family = Family::Ipv6;
        for (int i = 0; i < 16; ++i)
            key.bytes[size_t(i)] = ipv6[i];
        return key;
    }

    static IpKey fromIpv4(quint32 address)
    {
        IpKey key;
        key.family = Family::Ipv4;
        for (int i = 0; i < 4; ++i)
            key.bytes[size_t(i)] = quint8(address >> (24 - 8 * i));
        return key;
    }

    friend bool operator==(const IpKey&, const IpKey&) = default;
};

// Seeded, so that which addresses collide in a table differs from run to run: clients choose
// the addresses, and must not be able to line them up into one long probe chain.
struct IpKeyHash {
    quint64 seed = 0;

    size_t operator()(const IpKey& key) const noexcept
    {
        quint64 high = 0;
        quint64 low = 0;
        for (size_t i = 0; i < 8; ++i) {
            high = (high << 8) | key.bytes[i];
            low = (low << 8) | key.bytes[i + 8];
        }
        quint64 h = seed ^ quint64(key.family);
        h = mix(h ^ high);
        h = mix(h ^ low);
        return size_t(h);
    }

private:
    // The 64-bit finaliser of MurmurHash3: every input bit affects every output bit.
    static quint64 mix(quint64 h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53ULL;
        h ^= h >> 33;
        return h;
    }
};

} // namespace echw
