#include "AddressPolicy.h"

#include "net/SocketAddresses.h"

#include <QNetworkInterface>

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>

namespace echw::server {

namespace {

struct BlockText {
    const char* cidr;
    const char* name;
    bool globallyReachable = false;
};

// The IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 section 2.2, as the
// registries stand with their later entries), plus multicast and the deprecated blocks, which no
// TCP target lives in either. First match wins: the globally reachable entries inside a larger
// block come before it.
constexpr BlockText kIPv4Blocks[] = {
    {"192.0.0.9/32", "PCP anycast (RFC 7723)", true},
    {"192.0.0.10/32", "TURN anycast (RFC 8155)", true},
    {"0.0.0.0/8", "\"this network\" (RFC 791)"},
    {"10.0.0.0/8", "private use (RFC 1918)"},
    {"100.64.0.0/10", "shared address space (RFC 6598)"},
    {"127.0.0.0/8", "loopback (RFC 1122)"},
    {"169.254.0.0/16", "link-local (RFC 3927)"},
    {"172.16.0.0/12", "private use (RFC 1918)"},
    {"192.0.0.0/24", "IETF protocol assignments (RFC 6890)"},
    {"192.0.2.0/24", "documentation, TEST-NET-1 (RFC 5737)"},
    {"192.88.99.0/24", "deprecated 6to4 relay anycast (RFC 7526)"},
    {"192.168.0.0/16", "private use (RFC 1918)"},
    {"198.18.0.0/15", "benchmarking (RFC 2544)"},
    {"198.51.100.0/24", "documentation, TEST-NET-2 (RFC 5737)"},
    {"203.0.113.0/24", "documentation, TEST-NET-3 (RFC 5737)"},
    {"224.0.0.0/4", "multicast (RFC 5771)"},
    {"255.255.255.255/32", "limited broadcast (RFC 919)"},
    {"240.0.0.0/4", "reserved (RFC 1112)"},
};

constexpr BlockText kIPv6Blocks[] = {
    {"2001:1::1/128", "PCP anycast (RFC 7723)", true},
    {"2001:1::2/128", "TURN anycast (RFC 8155)", true},
    {"2001:1::3/128", "DNS-SD service registration anycast (RFC 9665)", true},
    {"2001:3::/32", "AMT (RFC 7450)", true},
    {"2001:4:112::/48", "AS112-v6 (RFC 7535)", true},
    {"2001:20::/28", "ORCHIDv2 (RFC 7343)", true},
    {"2001:30::/28", "drone remote ID tags (RFC 9374)", true},
    {"::/128", "unspecified (RFC 4291)"},
    {"::1/128", "loopback (RFC 4291)"},
    {"64:ff9b:1::/48", "local-use IPv4/IPv6 translation (RFC 8215)"},
    {"100::/64", "discard-only (RFC 6666)"},
    {"2001::/32", "Teredo (RFC 4380)"},
    {"2001:2::/48", "benchmarking (RFC 5180)"},
    {"2001:10::/28", "deprecated ORCHID (RFC 4843)"},
    {"2001::/23", "IETF protocol assignments (RFC 2928)"},
    {"2001:db8::/32", "documentation (RFC 3849)"},
    {"3fff::/20", "documentation (RFC 9637)"},
    {"5f00::/16", "SRv6 segment identifiers (RFC 9602)"},
    {"fc00::/7", "unique local (RFC 4193)"},
    {"fe80::/10", "link-local (RFC 4291)"},
    {"fec0::/10", "deprecated site-local (RFC 3879)"},
    {"ff00::/8", "multicast (RFC 4291)"},
    // Everything else outside global unicast is reserved by the IETF (RFC 4291 section 2.4;
    // IANA's IPv6 address space registry allocates only 2000::/3).
    {"::/3", "reserved by the IETF (RFC 4291)"},
    {"4000::/2", "reserved by the IETF (RFC 4291)"},
    {"8000::/1", "reserved by the IETF (RFC 4291)"},
};

struct Block {
    Q_IPV6ADDR network{}; // IPv4 blocks in the first four bytes
    int prefixLength = 0;
    QString name;
    bool globallyReachable = false;
};

template <std::size_t N> QList<Block> parseBlocks(const BlockText (&table)[N])
{
    QList<Block> blocks;
    for (const BlockText& text : table) {
        const auto [network, prefixLength] = QHostAddress::parseSubnet(QLatin1String(text.cidr));
        Q_ASSERT(!network.isNull());
        Block block;
        if (network.protocol() == QAbstractSocket::IPv4Protocol) {
            const quint32 v4 = network.toIPv4Address();
            for (int i = 0; i < 4; ++i)
                block.network[i] = quint8(v4 >> (24 - 8 * i));
        } else {
            block.network = network.toIPv6Address();
        }
        block.prefixLength = prefixLength;
        block.name =
            QStringLiteral("%1, %2").arg(QLatin1String(text.cidr), QLatin1String(text.name));
        block.globallyReachable = text.globallyReachable;
        blocks.append(block);
    }
    return blocks;
}

bool startsWith(const quint8* address, const Block& block)
{
    const int whole = block.prefixLength / 8;
    if (std::memcmp(address, block.network.c, size_t(whole)) != 0)
        return false;
    const int rest = block.prefixLength % 8;
    if (rest == 0)
        return true;
    const quint8 mask = quint8(0xFF << (8 - rest));
    return (address[whole] & mask) == (block.network[whole] & mask);
}

std::optional<QString> lookUp(const QList<Block>& blocks, const quint8* address)
{
    for (const Block& block : blocks) {
        if (startsWith(address, block)) {
            if (block.globallyReachable)
                return std::nullopt;
            return block.name;
        }
    }
    return std::nullopt;
}

std::optional<QString> specialPurposeIPv4(quint32 address)
{
    static const QList<Block> blocks = parseBlocks(kIPv4Blocks);
    const quint8 bytes[4] = {quint8(address >> 24), quint8(address >> 16), quint8(address >> 8),
                             quint8(address)};
    return lookUp(blocks, bytes);
}

quint32 ipv4At(const Q_IPV6ADDR& bytes, int offset)
{
    return quint32(bytes[offset]) << 24 | quint32(bytes[offset + 1]) << 16 |
           quint32(bytes[offset + 2]) << 8 | quint32(bytes[offset + 3]);
}

bool hasPrefix(const Q_IPV6ADDR& bytes, std::initializer_list<quint8> prefix)
{
    return std::equal(prefix.begin(), prefix.end(), bytes.c);
}

// An IPv4-mapped address (RFC 4291 section 2.5.5.2): a dual-stack socket connects to the IPv4
// address inside. Bytes checked here, since QHostAddress::toIPv4Address also converts "::".
std::optional<quint32> mappedIPv4(const Q_IPV6ADDR& bytes)
{
    if (hasPrefix(bytes, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF}))
        return ipv4At(bytes, 12);
    return std::nullopt;
}

// The IPv4 address that a connection to an IPv6 address ends up at, through a translator or
// a relay: the NAT64 well-known prefix 64:ff9b::/96 (RFC 6052 section 2.1) and 6to4 2002::/16
// (RFC 3056 section 2).
std::optional<quint32> translatedIPv4(const Q_IPV6ADDR& bytes)
{
    if (hasPrefix(bytes, {0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0}))
        return ipv4At(bytes, 12);
    if (hasPrefix(bytes, {0x20, 0x02}))
        return ipv4At(bytes, 2);
    return std::nullopt;
}

// IPv4 as IPv4 (also when mapped), IPv6 without its scope: how addresses are compared.
QHostAddress normalForm(const QHostAddress& address)
{
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return address;
    const Q_IPV6ADDR bytes = address.toIPv6Address();
    if (const auto v4 = mappedIPv4(bytes))
        return QHostAddress(*v4);
    return QHostAddress(bytes);
}

} // namespace

