#include "RoutingDecision.h"

#include "routing/IpNumbers.h"

namespace echw {

QString routeActionName(RouteAction action)
{
    switch (action) {
    case RouteAction::Direct:
        return QStringLiteral("direct");
    case RouteAction::Tunnel:
        return QStringLiteral("tunnel");
    case RouteAction::Block:
        return QStringLiteral("block");
    }
    return {};
}

std::optional<RouteAction> routeActionFromName(QStringView name)
{
    for (RouteAction action : {RouteAction::Direct, RouteAction::Tunnel, RouteAction::Block}) {
        if (name.compare(routeActionName(action), Qt::CaseInsensitive) == 0)
            return action;
    }
    return std::nullopt;
}

QString describeRoutingReason(const RouteReason& reason)
{
    switch (reason.kind) {
    case RouteReason::Kind::UserRule:
        return QStringLiteral("rule %1: %2").arg(reason.ruleLine).arg(reason.ruleText);
    case RouteReason::Kind::ChinaList:
        return QStringLiteral("in China list %1")
            .arg(addressRangeText(reason.listFirst, reason.listLast));
    case RouteReason::Kind::NotInChinaList:
        return QStringLiteral("not in China list");
    case RouteReason::Kind::Mode:
        return QStringLiteral("%1 mode").arg(routingModeName(reason.mode));
    case RouteReason::Kind::ResolveFailed:
        return QStringLiteral("name did not resolve");
    }
    return {};
}

namespace {

// An address as a 128-bit number and how many of its low bits it uses.
struct Bits {
    Ipv6Number number;
    int width = 0;
};

std::optional<Bits> bitsOf(const QHostAddress& address)
{
    if (address.protocol() == QHostAddress::IPv4Protocol)
        return Bits{Ipv6Number{0, address.toIPv4Address()}, 32};
    if (address.protocol() == QHostAddress::IPv6Protocol)
        return Bits{ipv6NumberOf(address.toIPv6Address()), 128};
    return std::nullopt;
}

// Bit `index` of the `width` used bits, counted from the most significant one.
bool bitAt(const Bits& bits, int index)
{
    const int fromLow = bits.width - 1 - index;
    return fromLow >= 64 ? (bits.number.high >> (fromLow - 64)) & 1
                         : (bits.number.low >> fromLow) & 1;
}

} // namespace

QString addressRangeText(const QHostAddress& first, const QHostAddress& last)
{
    const auto low = bitsOf(first);
    const auto high = bitsOf(last);
    if (low && high && low->width == high->width) {
        int prefix = 0;
        while (prefix < low->width && bitAt(*low, prefix) == bitAt(*high, prefix))
            ++prefix;
        bool block = true;
        for (int i = prefix; i < low->width && block; ++i)
            block = !bitAt(*low, i) && bitAt(*high, i);
        if (block)
            return QStringLiteral("%1/%2").arg(first.toString()).arg(prefix);
    }
    return QStringLiteral("%1-%2").arg(first.toString(), last.toString());
}

} // namespace echw
