#include "CommandLine.h"

#include "config/AppSettings.h"
#include "config/FlagParser.h"
#include "config/SecretOption.h"
#include "config/SettingsValidation.h"

namespace echw {

namespace {

constexpr FlagSpec kFlags[] = {
    {"l", "ADDR", "listen address, SOCKS5 and HTTP on one port (default 127.0.0.1:30000)"},
    {"auth", "USER:PASSWORD", "clients must log in (SOCKS5 username/password, HTTP Basic)"},
    {"auth-file", "FILE",
     "the -auth value from a file only its owner can read (other users can read a command "
     "line)"},
    {"allow-lan", nullptr, "listen on a non-loopback address without -auth: an open proxy"},
    {"f", "HOST:PORT[/PATH]", "worker server address (required)"},
    {"ip", "ADDR", "preferred IP or host name to connect to instead of the server's host"},
    {"token", "TOKEN", "token sent as Sec-WebSocket-Protocol"},
    {"token-file", "FILE",
     "the -token value from a file only its owner can read (other users can read a command "
     "line)"},
    {"dns", "URL", "DoH server for the ECH config (default dns.alidns.com/dns-query)"},
    {"ech", "DOMAIN",
     "domain whose HTTPS record holds the ECH config (default cloudflare-ech.com)"},
    {"routing", "MODE", "global, bypass_cn or none (default global)"},
    {"ca", "FILE", "extra CA certificates (PEM) for a self-hosted server"},
    {"fallback", nullptr, "connect without ECH: plain TLS 1.3, the server name goes out in clear"},
    {"lists", "DIR", "folder with chn_ip.txt (and chn_ip_v6.txt) for bypass_cn"},
    {"rules", "FILE",
     "user routing rules, one per line: domain|suffix|keyword|cidr:VALUE direct|tunnel|block"},
    {"resolver", "system|URL", "how bypass_cn resolves names: the system, or a DoH server URL"},
    {"cache-size", "N", "routing cache entries (default 10000)"},
    {"max-connections", "N", "open client connections before new ones wait (default 1000)"},
    {"threads", "N",
     "engine threads, each with its own event loop (default: one per core, as in the desktop app)"},
    {"keepalive", "SECONDS",
     "WebSocket ping on open tunnels every SECONDS, 0 for none (default 30)"},
    {"pool", "N",
     "keep up to N worker sessions ready ahead of demand, 0 to open each on demand (default 0, "
     "at most 64)"},
    {"udp-dns", "URL",
     "DoH server answering DNS over SOCKS5 UDP, through the tunnel (default "
     "https://cloudflare-dns.com/dns-query)"},
    {"update-lists", nullptr,
     "download the China lists, check them, replace the old ones, and exit"},
    {"metrics", "ADDR", "serve Prometheus metrics at http://ADDR/metrics (default off)"},
    {"metrics-allow-lan", nullptr,
     "let -metrics listen on a non-loopback address: the network can see how the proxy is used"},
    {"loglevel", "LEVEL", "debug, info, warning or error (default info)"},
};

// The environment variables that stand in for -token and -auth (see SecretOption).
constexpr QLatin1StringView kTokenVariable("ECH_WORKERS_TOKEN");
constexpr QLatin1StringView kAuthVariable("ECH_WORKERS_AUTH");

// The values hold secrets: errors never quote them.
QString applyToken(ProxySettings& s, const Secret& token)
{
    if (token.value.contains(u'\r') || token.value.contains(u'\n') || token.value.contains(u','))
        return QStringLiteral("invalid value for %1: it must not contain line breaks or commas")
            .arg(token.origin);
    s.server.token = token.value;
    return {};
}

QString applyAuth(ProxySettings& s, const Secret& auth)
{
    const qsizetype colon = auth.value.indexOf(u':');
    if (colon <= 0 || colon == auth.value.size() - 1)
        return QStringLiteral("invalid value for %1: expected USER:PASSWORD, both non-empty")
            .arg(auth.origin);
    const QString user = auth.value.left(colon);
    const QString password = auth.value.mid(colon + 1);
    if (const auto problem = checkProxyCredentials(user, password))
        return QStringLiteral("invalid value for %1: %2").arg(auth.origin, problem->problem.text());
    s.authUser = user;
    s.authPassword = password;
    return {};
}

struct ParseState {
    CommandLine& result;
    SecretOption token{QLatin1StringView("token"), QLatin1StringView("token-file"), kTokenVariable,
                       QLatin1StringView("token")};
    SecretOption auth{QLatin1StringView("auth"), QLatin1StringView("auth-file"), kAuthVariable,
                      QLatin1StringView("login")};
};

// Checks one flag's value and stores it; returns an error line or an empty string.
QString apply(ParseState& state, const QString& flag, const QString& value)
{
    CommandLine& result = state.result;
    ProxySettings& s = result.settings;
    if (flag == QStringLiteral("l")) {
        const auto parsed = parseListenAddress(value);
        if (auto* error = std::get_if<Problem>(&parsed))
            return invalidFlagValue(flag, value, error->text());
        s.listen = value;
    } else if (state.auth.handles(flag)) {
        return state.auth.take(flag, value,
                               [&s](const Secret& auth) { return applyAuth(s, auth); });
    } else if (state.token.handles(flag)) {
        return state.token.take(flag, value,
                                [&s](const Secret& token) { return applyToken(s, token); });
    } else if (flag == QStringLiteral("allow-lan")) {
        s.allowLanWithoutAuth = value == QStringLiteral("true");
    } else if (flag == QStringLiteral("f")) {
        const auto parsed = parseServerAddress(value);
        if (auto* error = std::get_if<Problem>(&parsed))
            return invalidFlagValue(flag, value, error->text());
        s.server.address = value;
    } else if (flag == QStringLiteral("ip")) {
        if (!value.isEmpty()) {
            if (auto error = checkPreferredAddress(value))
                return invalidFlagValue(flag, value, error->text());
        }
        s.server.preferredIp = value;
    } else if (flag == QStringLiteral("dns")) {
        const auto parsed = parseDohServer(value);
        if (auto* error = std::get_if<Problem>(&parsed))
            return invalidFlagValue(flag, value, error->text());
        s.server.dohServer = value;
    } else if (flag == QStringLiteral("ech")) {
        if (auto error = checkDomainName(value))
            return invalidFlagValue(flag, value, error->text());
        s.server.echDomain = value;
    } else if (flag == QStringLiteral("routing")) {
        const auto mode = routingModeFromName(value);
        if (!mode)
            return invalidFlagValue(flag, value,
                                    QStringLiteral("must be global, bypass_cn or none"));
        s.routing = *mode;
    } else if (flag == QStringLiteral("ca")) {
        if (value.isEmpty())
            return invalidFlagValue(flag, value, QStringLiteral("expected a file name"));
        s.server.caFile = value;
    } else if (flag == QStringLiteral("fallback")) {
        s.server.withoutEch = value == QStringLiteral("true");
    } else if (flag == QStringLiteral("lists") || flag == QStringLiteral("rules")) {
        if (value.isEmpty())
            return invalidFlagValue(flag, value, QStringLiteral("expected a path"));
        (flag == QStringLiteral("lists") ? s.listDirectory : s.rulesFile) = value;
    } else if (flag == QStringLiteral("resolver")) {
        if (value != QStringLiteral("system")) {
            const auto parsed = parseDohServer(value);
            if (auto* error = std::get_if<Problem>(&parsed))
                return invalidFlagValue(flag, value, error->text());
        }
        s.resolver = value;
    } else if (flag == QStringLiteral("udp-dns")) {
        const auto parsed = parseDohServer(value);
        if (auto* error = std::get_if<Problem>(&parsed))
            return invalidFlagValue(flag, value, error->text());
        s.udpDnsServer = value;
    } else if (flag == QStringLiteral("cache-size")) {
        bool ok = false;
        const qlonglong size = value.toLongLong(&ok);
        if (!ok || size < 0 || size > 10'000'000)
            return invalidFlagValue(flag, value, QStringLiteral("must be 0 to 10000000"));
        s.routeCacheSize = qsizetype(size);
    } else if (flag == QStringLiteral("keepalive")) {
        bool ok = false;
        const int seconds = value.toInt(&ok);
        if (!ok || seconds < 0 || seconds > 3600)
            return invalidFlagValue(flag, value, QStringLiteral("must be 0 to 3600 seconds"));
        s.keepAliveInterval = std::chrono::seconds(seconds);
    } else if (flag == QStringLiteral("pool")) {
        bool ok = false;
        const int size = value.toInt(&ok);
        if (!ok || size < 0 || size > ServerProfile::kMaxWarmPoolSize)
            return invalidFlagValue(
                flag, value,
                QStringLiteral("must be 0 to %1").arg(ServerProfile::kMaxWarmPoolSize));
        s.warmPoolSize = size;
    } else if (flag == QStringLiteral("max-connections")) {
        bool ok = false;
        const int limit = value.toInt(&ok);
        if (!ok || limit < 1 || limit > 1'000'000)
            return invalidFlagValue(flag, value, QStringLiteral("must be 1 to 1000000"));
        s.connectionLimit = limit;
    } else if (flag == QStringLiteral("threads")) {
        bool ok = false;
        const int threads = value.toInt(&ok);
        if (!ok || threads < 1 || threads > 256)
            return invalidFlagValue(flag, value, QStringLiteral("must be 1 to 256"));
        result.threads = threads;
    } else if (flag == QStringLiteral("metrics")) {
        const auto parsed = parseListenAddress(value);
        if (auto* error = std::get_if<Problem>(&parsed))
            return invalidFlagValue(flag, value, error->text());
        s.metricsListen = value;
    } else if (flag == QStringLiteral("metrics-allow-lan")) {
        s.metricsAllowLan = value == QStringLiteral("true");
    } else if (flag == QStringLiteral("update-lists")) {
        result.updateLists = value == QStringLiteral("true");
    } else if (flag == QStringLiteral("loglevel")) {
        if (auto error = checkLogLevel(value))
            return invalidFlagValue(flag, value, error->text());
        result.logLevel = value;
    }
    return {};
}

} // namespace

CommandLine CommandLine::parse(const QStringList& arguments, const QProcessEnvironment& environment)
{
    CommandLine result;
    ParseState state{result};
    bool haveServer = false;
    const FlagParseResult parsed =
        parseFlags(kFlags, arguments, [&](const QString& flag, const QString& value) {
            haveServer = haveServer || flag == QStringLiteral("f");
            return apply(state, flag, value);
        });
    result.action = parsed.action;
    result.error = parsed.error;
    if (result.action != Action::Run)
        return result;
    ProxySettings& s = result.settings;
    QString error = state.token.takeFromEnvironment(
        environment, [&s](const Secret& token) { return applyToken(s, token); });
    if (error.isEmpty())
        error = state.auth.takeFromEnvironment(
            environment, [&s](const Secret& auth) { return applyAuth(s, auth); });
    if (!error.isEmpty()) {
        result.action = Action::Error;
        result.error = error;
    } else if (!haveServer && !result.updateLists) {
        result.action = Action::Error;
        result.error = QStringLiteral("flag -f is required: the worker server host:port[/path]");
    }
    return result;
}

QString CommandLine::help()
{
    QString text = QStringLiteral(
        "Usage: ech-workers -f HOST:PORT[/PATH] [flags]\n\n"
        "A local SOCKS5 + HTTP proxy that sends connections directly or through a worker over\n"
        "TLS 1.3 with Encrypted Client Hello.\n\nFlags:\n");
    text += flagTable(kFlags, 28);
    text += QStringLiteral("  -h, --help                show this help\n"
                           "  --version                 print the version\n\n"
                           "Environment:\n"
                           "  %1         the token when neither -token nor -token-file is given\n"
                           "  %2          USER:PASSWORD when neither -auth nor -auth-file is "
                           "given\n")
                .arg(kTokenVariable, kAuthVariable);
    return text;
}

} // namespace echw
