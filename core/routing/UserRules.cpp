#include "UserRules.h"

#include <QCoreApplication>
#include <QUrl>

#include <algorithm>

namespace echw {

namespace {

constexpr int kMaxNameLength = 253; // RFC 1035 section 2.3.4, without the final dot
constexpr int kMaxLabelLength = 63;

bool isNameCharacter(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'-' || c == u'_' ||
           c == u'.';
}

bool isAscii(QStringView text)
{
    for (QChar c : text) {
        if (c.unicode() >= 0x80)
            return false;
    }
    return true;
}

// Lower-case ASCII labels of letters, digits, '-' and '_' (service names like _dmarc), none
// empty; internationalised names are taken in their ACE form.
std::optional<QString> normalisedDomain(QStringView text)
{
    if (text.endsWith(u'.'))
        text.chop(1);
    QString name = isAscii(text) ? text.toString().toLower()
                                 : QString::fromLatin1(QUrl::toAce(text.toString()));
    if (name.isEmpty() || name.size() > kMaxNameLength)
        return std::nullopt;
    qsizetype labelLength = 0;
    for (QChar c : std::as_const(name)) {
        if (!isNameCharacter(c))
            return std::nullopt;
        if (c == u'.') {
            if (labelLength == 0)
                return std::nullopt;
            labelLength = 0;
        } else if (++labelLength > kMaxLabelLength) {
            return std::nullopt;
        }
    }
    if (labelLength == 0)
        return std::nullopt;
    return name;
}

std::optional<QString> normalisedKeyword(QStringView text)
{
    const QString keyword = text.toString().toLower();
    if (keyword.isEmpty() || keyword.size() > kMaxNameLength)
        return std::nullopt;
    for (QChar c : keyword) {
        if (!isNameCharacter(c))
            return std::nullopt;
    }
    return keyword;
}

Ipv6Number masked(Ipv6Number number, int prefixLength)
{
    if (prefixLength <= 64) {
        number.high = prefixLength == 0 ? 0 : number.high & (~quint64(0) << (64 - prefixLength));
        number.low = 0;
    } else if (prefixLength < 128) {
        number.low &= ~quint64(0) << (128 - prefixLength);
    }
    return number;
}

Ipv6Number ipv4Number(quint32 address)
{
    return Ipv6Number{0, address};
}

quint32 ipv4Mask(int prefixLength)
{
    return prefixLength == 0 ? 0 : ~quint32(0) << (32 - prefixLength);
}

// Fills the prefix of a cidr rule from "ADDRESS/LENGTH"; returns what is wrong, or nothing.
std::optional<Problem> readCidr(QStringView value, UserRule& rule)
{
    const qsizetype slash = value.lastIndexOf(u'/');
    const QByteArray address = value.first(slash < 0 ? 0 : slash).toLatin1();
    const std::string_view addressText(address.data(), size_t(address.size()));
    const QStringView length = slash < 0 ? QStringView() : value.sliced(slash + 1);
    if (const auto ipv4 = parseIpv4(addressText)) {
        rule.ipv4 = true;
        rule.network = ipv4Number(*ipv4);
    } else if (const auto ipv6 = parseIpv6(addressText)) {
        rule.network = *ipv6;
    } else {
        return Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                             "invalid CIDR \"%1\" (expected ADDRESS/LENGTH, e.g. "
                                             "10.0.0.0/8 or 2001:db8::/32)"),
                           {value.toString()});
    }

    const int maxLength = rule.ipv4 ? 32 : 128;
    const bool digitsOnly =
        !length.isEmpty() && length.size() <= 3 &&
        std::all_of(length.begin(), length.end(), [](QChar c) { return c >= u'0' && c <= u'9'; });
    rule.prefixLength = digitsOnly ? length.toInt() : -1;
    if (rule.prefixLength < 0 || rule.prefixLength > maxLength)
        return Problem::of(
            QT_TRANSLATE_NOOP("echw::Problem", "invalid prefix length \"%1\" (0 to %2)"),
            {length.toString(), QString::number(maxLength)});

