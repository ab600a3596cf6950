#include "ServerCommandLine.h"

#include "config/FlagParser.h"
#include "config/SecretOption.h"
#include "config/SettingsValidation.h"
#include "http/HttpSyntax.h"
#include "net/TargetAddress.h"

#include <limits>
#include <optional>

namespace echw::server {

namespace {

constexpr FlagSpec kFlags[] = {
    {"l", "ADDR:PORT", "listen address (default 127.0.0.1:8443; port 0 picks a free port)"},
    {"token", "TOKEN", "clients must send this as Sec-WebSocket-Protocol (default: none)"},
    {"token-file", "FILE",
     "the -token value from a file only its owner can read (other users can read a command "
     "line)"},
    {"public-name", "NAME",
     "ECH public name, the SNI seen on the network (default "
     "ech-public.invalid)"},
    {"name", "NAME",
     "a name for the generated certificate; repeat for more (default localhost "
     "and 127.0.0.1)"},
    {"cert", "FILE", "certificate chain (PEM) instead of a generated one; needs -key"},
    {"key", "FILE", "private key (PEM) of -cert"},
    {"state", "DIR", "where generated keys are kept (default: the app data folder + /server)"},
    {"doh", nullptr, "answer DNS-over-HTTPS queries for the public name at /dns-query"},
    {"allow-internal-targets", nullptr,
     "let clients reach loopback and private addresses (default: only when listening on "
     "loopback)"},
    {"dial-timeout", "SECONDS", "time to connect to a target (default 10)"},
    {"forward", "HOST:PORT",
     "pass every WebSocket upgrade unchanged to this plain-TCP address (a worker runtime "
     "behind this TLS + ECH front); DoH is still answered here"},
    {"fail-after-bytes", "N", "test hook: reset each connection after relaying N bytes"},
    {"loglevel", "LEVEL", "debug, info, warning or error (default info)"},
};

std::optional<qint64> parseCount(const QString& text, qint64 minimum, qint64 maximum)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < minimum || value > maximum)
        return std::nullopt;
    return value;
}

// A certificate name: an IP literal, a host name, or a wildcard "*.host" (RFC 6125 section
// 6.4.3 allows the star as the whole leftmost label).
bool isCertificateName(const QString& name)
{
    const QString host = name.startsWith(QStringLiteral("*.")) ? name.mid(2) : name;
    const auto target = TargetAddress::fromHostPort(host, 443);
    return target && (host == name || target->kind == TargetAddress::Kind::Domain);
}

// Stands in for -token when neither flag is given (see SecretOption).
constexpr QLatin1StringView kTokenVariable("ECH_WORKERS_SERVER_TOKEN");

struct ParseState {
    ServerCommandLine& result;
    bool namesGiven = false;
    std::optional<bool> allowInternal;
    SecretOption token{QLatin1StringView("token"), QLatin1StringView("token-file"), kTokenVariable,
                       QLatin1StringView("token")};
};

// The token travels in a header as one element of a comma-separated list of tokens (RFC 6455
// section 4.1). It is a secret: errors never quote it.
QString applyToken(WorkerSettings& settings, const Secret& token)
{
    if (!http::isToken(token.value.toUtf8()))
        return QStringLiteral("invalid value for %1: use visible ASCII without spaces, commas or "
                              "other separators")
            .arg(token.origin);
    settings.token = token.value.toUtf8();
    return {};
}

