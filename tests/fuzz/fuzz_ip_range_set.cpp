// An address list such as the China mainland lists bypass_cn loads, downloaded or from a file,
// read as IPv4 and as IPv6: a parsed set must be sorted, merged and answer lookups at every
// range's edges, and RouteLists must look IPv4-mapped IPv6 addresses up as IPv4.

#include "FuzzSupport.h"
#include "routing/RouteLists.h"

#include <QHostAddress>

namespace {

using echw::Ipv6Number;

quint32 before(quint32 address)
{
    return address - 1;
}

quint32 after(quint32 address)
{
    return address + 1;
}

Ipv6Number before(Ipv6Number address)
{
    if (address.low-- == 0)
        --address.high;
    return address;
}

Ipv6Number after(Ipv6Number address)
{
    if (++address.low == 0)
        ++address.high;
    return address;
}

QHostAddress hostAddressOf(quint32 address)
{
    return QHostAddress(address);
}

QHostAddress hostAddressOf(const Ipv6Number& address)
{
    return QHostAddress(echw::ipv6BytesOf(address));
}

template <typename Set> void checkSet(const Set& set, const echw::RouteLists& lists)
{
    using Address = decltype(set.ranges().front().first);
    const Address lowest{};
    const auto& ranges = set.ranges();
    for (size_t i = 0; i < ranges.size(); ++i) {
        const auto& range = ranges[i];
        ECHW_FUZZ_CHECK(!(range.last < range.first));
        // Sorted, and neither overlapping nor touching: touching ranges are one.
        if (i > 0)
            ECHW_FUZZ_CHECK(ranges[i - 1].last < before(range.first));
        ECHW_FUZZ_CHECK(set.contains(range.first) && set.contains(range.last));
        if (range.first != lowest)
            ECHW_FUZZ_CHECK(!set.contains(before(range.first)));
        if (after(range.last) != lowest)
            ECHW_FUZZ_CHECK(!set.contains(after(range.last)));
        // RouteLists answers from this set, except for IPv4-mapped IPv6 addresses, which it
        // looks up in the IPv4 list.
        for (const Address& edge : {range.first, range.last}) {
            const QHostAddress address = hostAddressOf(edge);
            const bool mapped = address.protocol() == QHostAddress::IPv6Protocol &&
                                echw::mappedIpv4Of(address.toIPv6Address());
            if (i < 8 && !mapped)
                ECHW_FUZZ_CHECK(lists.contains(address));
        }
    }
    // Merging what is already merged changes nothing.
    ECHW_FUZZ_CHECK(Set::fromRanges(ranges).ranges() == ranges);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView text = echw::fuzz::bytesOf(data, size);
    const QString source = QStringLiteral("chn_ip.txt");

    const auto ipv4 = echw::Ipv4RangeSet::parse(text, source);
    if (const auto* set = std::get_if<echw::Ipv4RangeSet>(&ipv4)) {
        const echw::RouteLists lists{*set, {}, {}};
        checkSet(*set, lists);
        // The same address as an IPv4-mapped IPv6 address is looked up in the IPv4 list.
        if (!set->isEmpty()) {
            const quint32 first = set->ranges().front().first;
            Q_IPV6ADDR mapped{};
            mapped[10] = mapped[11] = 0xff;
            for (int i = 0; i < 4; ++i)
                mapped[12 + i] = quint8(first >> (24 - 8 * i));
            ECHW_FUZZ_CHECK(lists.contains(QHostAddress(mapped)));
        }
    } else {
        const auto& error = std::get<echw::ListParseError>(ipv4);
        ECHW_FUZZ_CHECK(error.line >= 1 && error.message.startsWith(source));
    }

    const auto ipv6 = echw::Ipv6RangeSet::parse(text, source);
    if (const auto* set = std::get_if<echw::Ipv6RangeSet>(&ipv6))
        checkSet(*set, echw::RouteLists{{}, *set, {}});
    return 0;
}
