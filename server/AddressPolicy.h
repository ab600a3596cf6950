#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringView>

#include <chrono>
#include <functional>
#include <optional>

namespace echw::server {

// The special-purpose block of the IANA registries (RFC 6890, with the registries' later
// entries) that `address` lies in, named with its RFC, when the block is not globally
// reachable; std::nullopt for an address a public worker may connect to. Multicast, IPv6
// outside 2000::/3 and deprecated blocks count as special too. IPv4-mapped addresses, the
// NAT64 well-known prefix (RFC 6052) and 6to4 (RFC 3056) are judged by the IPv4 address inside,
// since connecting to them reaches that address.
std::optional<QString> specialPurposeBlock(const QHostAddress& address);
inline bool isInternalAddress(const QHostAddress& address)
{
    return specialPurposeBlock(address).has_value();
}

// How the system resolver reads a numeric host: inet_aton's forms ("127.1", "0x7f.0.0.1",
// "0177.0.0.1", "2130706433"), which getaddrinfo takes as an address without asking DNS.
// std::nullopt for anything else (names, IPv6).
std::optional<QHostAddress> numericIPv4Host(QStringView host);

// This host's own addresses, as its network interfaces have them now. Read again when older than
// `maxAge`, so an address gained from DHCP or a new interface counts within that time, without
// asking the kernel on every CONNECT.
class LocalAddresses {
public:
    using Source = std::function<QList<QHostAddress>()>;

    explicit LocalAddresses(Source source = defaultSource(),
                            std::chrono::milliseconds maxAge = std::chrono::seconds(30));

    bool contains(const QHostAddress& address);

    static Source defaultSource(); // QNetworkInterface::allAddresses

private:
    Source m_source;
    std::chrono::milliseconds m_maxAge;
    std::optional<std::chrono::steady_clock::time_point> m_readAt;
    QList<QHostAddress> m_addresses; // normal form: IPv4 as IPv4, no scope
};

// Which addresses a CONNECT may reach: with `allowAll` every address (-allow-internal-targets,
// or a server on loopback), otherwise none of the special-purpose blocks and none of the
// server's own addresses. A worker on a VPS that let its clients in there would hand them the
// VPS's own services (on every address it has, not only loopback), its private network and the
// cloud metadata endpoint.
class TargetPolicy {
public:
    explicit TargetPolicy(bool allowAll, LocalAddresses localAddresses = LocalAddresses());

    // Why the worker must not connect to `address`, for the log; std::nullopt when it may.
    std::optional<QString> refusal(const QHostAddress& address);

private:
    bool m_allowAll;
    LocalAddresses m_localAddresses;
};

// The address and port at the other end of a connected socket.
struct SocketPeer {
    QHostAddress address;
    quint16 port = 0;

    QString toString() const; // "1.2.3.4:5", "[::1]:5"
};
std::optional<SocketPeer> socketPeer(int descriptor);

} // namespace echw::server
