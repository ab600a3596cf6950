#pragma once

#include "routing/IpNumbers.h"

#include <QByteArrayView>
#include <QDate>
#include <QString>

#include <algorithm>
#include <optional>
#include <variant>
#include <vector>

namespace echw {

// Why a list was refused: the first bad line, e.g.
// `chn_ip.txt line 17: "1.2.3" is not an IPv4 address`.
struct ListParseError {
    int line = 0; // 1-based
    QString message;
};

// A set of addresses of one family, given as inclusive ranges, e.g. the China mainland
// allocations of `chn_ip.txt` (IPv4, Address = quint32) or `chn_ip_v6.txt` (IPv6,
// Address = Ipv6Number).
//
// The list format: one `START END` pair per line (inclusive, START <= END), separated by spaces
// or tabs; `#` starts a comment anywhere on a line; blank lines and CRLF line ends are fine; a
// UTF-8 byte order mark at the start is skipped. Lines may come in any order and may overlap or
// touch: the set keeps them sorted and merged, so a lookup is one binary search.
//
// Parsing is strict: any line that is not a pair of addresses of the list's family, or whose
// start is after its end, fails the whole list. A list is an input from the network, and a
// damaged one must never quietly replace a good one with fewer ranges.
template <typename Address> class IpRangeSet {
public:
    struct Range {
        Address first;
        Address last; // inclusive

        friend bool operator==(const Range&, const Range&) = default;
    };
    using ParseResult = std::variant<IpRangeSet, ListParseError>;

    // sourceName starts every error message (usually the file name).
    static ParseResult parse(QByteArrayView text, const QString& sourceName);
    // Each range must have first <= last; they are sorted and merged here.
    static IpRangeSet fromRanges(std::vector<Range> ranges);

    // The index in ranges() of the range holding address, or -1.
    qsizetype find(Address address) const
    {
        // The first range starting after address; the one before it is the only candidate.
        const auto after = std::upper_bound(
            m_ranges.begin(), m_ranges.end(), address,
            [](const Address& value, const Range& range) { return value < range.first; });
        if (after == m_ranges.begin() || std::prev(after)->last < address)
            return -1;
        return qsizetype(std::prev(after) - m_ranges.begin());
    }
    bool contains(Address address) const { return find(address) >= 0; }

    bool isEmpty() const { return m_ranges.empty(); }
    // Ranges after merging: touching or overlapping lines count once.
    qsizetype rangeCount() const { return qsizetype(m_ranges.size()); }
    const std::vector<Range>& ranges() const { return m_ranges; }
    // The date a `# date: YYYY-MM-DD` comment in the text gave (the first such comment).
    std::optional<QDate> declaredDate() const { return m_declaredDate; }

private:
    std::vector<Range> m_ranges; // sorted, disjoint, never touching
    std::optional<QDate> m_declaredDate;
};

using Ipv4RangeSet = IpRangeSet<quint32>;
using Ipv6RangeSet = IpRangeSet<Ipv6Number>;

extern template class IpRangeSet<quint32>;
extern template class IpRangeSet<Ipv6Number>;

} // namespace echw
