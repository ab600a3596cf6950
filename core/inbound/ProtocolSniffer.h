#pragma once

#include <QtGlobal>

namespace echw {

enum class InboundProtocol { Socks5, Http, Unknown };

// Both proxy protocols share one port; the first byte tells them apart: SOCKS5 starts with
// its version (0x05), an HTTP request with the first letter of its method.
constexpr InboundProtocol sniffProtocol(char firstByte)
{
    switch (firstByte) {
    case 0x05:
        return InboundProtocol::Socks5;
    case 'C': // CONNECT
    case 'G': // GET
    case 'P': // POST, PUT, PATCH
    case 'H': // HEAD
    case 'D': // DELETE
    case 'O': // OPTIONS
    case 'T': // TRACE
        return InboundProtocol::Http;
    default:
        return InboundProtocol::Unknown;
    }
}

} // namespace echw