std::optional<QString> specialPurposeBlock(const QHostAddress& address)
{
    if (address.protocol() == QAbstractSocket::IPv4Protocol)
        return specialPurposeIPv4(address.toIPv4Address());
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return QStringLiteral("not an IP address");
    const Q_IPV6ADDR bytes = address.toIPv6Address();
    if (const auto v4 = mappedIPv4(bytes))
        return specialPurposeIPv4(*v4);
    // Both prefixes are globally reachable themselves; what counts is where they lead.
    if (const auto v4 = translatedIPv4(bytes)) {
        if (auto inner = specialPurposeIPv4(*v4))
            return QStringLiteral("%1 inside %2").arg(*inner, address.toString());
        return std::nullopt;
    }
    static const QList<Block> blocks = parseBlocks(kIPv6Blocks);
    return lookUp(blocks, bytes.c);
}

std::optional<QHostAddress> numericIPv4Host(QStringView host)
{
    // inet_aton reads decimal, octal (leading 0) and hexadecimal (0x) parts, one to four of them.
    // glibc's getaddrinfo uses the exact variant, which refuses trailing text; allowing only
    // these characters gives the same.
    if (host.isEmpty() || host.size() > 64)
        return std::nullopt;
    const bool numeric = std::all_of(host.begin(), host.end(), [](QChar c) {
        return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F') ||
               c == u'x' || c == u'X' || c == u'.';
    });
    if (!numeric)
        return std::nullopt;
    in_addr address{};
    if (::inet_aton(host.toLatin1().constData(), &address) == 0)
        return std::nullopt;
    return QHostAddress(ntohl(address.s_addr));
}

