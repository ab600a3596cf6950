#pragma once

#include "config/Problem.h"

#include <QHostAddress>
#include <QString>
#include <QUrl>

#include <optional>
#include <variant>

namespace echw {

// Checks for the values a user types (flags, the settings dialog). Each returns the parsed
// value or what is wrong with it (a Problem, rendered for the person who typed it).

struct ListenAddress {
    QHostAddress address;
    quint16 port = 0;
};
std::variant<ListenAddress, Problem> parseListenAddress(const QString& text);
// Listening anywhere but loopback (127.0.0.0/8, ::1, localhost) opens the proxy to whoever can
// reach the port: that needs credentials or the explicit allowWithoutAuth. Returns what to do
// when neither is given. `listen` must parse.
std::optional<Problem> checkNetworkExposure(const QString& listen, bool hasCredentials,
                                            bool allowWithoutAuth);
bool listensOnLoopback(const QString& listen);

// A problem with the proxy's user name or password; the message never quotes the password.
struct CredentialsProblem {
    enum class Field { User, Password };
    Field field = Field::User;
    Problem problem;
};
// Both set or both empty, each 1 to 255 bytes of UTF-8 (RFC 1929 section 2), no control
// characters, and no ':' in the user name (RFC 7617 section 2 splits there).
std::optional<CredentialsProblem> checkProxyCredentials(const QString& user,
                                                        const QString& password);

struct ServerAddress {
    QString host;
    quint16 port = 443;
    QString path = QStringLiteral("/");
    bool operator==(const ServerAddress&) const = default;
};
std::variant<ServerAddress, Problem> parseServerAddress(const QString& text);

// A DoH server "host/path" or "https://host[:port]/path"; returns the full https URL.
std::variant<QUrl, Problem> parseDohServer(const QString& text);

std::optional<Problem> checkDomainName(const QString& text);
// A preferred IP: an IP literal or a host name (a CNAME of the worker's edge).
std::optional<Problem> checkPreferredAddress(const QString& text);
// A -loglevel value: debug, info, warning or error, as both programs spell them.
std::optional<Problem> checkLogLevel(const QString& text);

} // namespace echw
