#include "IpRangeSet.h"

#include <cctype>
#include <limits>
#include <string_view>

namespace echw {

namespace {

constexpr quint32 kMaxIpv4 = std::numeric_limits<quint32>::max();
constexpr Ipv6Number kMaxIpv6{std::numeric_limits<quint64>::max(),
                              std::numeric_limits<quint64>::max()};

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trimmed(std::string_view text)
{
    while (!text.empty() && isSpace(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back()))
        text.remove_suffix(1);
    return text;
}

// What one family needs to know about its own and the other family's text form.
template <typename Address> struct Family;

template <> struct Family<quint32> {
    static std::optional<quint32> parse(std::string_view text) { return parseIpv4(text); }
    static bool isOtherFamily(std::string_view text) { return parseIpv6(text).has_value(); }
    static QString name() { return QStringLiteral("IPv4"); }
    static QString otherName() { return QStringLiteral("IPv6"); }
};

template <> struct Family<Ipv6Number> {
    static std::optional<Ipv6Number> parse(std::string_view text)
    {
        // inet_pton(AF_INET6) reads dotted quads only as the tail of an IPv6 form
        // ("::ffff:1.2.3.4"), so a bare IPv4 address is refused here as it should be.
        return parseIpv6(text);
    }
    static bool isOtherFamily(std::string_view text) { return parseIpv4(text).has_value(); }
    static QString name() { return QStringLiteral("IPv6"); }
    static QString otherName() { return QStringLiteral("IPv4"); }
};

bool isMax(quint32 address)
{
    return address == kMaxIpv4;
}

bool isMax(const Ipv6Number& address)
{
    return address == kMaxIpv6;
}

quint32 successor(quint32 address)
{
    return address + 1;
}

Ipv6Number successor(Ipv6Number address)
{
    if (++address.low == 0)
        ++address.high;
    return address;
}

// A line of untrusted input inside an error message: bounded, printable ASCII only, so an
// HTML page or binary junk cannot flood or garble a log line.
QString quoted(std::string_view text)
{
    constexpr size_t kShown = 64;
    QString result(1, u'"');
    for (size_t i = 0; i < std::min(text.size(), kShown); ++i) {
        const auto c = uchar(text[i]);
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            result += QLatin1Char(char(c));
        else
            result += QStringLiteral("\\x%1").arg(uint(c), 2, 16, QLatin1Char('0'));
    }
    if (text.size() > kShown)
        result += QStringLiteral("...");
    result += u'"';
    return result;
}

// "# date: 2026-08-23" (the part after '#'): the list's own statement of its age.
std::optional<QDate> dateInComment(std::string_view comment)
{
    constexpr std::string_view kKey = "date:";
    comment = trimmed(comment);
    if (comment.size() < kKey.size())
        return std::nullopt;
    for (size_t i = 0; i < kKey.size(); ++i) {
        if (char(std::tolower(uchar(comment[i]))) != kKey[i])
            return std::nullopt;
    }
    const std::string_view value = trimmed(comment.substr(kKey.size())).substr(0, 10);
    const QDate date =
        QDate::fromString(QString::fromLatin1(value.data(), qsizetype(value.size())), Qt::ISODate);
    if (!date.isValid())
        return std::nullopt;
    return date;
}

} // namespace

template <typename Address>
auto IpRangeSet<Address>::parse(QByteArrayView text, const QString& sourceName) -> ParseResult
{
    std::string_view rest(text.data(), size_t(text.size()));
    // Editors on Windows like to start UTF-8 files with a byte order mark.
    if (rest.starts_with("\xEF\xBB\xBF"))
        rest.remove_prefix(3);

    int lineNumber = 0;
    const auto failure = [&](const QString& detail) {
        return ListParseError{
            lineNumber,
            QStringLiteral("%1 line %2: %3").arg(sourceName, QString::number(lineNumber), detail)};
    };

    std::vector<Range> ranges;
    // About 24 bytes per IPv4 line, more for IPv6: one allocation for the whole list.
    ranges.reserve(rest.size() / 24 + 1);
    std::optional<QDate> declaredDate;
    size_t position = 0;
    while (position < rest.size()) {
        size_t end = rest.find('\n', position);
        if (end == std::string_view::npos)
            end = rest.size();
        const std::string_view line = rest.substr(position, end - position);
        position = end + 1;
        ++lineNumber;

        std::string_view content = line;
        if (const size_t hash = line.find('#'); hash != std::string_view::npos) {
            content = line.substr(0, hash);
            if (!declaredDate)
                declaredDate = dateInComment(line.substr(hash + 1));
        }

        // Three slots: a third token is enough to know the line is not a pair. Plain
        // pointers, as this runs for every byte of a list, also in unoptimised builds.
        std::string_view tokens[3];
        int count = 0;
        const char* at = content.data();
        const char* const contentEnd = at + content.size();
        while (count < 3) {
            while (at != contentEnd && isSpace(*at))
                ++at;
            if (at == contentEnd)
                break;
            const char* const start = at;
            while (at != contentEnd && !isSpace(*at))
                ++at;
            tokens[count++] = std::string_view(start, size_t(at - start));
        }
        if (count == 0)
            continue;
        if (count != 2)
            return failure(QStringLiteral("%1 is not a \"START END\" pair of %2 addresses")
                               .arg(quoted(trimmed(content)), Family<Address>::name()));

        std::optional<Address> bounds[2];
        for (int t = 0; t < 2; ++t) {
            bounds[t] = Family<Address>::parse(tokens[t]);
            if (bounds[t])
                continue;
            if (Family<Address>::isOtherFamily(tokens[t]))
                return failure(QStringLiteral("%1 is an %2 address in a list of %3 ranges")
                                   .arg(quoted(tokens[t]), Family<Address>::otherName(),
                                        Family<Address>::name()));
            return failure(QStringLiteral("%1 is not an %2 address")
                               .arg(quoted(tokens[t]), Family<Address>::name()));
        }
        if (*bounds[1] < *bounds[0])
            return failure(QStringLiteral("%1 starts after its end").arg(quoted(trimmed(content))));
        ranges.push_back(Range{*bounds[0], *bounds[1]});
    }

    IpRangeSet set = fromRanges(std::move(ranges));
    set.m_declaredDate = declaredDate;
    return set;
}

template <typename Address>
IpRangeSet<Address> IpRangeSet<Address>::fromRanges(std::vector<Range> ranges)
{
    std::sort(ranges.begin(), ranges.end(),
              [](const Range& a, const Range& b) { return a.first < b.first; });
    IpRangeSet set;
    set.m_ranges.reserve(ranges.size());
    for (const Range& range : ranges) {
        Q_ASSERT(!(range.last < range.first));
        if (!set.m_ranges.empty()) {
            Range& previous = set.m_ranges.back();
            // Overlapping or touching (previous ends right before this one starts): one range.
            const bool joins = !(previous.last < range.first) ||
                               (!isMax(previous.last) && successor(previous.last) == range.first);
            if (joins) {
                if (previous.last < range.last)
                    previous.last = range.last;
                continue;
            }
        }
        set.m_ranges.push_back(range);
    }
    set.m_ranges.shrink_to_fit();
    return set;
}

template class IpRangeSet<quint32>;
template class IpRangeSet<Ipv6Number>;

} // namespace echw
