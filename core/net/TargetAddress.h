#pragma once

#include <QString>
#include <QStringView>

#include <optional>

namespace echw {

// Where a proxied connection should go, as the local client named it.
struct TargetAddress {
    enum class Kind { IPv4, IPv6, Domain };

    Kind kind = Kind::Domain;
    QString host; // IPv6 without brackets; domain names lower-cased
    quint16 port = 0;

    // "host:port", or "[v6]:port" for IPv6 literals (the worker protocol's CONNECT form).
    QString toString() const;

    // Classifies host as IPv4 / IPv6 literal or domain name and validates it. A domain must be
    // 1..253 characters of letters, digits, '-', '_' and '.'; nothing else is accepted.
    static std::optional<TargetAddress> fromHostPort(QStringView host, quint16 port);

    // Parses an authority "host:port", "[v6]:port", or "host" (then defaultPort applies when
    // it is non-zero). Port 0 and out-of-range ports are rejected.
    static std::optional<TargetAddress> fromAuthority(QStringView authority,
                                                      quint16 defaultPort = 0);

    friend bool operator==(const TargetAddress&, const TargetAddress&) = default;
};

} // namespace echw