LocalAddresses::LocalAddresses(Source source, std::chrono::milliseconds maxAge)
    : m_source(std::move(source))
    , m_maxAge(maxAge)
{}

LocalAddresses::Source LocalAddresses::defaultSource()
{
    return [] {
        return QNetworkInterface::allAddresses();
    };
}

bool LocalAddresses::contains(const QHostAddress& address)
{
    const auto now = std::chrono::steady_clock::now();
    if (!m_readAt || now - *m_readAt >= m_maxAge) {
        m_readAt = now;
        m_addresses.clear();
        for (const QHostAddress& local : m_source())
            m_addresses.append(normalForm(local));
    }
    return m_addresses.contains(normalForm(address));
}

TargetPolicy::TargetPolicy(bool allowAll, LocalAddresses localAddresses)
    : m_allowAll(allowAll)
    , m_localAddresses(std::move(localAddresses))
{}

std::optional<QString> TargetPolicy::refusal(const QHostAddress& address)
{
    if (m_allowAll)
        return std::nullopt;
    if (auto block = specialPurposeBlock(address))
        return block;
    if (m_localAddresses.contains(address))
        return QStringLiteral("an address of this server");
    // Through NAT64 or a 6to4 relay a connection comes back to the server from outside.
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        if (const auto v4 = translatedIPv4(address.toIPv6Address());
            v4 && m_localAddresses.contains(QHostAddress(*v4)))
            return QStringLiteral("an address of this server inside %1").arg(address.toString());
    }
    return std::nullopt;
}

QString SocketPeer::toString() const
{
    return hostPortString(address, port);
}

std::optional<SocketPeer> socketPeer(int descriptor)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (::getpeername(descriptor, reinterpret_cast<sockaddr*>(&storage), &length) != 0)
        return std::nullopt;
    SocketPeer peer;
    peer.address = QHostAddress(reinterpret_cast<const sockaddr*>(&storage));
    peer.port = quint16(peer.address.protocol() == QAbstractSocket::IPv6Protocol
                            ? ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port)
                            : ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port));
    return peer;
}

} // namespace echw::server
