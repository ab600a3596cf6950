#include "IpNumbers.h"

#include <arpa/inet.h>
#include <cstring>

namespace echw {

// Dotted quad only: four decimal parts 0..255. Leading zeros are refused because inet_aton()
// and friends read them as octal, so "010.0.0.1" means different addresses to different tools.
std::optional<quint32> parseIpv4(std::string_view text)
{
    // Plain pointers: this runs for every line of a list, also in unoptimised builds.
    const char* at = text.data();
    const char* const end = at + text.size();
    quint32 value = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (at == end || *at != '.')
                return std::nullopt;
            ++at;
        }
        const char* const start = at;
        quint32 number = 0;
        while (at != end && at - start < 4 && *at >= '0' && *at <= '9')
            number = number * 10 + quint32(*at++ - '0');
        const auto digits = at - start;
        if (digits == 0 || digits > 3 || number > 255 || (digits > 1 && *start == '0'))
            return std::nullopt;
        value = (value << 8) | number;
    }
    if (at != end)
        return std::nullopt;
    return value;
}

std::optional<Ipv6Number> parseIpv6(std::string_view text)
{
    // inet_pton() wants a terminated string; an embedded NUL would end it early and let
    // "::1<NUL>junk" pass. The longest text form fits INET6_ADDRSTRLEN with its terminator.
    char buffer[INET6_ADDRSTRLEN];
    if (text.size() >= sizeof buffer || text.find('\0') != std::string_view::npos)
        return std::nullopt;
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    Q_IPV6ADDR bytes;
    if (inet_pton(AF_INET6, buffer, bytes.c) != 1)
        return std::nullopt;
    return ipv6NumberOf(bytes);
}

} // namespace echw
