#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QString>

#include <chrono>

class QTcpSocket;

// Small pieces both integration tests drive the proxy with: raw SOCKS5 requests, socket reads
// under a deadline, file hashes and a port nothing listens on.
namespace echw::test {

// Lower-case hex SHA-256 of a file's contents; empty when it cannot be read.
QString sha256OfFile(const QString& path);

// The SOCKS5 greeting (no authentication, RFC 1928 section 3) and a CONNECT request in one
// write, to a domain name (ATYP 3) or to an IPv4 address (ATYP 1).
QByteArray socks5ConnectRequest(const QByteArray& host, quint16 port);
QByteArray socks5ConnectRequest(const QHostAddress& ipv4, quint16 port);

// Reads exactly n bytes; fewer when the deadline passes or the peer closes first.
QByteArray readExactly(QTcpSocket& socket, qsizetype n,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
// Reads until the peer closes the connection or the deadline passes.
QByteArray readUntilClosed(QTcpSocket& socket,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A loopback port that was free a moment ago (bound, noted, closed); 0 when none was found.
quint16 closedPort();

} // namespace echw::test
