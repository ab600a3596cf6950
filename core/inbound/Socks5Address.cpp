#include "Socks5Address.h"

#include "routing/IpNumbers.h"

#include <algorithm>

namespace echw {

namespace {

void appendPort(QByteArray& out, quint16 port)
{
    out.append(char(port >> 8));
    out.append(char(port & 0xff));
}

} // namespace

Socks5AddressField readSocks5Address(QByteArrayView data, qsizetype offset)
{
    Socks5AddressField field;
    if (data.size() <= offset)
        return field;
    field.type = quint8(data[offset]);
    qsizetype addressOffset = offset + 1;
    qsizetype addressLength = 0;
    switch (field.type) {
    case Socks5AddressType::IPv4:
        addressLength = 4;
        break;
    case Socks5AddressType::IPv6:
        addressLength = 16;
        break;
    case Socks5AddressType::Domain:
        if (data.size() <= addressOffset)
            return field;
        addressLength = quint8(data[addressOffset]);
        ++addressOffset;
        break;
    default:
        field.status = Socks5AddressField::Status::UnknownType;
        return field;
    }
    const qsizetype end = addressOffset + addressLength + 2;
    if (data.size() < end)
        return field;

    const auto* raw = reinterpret_cast<const quint8*>(data.data());
    if (field.type == Socks5AddressType::IPv4) {
        field.host =
            QHostAddress(quint32(raw[addressOffset]) << 24 | quint32(raw[addressOffset + 1]) << 16 |
                         quint32(raw[addressOffset + 2]) << 8 | quint32(raw[addressOffset + 3]))
                .toString();
    } else if (field.type == Socks5AddressType::IPv6) {
        Q_IPV6ADDR address;
        std::copy_n(raw + addressOffset, 16, address.c);
        field.host = QHostAddress(address).toString();
    } else {
        field.host = QString::fromLatin1(data.data() + addressOffset, addressLength);
    }
    field.port = quint16(raw[end - 2] << 8 | raw[end - 1]);
    field.end = end;
    field.status = Socks5AddressField::Status::Complete;
    return field;
}

void appendSocks5Address(QByteArray& out, const QHostAddress& address, quint16 port)
{
    bool isIpv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isIpv4);
    // Qt converts the IPv6 unspecified address "::" to 0.0.0.0 as well, but it is no IPv4-mapped
    // address: a client told "::" must read "::".
    if (isIpv4 && address.protocol() == QAbstractSocket::IPv6Protocol)
        isIpv4 = mappedIpv4Of(address.toIPv6Address()).has_value();
    if (isIpv4) {
        out.append(char(Socks5AddressType::IPv4));
        for (int shift = 24; shift >= 0; shift -= 8)
            out.append(char((ipv4 >> shift) & 0xff));
    } else {
        out.append(char(Socks5AddressType::IPv6));
        const Q_IPV6ADDR ipv6 = address.toIPv6Address();
        out.append(reinterpret_cast<const char*>(ipv6.c), 16);
    }
    appendPort(out, port);
}

void appendSocks5Address(QByteArray& out, const TargetAddress& target)
{
    if (target.kind != TargetAddress::Kind::Domain) {
        appendSocks5Address(out, QHostAddress(target.host), target.port);
        return;
    }
    const QByteArray name = target.host.toLatin1();
    out.append(char(Socks5AddressType::Domain));
    out.append(char(name.size()));
    out.append(name);
    appendPort(out, target.port);
}

} // namespace echw
