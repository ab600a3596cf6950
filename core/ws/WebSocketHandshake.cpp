#include "WebSocketHandshake.h"

#include "http/HttpHead.h"
#include "http/HttpSyntax.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

namespace echw {

namespace {

using Result = WebSocketUpgradeResponseParser::Result;

// RFC 6455 section 1.3: the GUID the server appends to the key before hashing.
constexpr QByteArrayView kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
// Section 4.1: the key is 16 random bytes, base64-encoded.
constexpr qsizetype kKeyBytes = 16;
constexpr quint16 kDefaultPort = 443;

bool isHostCharacter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == ':';
}

// The request-target: the path's UTF-8 with anything that is not visible ASCII
// percent-encoded, so no byte of it can end the request line (RFC 9112 section 3.2).
QByteArray encodePath(const QString& path)
{
    const QByteArray utf8 = path.toUtf8();
    QByteArray encoded;
    encoded.reserve(utf8.size() + 1);
    if (!utf8.startsWith('/'))
        encoded.append('/');
    for (char c : utf8) {
        // A fragment is never sent (RFC 9110 section 7.1), so '#' can only be part of the path.
        if (http::isVisibleAscii(c) && c != '#') {
            encoded.append(c);
        } else {
            encoded.append('%');
            encoded.append(QByteArray::number(uchar(c), 16).rightJustified(2, '0').toUpper());
        }
    }
    return encoded;
}

// Names for the statuses a worker, Cloudflare's edge or a proxy in front of a self-hosted server
// answer with. The response's own reason phrase is not repeated: it is the server's text, and
// the user's error should not echo whatever a server chose to put there.
QString statusName(int status)
{
    static constexpr std::array<std::pair<int, QLatin1StringView>, 22> kNames{{
        {200, QLatin1StringView("OK")},
        {301, QLatin1StringView("Moved Permanently")},
        {302, QLatin1StringView("Found")},
        {307, QLatin1StringView("Temporary Redirect")},
        {308, QLatin1StringView("Permanent Redirect")},
        {400, QLatin1StringView("Bad Request")},
        {403, QLatin1StringView("Forbidden")},
        {404, QLatin1StringView("Not Found")},
        {405, QLatin1StringView("Method Not Allowed")},
        {426, QLatin1StringView("Upgrade Required")},
        {429, QLatin1StringView("Too Many Requests")},
        {500, QLatin1StringView("Internal Server Error")},
        {502, QLatin1StringView("Bad Gateway")},
        {503, QLatin1StringView("Service Unavailable")},
        {504, QLatin1StringView("Gateway Timeout")},
        // Cloudflare's own statuses, for failures between its edge and an origin.
        {520, QLatin1StringView("Unknown Error")},
        {521, QLatin1StringView("Web Server Is Down")},
        {522, QLatin1StringView("Connection Timed Out")},
        {523, QLatin1StringView("Origin Is Unreachable")},
        {524, QLatin1StringView("A Timeout Occurred")},
        {525, QLatin1StringView("SSL Handshake Failed")},
        {526, QLatin1StringView("Invalid SSL Certificate")},
    }};
    const QString code = QString::number(status);
    const auto it = std::find_if(kNames.begin(), kNames.end(),
                                 [status](const auto& entry) { return entry.first == status; });
    return it == kNames.end() ? code : code + u' ' + it->second;
}

} // namespace

std::variant<WebSocketUpgradeRequest, QString>
buildWebSocketUpgradeRequest(const WebSocketUpgradeParams& params)
{
    const QByteArray host = params.host.toUtf8();
    if (host.isEmpty() || !std::all_of(host.begin(), host.end(), isHostCharacter))
        return QStringLiteral("the server host \"%1\" cannot be sent in a Host header")
            .arg(params.host);
    // The token travels as a header value; anything but visible ASCII could end the header or
    // be mangled on the way. The message must not quote it.
    const QByteArray subprotocol = params.subprotocol.toUtf8();
    if (!std::all_of(subprotocol.begin(), subprotocol.end(), http::isVisibleAscii))
        return QStringLiteral("the token contains spaces, control or non-ASCII characters, which "
                              "cannot be sent in the Sec-WebSocket-Protocol header");

    quint32 nonce[kKeyBytes / sizeof(quint32)];
    QRandomGenerator::system()->fillRange(nonce);

    WebSocketUpgradeRequest request;
    request.key = QByteArray(reinterpret_cast<const char*>(nonce), kKeyBytes).toBase64();

    // Section 4.1: Host carries the port only when it is not the scheme's default, and an IPv6
    // literal in brackets (RFC 9110 section 7.2).
    QByteArray authority = host.contains(':') ? '[' + host + ']' : host;
    if (params.port != kDefaultPort)
        authority += ':' + QByteArray::number(params.port);

    QByteArray& out = request.bytes;
    out = "GET " + encodePath(params.path) + " HTTP/1.1\r\n";
    out += "Host: " + authority + "\r\n";
    out += "Upgrade: websocket\r\n";
    out += "Connection: Upgrade\r\n";
    out += "Sec-WebSocket-Key: " + request.key + "\r\n";
    out += "Sec-WebSocket-Version: 13\r\n";
    if (!subprotocol.isEmpty())
        out += "Sec-WebSocket-Protocol: " + subprotocol + "\r\n";
    out += "User-Agent: " +
           (params.userAgent.isEmpty() ? QByteArrayLiteral("ech-workers/" ECHW_VERSION)
                                       : params.userAgent) +
           "\r\n";
    out += "\r\n";
    return request;
}