// Checks one flag's value and stores it; returns an error line or an empty string.
QString apply(ParseState& state, const QString& flag, const QString& value)
{
    ServerCommandLine& r = state.result;
    if (flag == QStringLiteral("l")) {
        const auto parsed = parseListenAddress(value);
        if (auto* error = std::get_if<Problem>(&parsed))
            return invalidFlagValue(flag, value, error->text());
        r.listenAddress = std::get<ListenAddress>(parsed).address;
        r.listenPort = std::get<ListenAddress>(parsed).port;
    } else if (state.token.handles(flag)) {
        return state.token.take(
            flag, value, [&r](const Secret& token) { return applyToken(r.settings, token); });
    } else if (flag == QStringLiteral("public-name")) {
        if (auto error = checkDomainName(value))
            return invalidFlagValue(flag, value, error->text());
        r.credentials.publicName = value.toLower();
    } else if (flag == QStringLiteral("name")) {
        if (!isCertificateName(value))
            return invalidFlagValue(flag, value,
                                    QStringLiteral("expected a host name or IP address"));
        if (!state.namesGiven)
            r.credentials.serverNames.clear();
        state.namesGiven = true;
        if (!r.credentials.serverNames.contains(value))
            r.credentials.serverNames << value;
    } else if (flag == QStringLiteral("cert") || flag == QStringLiteral("key") ||
               flag == QStringLiteral("state")) {
        if (value.isEmpty())
            return invalidFlagValue(flag, value, QStringLiteral("expected a path"));
        if (flag == QStringLiteral("cert"))
            r.credentials.certificateFile = value;
        else if (flag == QStringLiteral("key"))
            r.credentials.keyFile = value;
        else
            r.credentials.stateDir = value;
    } else if (flag == QStringLiteral("doh")) {
        r.settings.dohEnabled = value == QStringLiteral("true");
    } else if (flag == QStringLiteral("allow-internal-targets")) {
        state.allowInternal = value == QStringLiteral("true");
    } else if (flag == QStringLiteral("dial-timeout")) {
        const auto seconds = parseCount(value, 1, 300);
        if (!seconds)
            return invalidFlagValue(flag, value,
                                    QStringLiteral("expected whole seconds, 1 to 300"));
        r.settings.dialTimeout = std::chrono::seconds(*seconds);
    } else if (flag == QStringLiteral("forward")) {
        r.settings.forwardUpgradesTo = TargetAddress::fromAuthority(value);
        if (!r.settings.forwardUpgradesTo)
            return invalidFlagValue(flag, value, QStringLiteral("expected HOST:PORT"));
    } else if (flag == QStringLiteral("fail-after-bytes")) {
        const auto bytes = parseCount(value, 1, std::numeric_limits<qint64>::max());
        if (!bytes)
            return invalidFlagValue(flag, value,
                                    QStringLiteral("expected a positive number of bytes"));
        r.settings.failAfterBytes = *bytes;
    } else if (flag == QStringLiteral("loglevel")) {
        if (auto error = checkLogLevel(value))
            return invalidFlagValue(flag, value, error->text());
        r.logLevel = value;
    }
    return {};
}

ServerCommandLine failed(ServerCommandLine result, QString error)
{
    result.action = ServerCommandLine::Action::Error;
    result.error = std::move(error);
    return result;
}

} // namespace

ServerCommandLine ServerCommandLine::parse(const QStringList& arguments,
                                           const QString& defaultStateDir,
                                           const QProcessEnvironment& environment)
{
    ServerCommandLine result;
    result.credentials.publicName = kDefaultPublicName;
    result.credentials.serverNames = {QStringLiteral("localhost"), QStringLiteral("127.0.0.1")};
    result.credentials.stateDir = defaultStateDir;
    ParseState state{result, false, std::nullopt};

    const FlagParseResult parsed =
        parseFlags(kFlags, arguments, [&state](const QString& flag, const QString& value) {
            return apply(state, flag, value);
        });
    if (parsed.action != Action::Run) {
        result.action = parsed.action;
        result.error = parsed.error;
        return result;
    }

    if (QString error = state.token.takeFromEnvironment(
            environment,
            [&result](const Secret& token) { return applyToken(result.settings, token); });
        !error.isEmpty())
        return failed(result, std::move(error));
    if (result.credentials.certificateFile.isEmpty() != result.credentials.keyFile.isEmpty())
        return failed(result, QStringLiteral("flags -cert and -key go together: give both"));
    if (result.credentials.stateDir.isEmpty())
        return failed(result, QStringLiteral("flag -state is required: no app data folder found"));
    // A worker anyone can reach must not open the way into the network it runs in, unless the
    // operator says so; on loopback the only clients are local anyway.
    result.settings.allowInternalTargets =
        state.allowInternal.value_or(result.listenAddress.isLoopback());
    return result;
}

QString ServerCommandLine::help()
{
    QString text = QStringLiteral(
        "Usage: ech-workers-server [flags]\n\n"
        "A self-hosted worker for ech-workers clients: TLS 1.3 with Encrypted Client Hello,\n"
        "WebSocket sessions that each carry one TCP connection to a target.\n\n"
        "On start it prints the ECH config (\"ech-config <base64>\" and a PEM block), the\n"
        "certificate in use (\"certificate <path>\") and \"listening on HOST:PORT\".\n\nFlags:\n");
    text += flagTable(kFlags, 32);
    text += QStringLiteral("  -h, --help                      show this help\n"
                           "  --version                       print the version\n\n"
                           "Environment:\n"
                           "  %1      the token when neither -token nor -token-file is "
                           "given\n")
                .arg(kTokenVariable);
    return text;
}

} // namespace echw::server
