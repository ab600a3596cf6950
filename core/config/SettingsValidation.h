#pragma once

#include <QHostAddress>
#include <QString>
#include <QUrl>

#include <optional>
#include <variant>

namespace echw {

// Checks for the values a user types (flags, the settings dialog). Each returns the parsed
// value or a sentence saying what is wrong, written for the person who typed it.

struct ListenAddress {
    QHostAddress address;
    quint16 port = 0;
};
std::variant<ListenAddress, QString> parseListenAddress(const QString& text);

struct ServerAddress {
    QString host;
    quint16 port = 443;
    QString path = QStringLiteral("/");
};
std::variant<ServerAddress, QString> parseServerAddress(const QString& text);

// A DoH server "host/path" or "https://host[:port]/path"; returns the full https URL.
std::variant<QUrl, QString> parseDohServer(const QString& text);

std::optional<QString> checkDomainName(const QString& text);
// A preferred IP: an IP literal or a host name (a CNAME of the worker's edge).
std::optional<QString> checkPreferredAddress(const QString& text);
// A -loglevel value: debug, info, warning or error, as both programs spell them.
std::optional<QString> checkLogLevel(const QString& text);

} // namespace echw
