#include "CommandLine.h"

#include "config/SettingsValidation.h"

#include <functional>

namespace echw {

namespace {

struct Flag {
    const char* name;
    const char* valueName; // nullptr for a boolean flag
    const char* help;
};

constexpr Flag kFlags[] = {
    {"l", "ADDR", "listen address, SOCKS5 and HTTP on one port (default 127.0.0.1:30000)"},
    {"f", "HOST:PORT[/PATH]", "worker server address (required)"},
    {"ip", "ADDR", "preferred IP or host name to connect to instead of the server's host"},
    {"token", "TOKEN", "token sent as Sec-WebSocket-Protocol"},
    {"dns", "URL", "DoH server for the ECH config (default dns.alidns.com/dns-query)"},
    {"ech", "DOMAIN",
     "domain whose HTTPS record holds the ECH config (default cloudflare-ech.com)"},
    {"routing", "MODE", "global, bypass_cn or none (default global)"},
    {"ca", "FILE", "extra CA certificates (PEM) for a self-hosted server"},
    {"fallback", nullptr, "connect without ECH: plain TLS 1.3, the server name goes out in clear"},
    {"loglevel", "LEVEL", "debug, info, warning or error (default info)"},
};

const Flag* findFlag(const QString& name)
{
    for (const Flag& flag : kFlags) {
        if (name == QLatin1StringView(flag.name))
            return &flag;
    }
    return nullptr;
}

QString invalid(const QString& flag, const QString& value, const QString& why)
{
    return QStringLiteral("invalid value \"%1\" for flag -%2: %3").arg(value, flag, why);
}

// Checks one flag's value and stores it; returns an error line or an empty string.
QString apply(CommandLine& result, const QString& flag, const QString& value)
{
    ProxySettings& s = result.settings;
    if (flag == QStringLiteral("l")) {
        const auto parsed = parseListenAddress(value);
        if (auto* error = std::get_if<QString>(&parsed))
            return invalid(flag, value, *error);
        s.listen = value;
    } else if (flag == QStringLiteral("f")) {
        const auto parsed = parseServerAddress(value);
        if (auto* error = std::get_if<QString>(&parsed))
            return invalid(flag, value, *error);
        s.server.address = value;
    } else if (flag == QStringLiteral("ip")) {
        if (!value.isEmpty()) {
            if (auto error = checkPreferredAddress(value))
                return invalid(flag, value, *error);
        }
        s.server.preferredIp = value;
    } else if (flag == QStringLiteral("token")) {
        // The value is a secret: errors never quote it.
        if (value.contains(u'\r') || value.contains(u'\n') || value.contains(u','))
            return QStringLiteral(
                "invalid value for flag -token: it must not contain line breaks or commas");
        s.server.token = value;
    } else if (flag == QStringLiteral("dns")) {
        const auto parsed = parseDohServer(value);
        if (auto* error = std::get_if<QString>(&parsed))
            return invalid(flag, value, *error);
        s.server.dohServer = value;
    } else if (flag == QStringLiteral("ech")) {
        if (auto error = checkDomainName(value))
            return invalid(flag, value, *error);
        s.server.echDomain = value;
    } else if (flag == QStringLiteral("routing")) {
        const auto mode = routingModeFromName(value);
        if (!mode)
            return invalid(flag, value, QStringLiteral("must be global, bypass_cn or none"));
        s.routing = *mode;
    } else if (flag == QStringLiteral("ca")) {
        if (value.isEmpty())
            return invalid(flag, value, QStringLiteral("expected a file name"));
        s.server.caFile = value;
    } else if (flag == QStringLiteral("fallback")) {
        if (value != QStringLiteral("true") && value != QStringLiteral("false"))
            return invalid(flag, value, QStringLiteral("must be true or false"));
        s.server.withoutEch = value == QStringLiteral("true");
    } else if (flag == QStringLiteral("loglevel")) {
        static const QStringList levels = {QStringLiteral("debug"), QStringLiteral("info"),
                                           QStringLiteral("warning"), QStringLiteral("error")};
        if (!levels.contains(value))
            return invalid(flag, value, QStringLiteral("must be debug, info, warning or error"));
        result.logLevel = value;
    }
    return {};
}

} // namespace

CommandLine CommandLine::parse(const QStringList& arguments)
{
    CommandLine result;
    bool haveServer = false;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        QString argument = arguments.at(i);
        if (argument == QStringLiteral("-h") || argument == QStringLiteral("-help") ||
            argument == QStringLiteral("--help")) {
            result.action = Action::Help;
            return result;
        }
        if (argument == QStringLiteral("-version") || argument == QStringLiteral("--version")) {
            result.action = Action::Version;
            return result;
        }
        if (!argument.startsWith(u'-') || argument == QStringLiteral("-") ||
            argument == QStringLiteral("--")) {
            result.action = Action::Error;
            result.error =
                QStringLiteral("unexpected argument \"%1\" (flags start with -)").arg(argument);
            return result;
        }
        argument.remove(0, argument.startsWith(QStringLiteral("--")) ? 2 : 1);
        QString name = argument;
        std::optional<QString> value;
        if (const qsizetype eq = argument.indexOf(u'='); eq >= 0) {
            name = argument.left(eq);
            value = argument.mid(eq + 1);
        }
        const Flag* flag = findFlag(name);
        if (!flag) {
            result.action = Action::Error;
            result.error =
                QStringLiteral("flag provided but not defined: -%1 (see --help)").arg(name);
            return result;
        }
        if (!value) {
            if (!flag->valueName) {
                value = QStringLiteral("true");
            } else if (i + 1 < arguments.size()) {
                value = arguments.at(++i);
            } else {
                result.action = Action::Error;
                result.error = QStringLiteral("flag needs an argument: -%1").arg(name);
                return result;
            }
        }
        const QString error = apply(result, name, *value);
        if (!error.isEmpty()) {
            result.action = Action::Error;
            result.error = error;
            return result;
        }
        haveServer = haveServer || name == QStringLiteral("f");
    }
    if (!haveServer) {
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
    for (const Flag& flag : kFlags) {
        QString left = QStringLiteral("  -%1").arg(QLatin1StringView(flag.name));
        if (flag.valueName)
            left += QStringLiteral(" %1").arg(QLatin1StringView(flag.valueName));
        text += left.leftJustified(28) + QLatin1StringView(flag.help) + u'\n';
    }
    text += QStringLiteral("  -h, --help                show this help\n"
                           "  --version                 print the version\n");
    return text;
}

} // namespace echw
