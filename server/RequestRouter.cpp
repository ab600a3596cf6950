#include "RequestRouter.h"

#include "ech/DnsAnswerBuilder.h"
#include "http/HttpSyntax.h"
#include "ws/WebSocketHandshake.h"

namespace echw::server {

namespace {

// RFC 6455 section 4.1: the key is 16 random bytes in base64.
constexpr qsizetype kWebSocketKeyBytes = 16;
// RFC 8484 section 5.1: DoH answers may be cached as long as the records they hold.
constexpr quint32 kDnsTtlSeconds = 300;
const QByteArray kDnsMessageType = QByteArrayLiteral("application/dns-message");

// Compares without an early exit, so the time a refusal takes says nothing about how much of
// the token was right.
bool equalsConstantTime(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    uchar difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= uchar(a[i]) ^ uchar(b[i]);
    return difference == 0;
}

HttpResponse badRequest(const QByteArray& why)
{
    return HttpResponse::text(400, "Bad Request: " + why + '\n');
}

// RFC 6455 section 4.2.1, the server's checks of the opening handshake, in the RFC's order;
// then the worker's token, carried as a subprotocol (protocol.md section 2).
Route upgrade(const HttpRequestHead& head, const RouterConfig& config)
{
    if (head.method != "GET")
        return badRequest("a WebSocket handshake must be a GET request");
    if (head.versionMinor < 1)
        return badRequest("a WebSocket handshake needs HTTP/1.1");
    if (!head.fieldHasToken("Connection", "upgrade"))
        return badRequest("the Connection header does not contain \"upgrade\"");

    const auto key = head.field("Sec-WebSocket-Key");
    if (!key || head.fieldCount("Sec-WebSocket-Key") != 1)
        return badRequest("missing Sec-WebSocket-Key");
    const auto decodedKey =
        QByteArray::fromBase64Encoding(*key, QByteArray::AbortOnBase64DecodingErrors);
    if (!decodedKey || decodedKey.decoded.size() != kWebSocketKeyBytes)
        return badRequest("Sec-WebSocket-Key is not 16 bytes in base64");

    // Section 4.4: an unsupported version is answered 426 with the versions we speak.
    if (head.field("Sec-WebSocket-Version") != "13") {
        HttpResponse response = HttpResponse::text(426, "Unsupported WebSocket version\n");
        response.addField("Sec-WebSocket-Version", "13");
        return response;
    }

    // The client offers subprotocols in one or more Sec-WebSocket-Protocol fields; the worker
    // selects the token by echoing it (section 4.2.2). Without a token it selects none, whatever
    // was offered, as the deployed worker does: a client then sees that its token was not
    // checked (protocol.md section 2), and tests see what users of that worker see.
    QByteArray selected;
    if (!config.token.isEmpty()) {
        const QByteArray offers = head.field("Sec-WebSocket-Protocol").value_or(QByteArray());
        bool matched = false;
        for (QByteArrayView offer : http::splitList(offers))
            matched = equalsConstantTime(offer, config.token) || matched;
        if (!matched)
            return HttpResponse::text(401, "Unauthorized");
        selected = config.token;
    }

    WebSocketUpgrade result;
    result.response = "HTTP/1.1 101 Switching Protocols\r\n"
                      "Upgrade: websocket\r\n"
                      "Connection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: " +
                      WebSocketUpgradeResponseParser::acceptFor(*key) + "\r\n";
    if (!selected.isEmpty())
        result.response += "Sec-WebSocket-Protocol: " + selected + "\r\n";
    result.response += "\r\n";
    return result;
}

// RFC 8484 section 4.1: GET carries the query as base64url without padding in `dns`; POST as
// the body with Content-Type application/dns-message.
Route dnsQuery(const HttpRequestHead& head)
{
    if (head.method == "GET") {
        std::optional<QByteArray> encoded;
        for (const QByteArray& parameter : head.query().split('&')) {
            if (!parameter.startsWith("dns="))
                continue;
            if (encoded)
                return badRequest("more than one dns parameter");
            encoded = QByteArray::fromPercentEncoding(parameter.sliced(4));
        }
        if (!encoded || encoded->isEmpty())
            return badRequest("missing dns parameter");
        auto query = QByteArray::fromBase64Encoding(
            *encoded, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
        if (!query || query.decoded.isEmpty() || query.decoded.size() > kMaxDnsQueryBytes)
            return badRequest("the dns parameter is not a DNS message in base64url");
        return DnsQuery{std::move(query.decoded)};
    }
    if (head.method == "POST") {
        // The media type without parameters (RFC 9110 section 8.3.1).
        const QByteArray type = head.field("Content-Type").value_or(QByteArray());
        const qsizetype parameters = type.indexOf(';');
        const QByteArray mediaType = (parameters < 0 ? type : type.left(parameters)).trimmed();
        if (mediaType.compare(kDnsMessageType, Qt::CaseInsensitive) != 0)
            return HttpResponse::text(415, "Expected Content-Type application/dns-message\n");
        const auto length = head.contentLength();
        if (!length || head.hasTransferEncoding())
            return HttpResponse::text(411, "Content-Length required\n");
        if (*length > kMaxDnsQueryBytes)
            return HttpResponse::text(413, "DNS query too large\n");
        if (*length == 0)
            return badRequest("empty DNS query");
        return DnsQueryBody{*length};
    }
    HttpResponse response = HttpResponse::text(405, "Use GET or POST\n");
    response.addField("Allow", "GET, POST");
    return response;
}

} // namespace

Route routeRequest(const HttpRequestHead& head, const RouterConfig& config)
{
    if (head.fieldHasToken("Upgrade", "websocket"))
        return upgrade(head, config);
    const QByteArray path = head.path();
    if (config.dohEnabled && path == "/dns-query")
        return dnsQuery(head);
    if (path == "/")
        return HttpResponse::text(200, "WebSocket Proxy Server");
    // RFC 9110 section 15.5.22: a 426 names the protocol to upgrade to.
    HttpResponse response = HttpResponse::text(426, "Expected WebSocket");
    response.addField("Upgrade", "websocket");
    response.addField("Connection", "Upgrade, close");
    return response;
}

HttpResponse answerDnsQuery(QByteArrayView query, const QString& publicName,
                            const QByteArray& echConfigList)
{
    auto answer = buildHttpsAnswer(query, publicName, echConfigList, kDnsTtlSeconds);
    if (auto* error = std::get_if<QString>(&answer))
        return badRequest(error->toUtf8());
    HttpResponse response;
    response.addField("Content-Type", kDnsMessageType);
    response.addField("Cache-Control", "max-age=" + QByteArray::number(kDnsTtlSeconds));
    response.body = std::get<QByteArray>(std::move(answer));
    return response;
}

} // namespace echw::server
