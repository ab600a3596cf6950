#include "SettingsValidation.h"

#include "net/TargetAddress.h"

#include <QCoreApplication>
#include <QStringList>
#include <QUrl>

#include <algorithm>

namespace echw {

namespace {

std::optional<quint16> parsePort(const QString& text, bool allowZero)
{
    bool ok = false;
    const uint value = text.toUInt(&ok);
    if (!ok || text.size() > 5 || value > 65535 || (!allowZero && value == 0))
        return std::nullopt;
    return quint16(value);
}

bool hasControlCharacter(const QString& text)
{
    return std::any_of(text.begin(), text.end(),
                       [](QChar c) { return c.category() == QChar::Other_Control; });
}

// RFC 1929 section 2: ULEN and PLEN are one byte, and 0 is no user or password at all.
constexpr qsizetype kMaxCredentialBytes = 255;

} // namespace

std::variant<ListenAddress, Problem> parseListenAddress(const QString& text)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon < 0)
        return Problem::of(
            QT_TRANSLATE_NOOP("echw::Problem", "\"%1\" is not host:port (e.g. 127.0.0.1:30000)"),
            {text});
    QString host = text.left(colon);
    const auto port = parsePort(text.mid(colon + 1), true);
    if (!port)
        return Problem::of(QT_TRANSLATE_NOOP("echw::Problem", "\"%1\" has no valid port (0-65535)"),
                           {text});
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    ListenAddress result;
    result.port = *port;
    if (host.isEmpty()) {
        result.address = QHostAddress(QHostAddress::Any);
    } else if (host == QStringLiteral("localhost")) {
        result.address = QHostAddress(QHostAddress::LocalHost);
    } else if (!result.address.setAddress(host)) {
        return Problem::of(
            QT_TRANSLATE_NOOP("echw::Problem", "\"%1\" is not an IP address to listen on"), {host});
    }
    return result;
}

bool listensOnLoopback(const QString& listen)
{
    const auto parsed = parseListenAddress(listen);
    const auto* address = std::get_if<ListenAddress>(&parsed);
    return address && address->address.isLoopback();
}

std::optional<Problem> checkNetworkExposure(const QString& listen, bool hasCredentials,
                                            bool allowWithoutAuth)
{
    if (hasCredentials || allowWithoutAuth || listensOnLoopback(listen))
        return std::nullopt;
    return Problem::of(
        QT_TRANSLATE_NOOP("echw::Problem",
                          "listening on %1 would open the proxy to the network: set a user "
                          "name and password for the proxy (-auth USER:PASSWORD), or allow it "
                          "without authentication (-allow-lan)"),
        {listen});
}

std::optional<CredentialsProblem> checkProxyCredentials(const QString& user,
                                                        const QString& password)
{
    using Field = CredentialsProblem::Field;
    if (user.isEmpty() != password.isEmpty()) {
        return CredentialsProblem{
            user.isEmpty() ? Field::User : Field::Password,
            Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                          "set both a user name and a password for the "
                                          "proxy, or neither"))};
    }
    if (user.toUtf8().size() > kMaxCredentialBytes)
        return CredentialsProblem{
            Field::User, Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                                       "the user name is longer than 255 bytes"))};
    if (password.toUtf8().size() > kMaxCredentialBytes)
        return CredentialsProblem{Field::Password,
                                  Problem::of(QT_TRANSLATE_NOOP(
                                      "echw::Problem", "the password is longer than 255 bytes"))};
    if (hasControlCharacter(user))
        return CredentialsProblem{
            Field::User,
            Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                          "the user name must not contain control characters"))};
    if (hasControlCharacter(password))
        return CredentialsProblem{
            Field::Password,
            Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                          "the password must not contain control characters"))};
    if (user.contains(u':'))
        return CredentialsProblem{
            Field::User, Problem::of(QT_TRANSLATE_NOOP("echw::Problem",
                                                       "the user name must not contain ':' (HTTP "
                                                       "Basic authentication splits there)"))};
    return std::nullopt;
}

std::variant<ServerAddress, Problem> parseServerAddress(const QString& text)
{
    if (text.isEmpty())
        return Problem::of(QT_TRANSLATE_NOOP(
            "echw::Problem", "the server address is empty (expected host:port[/path])"));
    if (text.contains(QStringLiteral("://")))
        return Problem::of(
            QT_TRANSLATE_NOOP("echw::Problem", "\"%1\": give host:port[/path] without a scheme"),
            {text});
    const qsizetype slash = text.indexOf(u'/');
    const QString authority = slash < 0 ? text : text.left(slash);
    const auto target = TargetAddress::fromAuthority(authority, 443);
    if (!target)
        return Problem::of(
            QT_TRANSLATE_NOOP("echw::Problem",
                              "\"%1\" is not host:port[/path] with a valid host and port"),
            {text});
    ServerAddress result;
    result.host = target->host;
    result.port = target->port;
    if (slash >= 0)
        result.path = text.mid(slash);
    if (result.path.contains(u' ') || result.path.contains(u'#'))
        return Problem::of(
            QT_TRANSLATE_NOOP("echw::Problem", "the path \"%1\" contains a space or '#'"),
            {result.path});
    return result;
}

std::variant<QUrl, Problem> parseDohServer(const QString& text)
{
    if (text.isEmpty())
        return Problem::of(QT_TRANSLATE_NOOP("echw::Problem", "the DoH server is empty"));
    QString withScheme = text;
    if (!text.contains(QStringLiteral("://")))
        withScheme.prepend(QStringLiteral("https://"));
    const QUrl url(withScheme, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return Problem::of(QT_TRANSLATE_NOOP("echw::Problem", "\"%1\" is not a DoH server address"),
                           {text});
    if (url.scheme() != QStringLiteral("https"))
        return Problem::of(
            QT_TRANSLATE_NOOP("echw::Problem", "\"%1\": DNS over HTTPS needs an https:// address"),
            {text});
    if (!url.userInfo().isEmpty() || url.hasFragment())
        return Problem::of(
            QT_TRANSLATE_NOOP("echw::Problem", "\"%1\": no user name or fragment allowed"), {text});
    return url;
}

std::optional<Problem> checkDomainName(const QString& text)
{
    const auto target = TargetAddress::fromHostPort(text, 443);
    if (!target || target->kind != TargetAddress::Kind::Domain)
        return Problem::of(QT_TRANSLATE_NOOP("echw::Problem", "\"%1\" is not a domain name"),
                           {text});
    return std::nullopt;
}

std::optional<Problem> checkPreferredAddress(const QString& text)
{
    if (!TargetAddress::fromHostPort(text, 443))
        return Problem::of(
            QT_TRANSLATE_NOOP("echw::Problem", "\"%1\" is neither an IP address nor a host name"),
            {text});
    return std::nullopt;
}

std::optional<Problem> checkLogLevel(const QString& text)
{
    static const QStringList levels = {QStringLiteral("debug"), QStringLiteral("info"),
                                       QStringLiteral("warning"), QStringLiteral("error")};
    if (!levels.contains(text))
        return Problem::of(
            QT_TRANSLATE_NOOP("echw::Problem", "must be debug, info, warning or error"));
    return std::nullopt;
}

} // namespace echw
