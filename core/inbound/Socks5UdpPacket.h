#pragma once

#include "net/TargetAddress.h"

#include <QByteArray>
#include <QByteArrayView>

#include <variant>

namespace echw {

// One datagram between a SOCKS5 client and the UDP relay (RFC 1928 section 7): RSV (2 bytes),
// FRAG, then the address field of section 4 naming the destination (client to relay) or the
// source (relay to client), then the payload. Pure functions: bytes in, values out.
struct Socks5UdpPacket {
    TargetAddress address;
    QByteArray payload;
};

enum class Socks5UdpPacketError {
    Truncated,          // the datagram ends inside the header
    Fragmented,         // FRAG != 0: fragments are not reassembled here
    UnknownAddressType, // ATYP other than 1, 3 or 4
    InvalidAddress,     // a malformed domain name, or port 0
};

// For the log.
const char* describe(Socks5UdpPacketError error);

// Parses a datagram from the client. Section 7 has an implementation that does not reassemble
// drop every datagram whose FRAG is not 0, so that is an error. RSV is not checked: it carries
// nothing, and refusing a client for it would gain nothing.
std::variant<Socks5UdpPacket, Socks5UdpPacketError> parseSocks5UdpPacket(QByteArrayView datagram);

// The datagram to the client: RSV 0, FRAG 0, `address`, then `payload`.
QByteArray buildSocks5UdpPacket(const TargetAddress& address, QByteArrayView payload);

} // namespace echw