WebSocketUpgradeResponseParser::WebSocketUpgradeResponseParser(QByteArray key, QString subprotocol)
    : m_key(std::move(key))
    , m_subprotocol(subprotocol.toUtf8())
{}

QByteArray WebSocketUpgradeResponseParser::acceptFor(QByteArrayView key)
{
    QCryptographicHash hash(QCryptographicHash::Sha1);
    hash.addData(key);
    hash.addData(kAcceptGuid);
    return hash.result().toBase64();
}

Result WebSocketUpgradeResponseParser::append(QByteArrayView bytes)
{
    if (m_result.status != Result::Status::NeedMore)
        return m_result;
    m_buffer.append(bytes);
    switch (m_scanner.scan(m_buffer)) {
    case http::HeadScanner::Status::NeedMore:
        return m_result;
    case http::HeadScanner::Status::Failed:
        if (m_scanner.error().status == 431)
            return reject(0, QStringLiteral("the server's response head exceeds %1 KiB")
                                 .arg(kMaxHeadBytes / 1024));
        return reject(statusOf(m_buffer), QStringLiteral("the server's response head is "
                                                         "malformed: %1")
                                              .arg(QString::fromLatin1(m_scanner.error().reason)));
    case http::HeadScanner::Status::Complete:
        break;
    }
    m_result = check(QByteArrayView(m_buffer).first(m_scanner.consumed()));
    Result result = m_result;
    if (result.status == Result::Status::Accepted)
        result.remaining = m_buffer.sliced(m_scanner.consumed());
    m_buffer.clear();
    return result;
}

// The status code of a head whose status line is well-formed, else 0.
int WebSocketUpgradeResponseParser::statusOf(QByteArrayView head)
{
    const qsizetype lineEnd = head.indexOf("\r\n");
    if (lineEnd < 0)
        return 0;
    const QByteArray statusLine = head.first(lineEnd + 2).toByteArray() + "\r\n";
    const auto parsed = http::parseResponseHead(statusLine);
    const auto* response = std::get_if<http::ResponseHead>(&parsed);
    return response ? response->status : 0;
}

// Section 4.1, the client's checks of the server's handshake, in the RFC's order.
Result WebSocketUpgradeResponseParser::check(QByteArrayView head)
{
    const int status = statusOf(head);
    if (status == 0)
        return reject(0, QStringLiteral("the server's answer is not an HTTP response"));
    if (status == 401)
        return reject(status, QStringLiteral("the worker refused the token (HTTP 401)"));
    if (status != 101)
        return reject(status, QStringLiteral("the server answered HTTP %1 instead of switching to "
                                             "WebSocket")
                                  .arg(statusName(status)));
    if (!head.startsWith("HTTP/1.1"))
        return reject(status, QStringLiteral("the server switched protocols over HTTP/1.0"));

    // The shared rules of core/http: no space before the colon, no line folding, no controls
    // in values, consistent framing fields; all of them make peers disagree about a message.
    auto parsed = http::parseResponseHead(head);
    if (std::holds_alternative<http::Error>(parsed))
        return reject(status, QStringLiteral("the server sent a malformed header line"));
    const auto& response = std::get<http::ResponseHead>(parsed);
    if (std::holds_alternative<http::Error>(
            http::responseFraming(false, response.status, response.versionMinor, response.fields)))
        return reject(status, QStringLiteral("the server sent contradictory framing fields"));
    const http::Fields& fields = response.fields;
    const auto upgrade = fields.value("Upgrade");
    const auto connection = fields.value("Connection");
    const auto accept = fields.value("Sec-WebSocket-Accept");
    const auto protocol = fields.value("Sec-WebSocket-Protocol");
    const auto extensions = fields.value("Sec-WebSocket-Extensions");

    if (!upgrade || !http::equalsIgnoringCase(*upgrade, "websocket"))
        return reject(status,
                      QStringLiteral("the server switched protocols without Upgrade: websocket"));
    if (!connection || !http::listContains(*connection, "upgrade"))
        return reject(status,
                      QStringLiteral("the server switched protocols without Connection: Upgrade"));
    if (!accept)
        return reject(status, QStringLiteral("the server did not send Sec-WebSocket-Accept"));
    if (*accept != acceptFor(m_key))
        return reject(status, QStringLiteral("the server's Sec-WebSocket-Accept does not match "
                                             "the key (a proxy may have answered instead)"));
    // We offer no extension, so the server may not use one (section 9.1).
    if (extensions && !extensions->isEmpty())
        return reject(status, QStringLiteral("the server enabled a WebSocket extension that was "
                                             "not offered"));
    // The worker echoes the token when it checks and accepts it. No field at all means the
    // server selected no subprotocol, which section 4.1 allows: the deployed worker without a
    // token of its own answers so. A different value means something else answered. The values
    // are never quoted: one of them is the token.
    if (m_subprotocol.isEmpty() && protocol)
        return reject(status, QStringLiteral("the server selected a subprotocol although none "
                                             "was requested"));
    if (!m_subprotocol.isEmpty() && protocol && *protocol != m_subprotocol)
        return reject(status, QStringLiteral("the server selected a subprotocol other than the "
                                             "token"));

    Result result;
    result.status = Result::Status::Accepted;
    result.tokenUnchecked = !m_subprotocol.isEmpty() && !protocol;
    return result;
}

Result WebSocketUpgradeResponseParser::reject(int httpStatus, QString reason)
{
    m_buffer.clear();
    m_result.status = Result::Status::Rejected;
    m_result.httpStatus = httpStatus;
    m_result.reason = std::move(reason);
    return m_result;
}

} // namespace echw
