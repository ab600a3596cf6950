#pragma once

#include "http/HttpSyntax.h"

#include <QtGlobal>

namespace echw {

enum class InboundProtocol { Socks5, Http, Unknown };

// Both proxy protocols share one port; the first byte tells them apart: SOCKS5 starts with
// its version (0x05), an HTTP request with its method, a token (RFC 9110 section 5.6.2). Any
// token character counts as HTTP, so that a method the proxy does not know (or one in lower
// case: methods are case-sensitive) is answered 405 by the HTTP parser instead of being closed
// without a word. Anything else (binary, a TLS ClientHello, SOCKS4) is not a proxy protocol.
inline InboundProtocol sniffProtocol(char firstByte)
{
    if (firstByte == 0x05)
        return InboundProtocol::Socks5;
    return http::isTchar(firstByte) ? InboundProtocol::Http : InboundProtocol::Unknown;
}

} // namespace echw
