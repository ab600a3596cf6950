#pragma once

#include <QString>

#include <chrono>
#include <optional>

namespace echw {

enum class RoutingMode { Global, BypassCn, None };

QString routingModeName(RoutingMode mode);
std::optional<RoutingMode> routingModeFromName(const QString& name);

// One worker server (the reference client's -f, -ip, -token, -dns, -ech).
struct ServerSettings {
    QString address;     // host:port[/path]
    QString preferredIp; // connect here instead of resolving the host (SNI stays the host)
    QString token;       // never logged
    QString dohServer = QStringLiteral("dns.alidns.com/dns-query");
    QString echDomain = QStringLiteral("cloudflare-ech.com");
    QString caFile;          // extra trust anchors for self-hosted servers
    bool withoutEch = false; // explicit plain TLS 1.3: the server name goes out in clear

    bool operator==(const ServerSettings&) const = default;
};

// What a running proxy engine needs.
struct ProxySettings {
    QString listen = QStringLiteral("127.0.0.1:30000");
    // What SOCKS5 (RFC 1929) and HTTP (Proxy-Authorization: Basic) clients must present; both
    // empty: no authentication. The password is never logged.
    QString authUser;
    QString authPassword;
    // Listening on an address other machines can reach needs credentials, or this explicit
    // choice of an open proxy.
    bool allowLanWithoutAuth = false;
    ServerSettings server;
    RoutingMode routing = RoutingMode::Global;
    // Above this many established client connections new ones wait in the kernel's accept
    // queue (accepting pauses) instead of costing memory. Connections still in their handshake
    // have their own budget (InboundServer) and this deadline, from accept to a complete
    // first request: local clients finish in a round trip, so 10 s is generous.
    int connectionLimit = 1000;
    std::chrono::milliseconds handshakeTimeout{10'000};
    // WebSocket ping on open tunnels (0: off).
    std::chrono::milliseconds keepAliveInterval{30'000};
    std::chrono::milliseconds connectTimeout{10'000};
    // Worker sessions kept ready (TLS, ECH and WebSocket upgrade done) for new connections, at
    // most; 0: each tunnel opens its own session on demand (the reference client's way).
    int warmPoolSize = 0;
    // Where the ECH config is kept between runs, so a restart works while DoH is down.
    // Empty: not persisted.
    QString echCacheFile;

    // Routing. The China lists come from listDirectory alone when it is set; otherwise each
    // list from the first place holding it: next to the executable, the working directory,
    // updatedListDirectory (where list updates are written), the bundled snapshot
    // (listSearchPath() in routing/RouteLists.h).
    QString listDirectory;
    QString updatedListDirectory;
    QString rulesFile; // user rules (routing/UserRules.h); empty: none
    qsizetype routeCacheSize = 10'000;
    // "system", or a DoH server URL: then names are resolved over DoH and no plaintext DNS
    // query leaves the machine.
    QString resolver = QStringLiteral("system");
    // The DoH server (RFC 8484 POST) that answers DNS datagrams sent through SOCKS5 UDP
    // ASSOCIATE; reached through the tunnel, or directly when no tunnel runs.
    QString udpDnsServer = QStringLiteral("https://cloudflare-dns.com/dns-query");

    // Where the Prometheus endpoint (GET /metrics) listens, e.g. "127.0.0.1:9464"; empty: off.
    // Metrics reveal how the proxy is used, so an address other machines can reach needs
    // metricsAllowLan.
    QString metricsListen;
    bool metricsAllowLan = false;

    // Equal settings run the same engine: a change elsewhere (language, window) needs no
    // restart.
    bool operator==(const ProxySettings&) const = default;
};

} // namespace echw