    // A set host bit is almost always a typo for another prefix, so it is not guessed.
    const Ipv6Number network =
        rule.ipv4 ? ipv4Number(quint32(rule.network.low) & ipv4Mask(rule.prefixLength))
                  : masked(rule.network, rule.prefixLength);
    if (network != rule.network) {
        const QString networkText = rule.ipv4 ? QHostAddress(quint32(network.low)).toString()
                                              : QHostAddress(ipv6BytesOf(network)).toString();
        return Problem::of(
            QT_TRANSLATE_NOOP("echw::Problem", "host bits are set (the network is %1/%2)"),
            {networkText, QString::number(rule.prefixLength)});
    }
    // A prefix inside ::ffff:0:0/96 holds only IPv4-mapped addresses (RFC 4291 section
    // 2.5.5.2), which match() judges as the IPv4 addresses they carry: kept as an IPv6 prefix
    // the rule could never match, so it becomes the IPv4 prefix it names.
    if (!rule.ipv4 && rule.prefixLength >= 96 && rule.network.high == 0 &&
        (rule.network.low >> 32) == 0xffff) {
        rule.ipv4 = true;
        rule.network = ipv4Number(quint32(rule.network.low));
        rule.prefixLength -= 96;
    }
    return std::nullopt;
}

// An address as the rules see it: IPv4-mapped IPv6 addresses are IPv4.
struct RuleAddress {
    bool ipv4 = false;
    Ipv6Number number; // IPv4 in the low 32 bits
};

std::optional<RuleAddress> ruleAddressOf(const QHostAddress& address)
{
    if (address.protocol() == QHostAddress::IPv4Protocol)
        return RuleAddress{true, ipv4Number(address.toIPv4Address())};
    if (address.protocol() != QHostAddress::IPv6Protocol)
        return std::nullopt;
    const Q_IPV6ADDR bytes = address.toIPv6Address();
    if (const auto mapped = mappedIpv4Of(bytes))
        return RuleAddress{true, ipv4Number(*mapped)};
    return RuleAddress{false, ipv6NumberOf(bytes)};
}

// IPv4 and IPv6 literals are addresses, not names: "10.1.2.3" must not match keyword:10.
bool looksLikeAddress(QStringView host)
{
    if (host.contains(u':'))
        return true;
    for (QChar c : host) {
        if (c != u'.' && (c < u'0' || c > u'9'))
            return false;
    }
    return true;
}

bool matchesName(const UserRule& rule, QStringView name)
{
    switch (rule.kind) {
    case UserRule::Kind::Domain:
        return name.compare(rule.value, Qt::CaseInsensitive) == 0;
    case UserRule::Kind::Suffix: {
        if (!name.endsWith(rule.value, Qt::CaseInsensitive))
            return false;
        // At a label boundary: example.com matches a.example.com, not badexample.com.
        const qsizetype before = name.size() - rule.value.size();
        return before == 0 || name[before - 1] == u'.';
    }
    case UserRule::Kind::Keyword:
        return name.contains(rule.value, Qt::CaseInsensitive);
    case UserRule::Kind::Cidr:
        return false;
    }
    return false;
}

bool matchesAddress(const UserRule& rule, const RuleAddress& address)
{
    if (rule.kind != UserRule::Kind::Cidr || rule.ipv4 != address.ipv4)
        return false;
    if (rule.ipv4)
        return (quint32(address.number.low) & ipv4Mask(rule.prefixLength)) == rule.network.low;
    return masked(address.number, rule.prefixLength) == rule.network;
}

} // namespace

