#pragma once

#include "HttpRequestHead.h"
#include "HttpResponse.h"

#include <QByteArray>
#include <QString>

#include <variant>

namespace echw::server {

// What a request is for, decided from its head alone. Pure: no sockets, no state.
//
// - `Upgrade: websocket` on any path: the WebSocket opening handshake (RFC 6455 section 4.2),
//   checked and answered 101 or refused. Any path is accepted, as the reference worker does, so
//   clients configured with `host:port/anything` keep working.
// - `/dns-query` (GET with `?dns=`, or POST) when DoH is on: an RFC 8484 query for the ECH config.
// - `/`: 200 "WebSocket Proxy Server"; anything else 426, as the reference worker answers.
struct RouterConfig {
    // Empty: anyone may connect, and the 101 selects no subprotocol whatever was offered (as
    // the deployed worker without a token answers). Never logged.
    QByteArray token;
    bool dohEnabled = false;
};

// The 101 response that opens the worker session.
struct WebSocketUpgrade {
    QByteArray response;
};

// A DoH GET: the query is in the URL, ready to answer.
struct DnsQuery {
    QByteArray query;
};

// A DoH POST: the query is the body, `length` bytes after the head.
struct DnsQueryBody {
    qint64 length = 0;
};

using Route = std::variant<HttpResponse, WebSocketUpgrade, DnsQuery, DnsQueryBody>;

Route routeRequest(const HttpRequestHead& head, const RouterConfig& config);

// The answer to a DoH query (RFC 8484 section 4.2): the HTTPS record carrying our ECH config
// for the public name, or 400 when the query is not one we can answer.
HttpResponse answerDnsQuery(QByteArrayView query, const QString& publicName,
                            const QByteArray& echConfigList);

// DoH bodies are DNS messages, far below this (RFC 8484 section 6 expects up to 64 KiB at most;
// a query for one name is under 300 bytes).
inline constexpr qint64 kMaxDnsQueryBytes = 4096;

} // namespace echw::server
