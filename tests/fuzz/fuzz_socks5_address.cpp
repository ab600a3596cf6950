// The address field shared by SOCKS5 requests, replies and UDP headers (RFC 1928 sections 4, 6
// and 7), read at the offset a request and a UDP header put it, and written back.

#include "FuzzSupport.h"
#include "inbound/Socks5Address.h"
#include "inbound/Socks5Parser.h"
#include "routing/IpNumbers.h"

namespace {

using echw::Socks5AddressField;

void checkField(QByteArrayView input, qsizetype offset)
{
    const Socks5AddressField field = echw::readSocks5Address(input, offset);
    if (field.status != Socks5AddressField::Status::Complete)
        return;
    ECHW_FUZZ_CHECK(field.end > offset && field.end <= input.size());
    // Complete means complete: fewer bytes must ask for more, never read past what is there.
    for (qsizetype size = offset + 1; size < field.end; ++size) {
        const auto shorter = echw::readSocks5Address(input.first(size), offset);
        ECHW_FUZZ_CHECK(shorter.status == Socks5AddressField::Status::Truncated);
    }

    const QByteArrayView wire = input.sliced(offset, field.end - offset);
    QByteArray written;
    if (field.type == echw::Socks5AddressType::Domain) {
        const auto target = echw::TargetAddress::fromHostPort(field.host, field.port);
        if (!target)
            return;
        echw::appendSocks5Address(written, *target);
        const auto reread = echw::readSocks5Address(written, 0);
        ECHW_FUZZ_CHECK(reread.status == Socks5AddressField::Status::Complete);
        ECHW_FUZZ_CHECK(echw::TargetAddress::fromHostPort(reread.host, reread.port) == target);
        return;
    }
    const QHostAddress address(field.host);
    ECHW_FUZZ_CHECK(!address.isNull());
    echw::appendSocks5Address(written, address, field.port);
    // An IPv4-mapped IPv6 address is written as IPv4 on purpose; anything else byte for byte.
    const bool mapped =
        field.type == echw::Socks5AddressType::IPv6 && echw::mappedIpv4Of(address.toIPv6Address());
    if (!mapped)
        ECHW_FUZZ_CHECK(written == wire);
    else
        ECHW_FUZZ_CHECK(quint8(written[0]) == echw::Socks5AddressType::IPv4);

    // A reply names the bound address in the same field, after VER, REP and RSV.
    const QByteArray reply =
        echw::Socks5Parser::replyFor(echw::Socks5Reply::Succeeded, address, field.port);
    const auto bound = echw::readSocks5Address(reply, 3);
    ECHW_FUZZ_CHECK(bound.status == Socks5AddressField::Status::Complete);
    ECHW_FUZZ_CHECK(bound.end == reply.size() && bound.port == field.port);
    ECHW_FUZZ_CHECK(QHostAddress(bound.host).isEqual(address, QHostAddress::TolerantConversion));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView input = echw::fuzz::bytesOf(data, size);
    // Where the field starts in a request and a UDP header, and at the very start.
    for (const qsizetype offset : {0, 3})
        checkField(input, offset);
    return 0;
}