UserRules::ParseResult UserRules::parse(QStringView text, const QString& sourceName)
{
    UserRules rules;
    int lineNumber = 0;
    QStringView ruleText;
    const auto failure = [&](Problem detail) {
        return RuleError{
            lineNumber,
            Problem::because(QT_TRANSLATE_NOOP("echw::Problem", "%1 line %2: \"%3\": %4"),
                             {sourceName, QString::number(lineNumber), ruleText.toString()},
                             std::move(detail))};
    };

    for (QStringView line : text.tokenize(u'\n')) {
        ++lineNumber;
        if (const qsizetype hash = line.indexOf(u'#'); hash >= 0)
            line = line.first(hash);
        ruleText = line.trimmed();
        if (ruleText.isEmpty())
            continue;

        UserRule rule;
        rule.line = lineNumber;
        rule.text = ruleText.toString();

        qsizetype space = ruleText.size();
        while (space > 0 && !ruleText[space - 1].isSpace())
            --space;
        if (space == 0)
            return failure(Problem::of(QT_TRANSLATE_NOOP(
                "echw::Problem", "no action (direct, tunnel or block) after the rule")));
        const QStringView actionName = ruleText.sliced(space);
        const auto action = routeActionFromName(actionName);
        if (!action)
            return failure(
                Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                              "unknown action \"%1\" (direct, tunnel or block)"),
                            {actionName.toString()}));
        rule.action = *action;

        const QStringView matcher = ruleText.first(space).trimmed();
        const qsizetype colon = matcher.indexOf(u':');
        const QStringView kind = colon < 0 ? QStringView() : matcher.first(colon);
        const QStringView value = colon < 0 ? QStringView() : matcher.sliced(colon + 1).trimmed();
        const auto is = [&](QLatin1StringView name) {
            return kind.compare(name, Qt::CaseInsensitive) == 0;
        };

        if (is(QLatin1StringView("domain")) || is(QLatin1StringView("suffix"))) {
            rule.kind =
                is(QLatin1StringView("domain")) ? UserRule::Kind::Domain : UserRule::Kind::Suffix;
            const auto domain = normalisedDomain(value);
            if (!domain)
                return failure(
                    Problem::of(QT_TRANSLATE_NOOP("echw::Problem", "invalid domain \"%1\""),
                                {value.toString()}));
            // match() takes a host like this for an address literal, never for a name, so the
            // rule could never match.
            if (rule.kind == UserRule::Kind::Domain && looksLikeAddress(*domain))
                return failure(Problem::of(
                    QT_TRANSLATE_NOOP("echw::Problem", "\"%1\" is an address, not a domain (match "
                                                       "addresses with cidr:ADDRESS/LENGTH)"),
                    {value.toString()}));
            rule.value = *domain;
        } else if (is(QLatin1StringView("keyword"))) {
            rule.kind = UserRule::Kind::Keyword;
            const auto keyword = normalisedKeyword(value);
            if (!keyword)
                return failure(Problem::of(
                    QT_TRANSLATE_NOOP("echw::Problem",
                                      "invalid keyword \"%1\" (letters, digits, '-', '_' and '.')"),
                    {value.toString()}));
            rule.value = *keyword;
        } else if (is(QLatin1StringView("cidr"))) {
            rule.kind = UserRule::Kind::Cidr;
            if (auto problem = readCidr(value, rule))
                return failure(*std::move(problem));
        } else {
            return failure(Problem::of(QT_TRANSLATE_NOOP(
                "echw::Problem", "expected TYPE:VALUE with TYPE domain, suffix, keyword or cidr")));
        }
        rules.m_rules.push_back(std::move(rule));
    }
    return rules;
}

std::optional<RuleMatch> UserRules::match(QStringView host,
                                          const std::optional<QHostAddress>& address) const
{
    if (host.endsWith(u'.'))
        host.chop(1);
    const QStringView name = looksLikeAddress(host) ? QStringView() : host;
    const std::optional<RuleAddress> ruleAddress = address ? ruleAddressOf(*address) : std::nullopt;

    for (size_t i = 0; i < m_rules.size(); ++i) {
        const UserRule& rule = m_rules[i];
        const bool matched = rule.kind == UserRule::Kind::Cidr
                                 ? ruleAddress && matchesAddress(rule, *ruleAddress)
                                 : !name.isEmpty() && matchesName(rule, name);
        if (matched)
            return RuleMatch{rule.action, int(i), rule.line, rule.text};
    }
    return std::nullopt;
}

} // namespace echw
