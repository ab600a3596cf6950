#include "WebSocketHandshake.h"

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

// The fields the checks look at; a repeated field's values are joined with ", " as RFC 9110
// section 5.3 allows, which makes a repeated single-valued field fail its check.
struct UpgradeFields {
    std::optional<QByteArray> upgrade;
    std::optional<QByteArray> connection;
    std::optional<QByteArray> accept;
    std::optional<QByteArray> protocol;
    std::optional<QByteArray> extensions;

    std::optional<QByteArray>* slotFor(QByteArrayView name)
    {
        const std::pair<QByteArrayView, std::optional<QByteArray>*> known[] = {
            {"Upgrade", &upgrade},
            {"Connection", &connection},
            {"Sec-WebSocket-Accept", &accept},
            {"Sec-WebSocket-Protocol", &protocol},
            {"Sec-WebSocket-Extensions", &extensions},
        };
        for (const auto& [fieldName, field] : known) {
            if (http::equalsIgnoringCase(name, fieldName))
                return field;
        }
        return nullptr;
    }
};

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

    // RFC 9112 section 2.2: lines end in CRLF, and a bare LF is accepted as well. The head ends
    // at the first empty line.
    for (;;) {
        const qsizetype lineEnd = m_buffer.indexOf('\n', m_scanned);
        if (lineEnd < 0) {
            m_scanned = m_buffer.size();
            break;
        }
        m_scanned = lineEnd + 1;
        if (m_scanned > kMaxHeadBytes)
            break;
        QByteArrayView line(m_buffer.constData() + m_lineStart, lineEnd - m_lineStart);
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty()) {
            m_result = check(QByteArrayView(m_buffer).first(m_lineStart));
            Result result = m_result;
            if (result.status == Result::Status::Accepted)
                result.remaining = m_buffer.sliced(m_scanned);
            m_buffer.clear();
            return result;
        }
        m_lineStart = m_scanned;
    }
    if (m_scanned > kMaxHeadBytes)
        return reject(
            0,
            QStringLiteral("the server's response head exceeds %1 KiB").arg(kMaxHeadBytes / 1024));
    return m_result;
}

// Section 4.1, the client's checks of the server's handshake, in the RFC's order.
Result WebSocketUpgradeResponseParser::check(QByteArrayView head)
{
    const QString notHttp = QStringLiteral("the server's answer is not an HTTP response");
    qsizetype lineEnd = head.indexOf('\n');
    QByteArrayView statusLine = lineEnd < 0 ? head : head.first(lineEnd);
    if (statusLine.endsWith('\r'))
        statusLine.chop(1);

    // RFC 9112 section 4: HTTP-version SP 3DIGIT SP [ reason-phrase ].
    if (statusLine.size() < 12 || !statusLine.startsWith("HTTP/1.") || statusLine[7] < '0' ||
        statusLine[7] > '9' || statusLine[8] != ' ')
        return reject(0, notHttp);
    int status = 0;
    for (qsizetype i = 9; i < 12; ++i) {
        if (statusLine[i] < '0' || statusLine[i] > '9')
            return reject(0, notHttp);
        status = status * 10 + (statusLine[i] - '0');
    }
    if (statusLine.size() > 12 && statusLine[12] != ' ')
        return reject(0, notHttp);

    if (status == 401)
        return reject(status, QStringLiteral("the worker refused the token (HTTP 401)"));
    if (status != 101)
        return reject(status, QStringLiteral("the server answered HTTP %1 instead of switching to "
                                             "WebSocket")
                                  .arg(statusName(status)));
    if (!statusLine.startsWith("HTTP/1.1"))
        return reject(status, QStringLiteral("the server switched protocols over HTTP/1.0"));

    UpgradeFields fields;
    while (lineEnd >= 0 && lineEnd + 1 < head.size()) {
        const qsizetype lineStart = lineEnd + 1;
        lineEnd = head.indexOf('\n', lineStart);
        QByteArrayView line =
            head.sliced(lineStart, (lineEnd < 0 ? head.size() : lineEnd) - lineStart);
        if (line.endsWith('\r'))
            line.chop(1);
        // RFC 9112 section 5: name ":" OWS value OWS; no space before the colon and no line
        // folding, both of which make peers disagree about what a header says.
        const auto split = http::splitFieldLine(line);
        if (std::holds_alternative<http::FieldLineError>(split))
            return reject(status, QStringLiteral("the server sent a malformed header line"));
        const auto [name, value] = std::get<http::FieldLine>(split);
        if (auto* field = fields.slotFor(name)) {
            if (*field)
                **field += ", " + value.toByteArray();
            else
                *field = value.toByteArray();
        }
    }

    if (!fields.upgrade || !http::equalsIgnoringCase(*fields.upgrade, "websocket"))
        return reject(status,
                      QStringLiteral("the server switched protocols without Upgrade: websocket"));
    if (!fields.connection || !http::listContains(*fields.connection, "upgrade"))
        return reject(status,
                      QStringLiteral("the server switched protocols without Connection: Upgrade"));
    if (!fields.accept)
        return reject(status, QStringLiteral("the server did not send Sec-WebSocket-Accept"));
    if (*fields.accept != acceptFor(m_key))
        return reject(status, QStringLiteral("the server's Sec-WebSocket-Accept does not match "
                                             "the key (a proxy may have answered instead)"));
    // We offer no extension, so the server may not use one (section 9.1).
    if (fields.extensions && !fields.extensions->isEmpty())
        return reject(status, QStringLiteral("the server enabled a WebSocket extension that was "
                                             "not offered"));
    // The worker echoes the token when it checks and accepts it. No field at all means the
    // server selected no subprotocol, which section 4.1 allows: the deployed worker without a
    // token of its own answers so. A different value means something else answered. The values
    // are never quoted: one of them is the token.
    if (m_subprotocol.isEmpty() && fields.protocol)
        return reject(status, QStringLiteral("the server selected a subprotocol although none "
                                             "was requested"));
    if (!m_subprotocol.isEmpty() && fields.protocol && *fields.protocol != m_subprotocol)
        return reject(status, QStringLiteral("the server selected a subprotocol other than the "
                                             "token"));

    Result result;
    result.status = Result::Status::Accepted;
    result.tokenUnchecked = !m_subprotocol.isEmpty() && !fields.protocol;
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
