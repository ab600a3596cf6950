#pragma once

#include "net/TargetAddress.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QString>

namespace echw {

// ATYP values (RFC 1928 section 4).
namespace Socks5AddressType {
inline constexpr quint8 IPv4 = 0x01;
inline constexpr quint8 Domain = 0x03;
inline constexpr quint8 IPv6 = 0x04;
} // namespace Socks5AddressType

// The address field that SOCKS5 requests, replies and UDP headers share (RFC 1928 sections
// 4, 6 and 7): ATYP, then 4 bytes (IPv4), a length byte and that many bytes (domain name) or
// 16 bytes (IPv6), then the port in network byte order.
struct Socks5AddressField {
    enum class Status { Complete, Truncated, UnknownType };
    Status status = Status::Truncated;
    quint8 type = 0;
    // Complete: a dotted quad, IPv6 text without brackets, or the domain bytes as sent
    // (Latin-1, not validated: TargetAddress::fromHostPort decides whether it is a name).
    QString host;
    quint16 port = 0;
    qsizetype end = 0; // Complete: the offset just past the port
};

// Reads the field starting at `offset` (the ATYP byte). An unknown ATYP is reported as soon as
// that byte is there, so a caller can answer it without waiting for bytes that never come.
Socks5AddressField readSocks5Address(QByteArrayView data, qsizetype offset);

// Appends the field for an IP address; an IPv4-mapped IPv6 address goes out as IPv4, the
// family a client reaching us over IPv4 can use.
void appendSocks5Address(QByteArray& out, const QHostAddress& address, quint16 port);
// Appends the field for a target: IPv4, IPv6 or a domain name (at most 253 bytes, so its
// length always fits the length byte).
void appendSocks5Address(QByteArray& out, const TargetAddress& target);

} // namespace echw
