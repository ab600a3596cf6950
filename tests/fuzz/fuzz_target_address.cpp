// A target as text: the authority of an HTTP proxy request or CONNECT, and the worker
// protocol's `CONNECT:host:port` that the server reads. A parsed target is in normal form:
// written out with toString() and read again, it is the same target.

#include "AddressPolicy.h"
#include "FuzzSupport.h"
#include "net/TargetAddress.h"
#include "routing/IpNumbers.h"

#include <QHostAddress>

namespace {

using echw::TargetAddress;

void checkTarget(const TargetAddress& target)
{
    ECHW_FUZZ_CHECK(target.port != 0 && !target.host.isEmpty());
    ECHW_FUZZ_CHECK(TargetAddress::fromAuthority(target.toString()) == target);
    ECHW_FUZZ_CHECK(TargetAddress::fromHostPort(target.host, target.port) == target);
    if (target.kind == TargetAddress::Kind::Domain) {
        ECHW_FUZZ_CHECK(target.host == target.host.toLower());
        return;
    }
    const QHostAddress address(target.host);
    ECHW_FUZZ_CHECK(!address.isNull());
    // The worker's check for internal targets holds the same inside an IPv4-mapped address.
    if (target.kind != TargetAddress::Kind::IPv6)
        return;
    if (const auto ipv4 = echw::mappedIpv4Of(address.toIPv6Address()))
        ECHW_FUZZ_CHECK(echw::server::isInternalAddress(address) ==
                        echw::server::isInternalAddress(QHostAddress(*ipv4)));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView bytes = echw::fuzz::bytesOf(data, size);
    // HTTP carries Latin-1 (the proxy reads it so), the worker protocol UTF-8.
    for (const QString& text : {QString::fromLatin1(bytes), QString::fromUtf8(bytes)}) {
        for (const quint16 defaultPort : {quint16(0), quint16(80)}) {
            if (const auto target = TargetAddress::fromAuthority(text, defaultPort))
                checkTarget(*target);
        }
        if (const auto target = TargetAddress::fromHostPort(text, 443))
            checkTarget(*target);
    }
    return 0;
}
