#include "TargetAddress.h"

#include <QHostAddress>

#include <algorithm>

namespace echw {

QString TargetAddress::toString() const
{
    if (kind == Kind::IPv6)
        return QStringLiteral("[%1]:%2").arg(host).arg(port);
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

static bool isValidDomainName(QStringView name)
{
    if (name.isEmpty() || name.size() > 253)
        return false;
    for (QChar c : name) {
        const bool ok = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') ||
                        (c >= u'0' && c <= u'9') || c == u'-' || c == u'_' || c == u'.';
        if (!ok)
            return false;
    }
    return true;
}

std::optional<TargetAddress> TargetAddress::fromHostPort(QStringView host, quint16 port)
{
    if (port == 0 || host.isEmpty())
        return std::nullopt;
    TargetAddress target;
    target.port = port;
    QHostAddress address;
    // QHostAddress also accepts forms like "1" or "0x7f.1"; only dotted quads count as IPv4.
    const bool looksLikeV6 = host.contains(u':');
    const bool looksLikeV4 =
        !looksLikeV6 && host.count(u'.') == 3 &&
        std::all_of(host.begin(), host.end(), [](QChar c) { return c == u'.' || c.isDigit(); });
    if ((looksLikeV4 || looksLikeV6) && address.setAddress(host.toString())) {
        if (address.protocol() == QAbstractSocket::IPv6Protocol) {
            if (!address.scopeId().isEmpty())
                return std::nullopt;
            target.kind = Kind::IPv6;
        } else {
            target.kind = Kind::IPv4;
        }
        target.host = address.toString();
        return target;
    }
    if (looksLikeV6 || !isValidDomainName(host))
        return std::nullopt;
    target.kind = Kind::Domain;
    target.host = host.toString().toLower();
    return target;
}

std::optional<TargetAddress> TargetAddress::fromAuthority(QStringView authority,
                                                          quint16 defaultPort)
{
    QStringView host;
    QStringView portText;
    if (authority.startsWith(u'[')) {
        const qsizetype close = authority.indexOf(u']');
        if (close < 0)
            return std::nullopt;
        host = authority.mid(1, close - 1);
        if (!host.contains(u':'))
            return std::nullopt;
        const QStringView rest = authority.mid(close + 1);
        if (!rest.isEmpty()) {
            if (!rest.startsWith(u':'))
                return std::nullopt;
            portText = rest.mid(1);
            if (portText.isEmpty())
                return std::nullopt;
        }
    } else {
        const qsizetype colon = authority.lastIndexOf(u':');
        if (colon >= 0) {
            if (authority.indexOf(u':') != colon)
                return std::nullopt; // a bare IPv6 literal needs brackets here
            host = authority.left(colon);
            portText = authority.mid(colon + 1);
            if (portText.isEmpty())
                return std::nullopt;
        } else {
            host = authority;
        }
    }
    quint16 port = defaultPort;
    if (!portText.isEmpty()) {
        if (portText.size() > 5 ||
            !std::all_of(portText.begin(), portText.end(), [](QChar c) { return c.isDigit(); }))
            return std::nullopt;
        const uint value = portText.toUInt();
        if (value == 0 || value > 65535)
            return std::nullopt;
        port = static_cast<quint16>(value);
    }
    return fromHostPort(host, port);
}

} // namespace echw
