#include "HttpProxyParser.h"

#include "http/HttpSyntax.h"

#include <QString>

#include <algorithm>
#include <limits>
#include <utility>

namespace echw {

namespace {

using Event = HttpProxyParser::Event;

// The methods of RFC 9110 section 9 plus PATCH (RFC 5789). Anything else is refused rather
// than relayed blind: the method decides how the response is framed (RFC 9112 section 6.3),
// and an unknown one might change that.
constexpr QByteArrayView kMethods[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                       "CONNECT", "OPTIONS", "TRACE", "PATCH"};

// A chunk-size line longer than this is an attack, not a chunk extension anyone uses.
constexpr qsizetype kMaxChunkLineBytes = 4 * 1024;
// 2^53 keeps a chunk size exact wherever a peer holds it in a double, and cannot overflow our
// 64 bits; the digit limit also bounds runs of leading zeros, which the value never sees.
constexpr quint64 kMaxChunkSize = quint64(1) << 53;
constexpr int kMaxChunkSizeDigits = 16;

Event eventOf(Event::Type type)
{
    Event event;
    event.type = type;
    return event;
}

Event bodyEvent(QByteArray body)
{
    Event event = eventOf(Event::Type::Body);
    event.body = std::move(body);
    return event;
}

Event errorEvent(int status, QByteArray reason)
{
    Event event = eventOf(Event::Type::Error);
    event.status = status;
    event.reason = std::move(reason);
    return event;
}

struct Rejection {
    int status;
    QByteArray reason;
};

struct RequestLine {
    QByteArrayView method;
    QByteArrayView target;
    QByteArrayView version;
};

// What the header section says about framing, and the field lines to forward.
struct FieldSection {
    QByteArray forwarded; // each line byte-exact, ending in CRLF
    bool hasTransferEncoding = false;
    QByteArrayView finalCoding;
    int chunkedCount = 0;
    std::optional<qint64> contentLength;
    QByteArrayView proxyAuthorization;
    int proxyAuthorizationCount = 0;
};

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

int hexValue(char c)
{
    if (isDigit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool startsWithIgnoringCase(QByteArrayView text, QByteArrayView prefix)
{
    return text.size() >= prefix.size() &&
           http::equalsIgnoringCase(text.first(prefix.size()), prefix);
}

QByteArray reasonPhrase(int status)
{
    // RFC 9110 section 15, plus 431 from RFC 6585.
    switch (status) {
    case 400:
        return QByteArrayLiteral("Bad Request");
    case 403:
        return QByteArrayLiteral("Forbidden");
    case 404:
        return QByteArrayLiteral("Not Found");
    case 405:
        return QByteArrayLiteral("Method Not Allowed");
    case 407:
        return QByteArrayLiteral("Proxy Authentication Required");
    case 408:
        return QByteArrayLiteral("Request Timeout");
    case 413:
        return QByteArrayLiteral("Content Too Large");
    case 414:
        return QByteArrayLiteral("URI Too Long");
    case 431:
        return QByteArrayLiteral("Request Header Fields Too Large");
    case 500:
        return QByteArrayLiteral("Internal Server Error");
    case 501:
        return QByteArrayLiteral("Not Implemented");
    case 502:
        return QByteArrayLiteral("Bad Gateway");
    case 503:
        return QByteArrayLiteral("Service Unavailable");
    case 504:
        return QByteArrayLiteral("Gateway Timeout");
    case 505:
        return QByteArrayLiteral("HTTP Version Not Supported");
    }
    // RFC 9112 section 4: the reason phrase may be empty.
    return {};
}

QByteArray allowedMethodList()
{
    QByteArray list;
    for (const QByteArrayView method : kMethods) {
        if (!list.isEmpty())
            list.append(", ");
        list.append(method);
    }
    return list;
}

// RFC 9112 section 3: request-line = method SP request-target SP HTTP-version, with single
// spaces; being strict here leaves nothing for the origin to read differently.
std::optional<Rejection> parseRequestLine(QByteArrayView line, RequestLine& request)
{
    const qsizetype firstSpace = line.indexOf(' ');
    const qsizetype secondSpace = firstSpace < 0 ? -1 : line.indexOf(' ', firstSpace + 1);
    if (secondSpace < 0)
        return Rejection{400, QByteArrayLiteral("malformed request line")};
    request.method = line.first(firstSpace);
    request.target = line.sliced(firstSpace + 1, secondSpace - firstSpace - 1);
    request.version = line.sliced(secondSpace + 1);

    // RFC 9112 section 2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive.
    const QByteArrayView version = request.version;
    const bool versionWellFormed = version.size() == 8 && version.startsWith("HTTP/") &&
                                   isDigit(version[5]) && version[6] == '.' && isDigit(version[7]);
    if (!versionWellFormed || !http::isToken(request.method) || request.target.isEmpty())
        return Rejection{400, QByteArrayLiteral("malformed request line")};
    if (version != "HTTP/1.0" && version != "HTTP/1.1")
        return Rejection{505, QByteArrayLiteral("unsupported HTTP version")};
    // A URI is plain visible ASCII (RFC 3986 section 2).
    const bool targetVisible =
        std::all_of(request.target.begin(), request.target.end(), http::isVisibleAscii);
    if (!targetVisible)
        return Rejection{400, QByteArrayLiteral("malformed request target")};
    // Methods are case-sensitive (RFC 9110 section 9.1).
    if (std::find(std::begin(kMethods), std::end(kMethods), request.method) == std::end(kMethods))
        return Rejection{405, QByteArrayLiteral("method not allowed")};
    return std::nullopt;
}

std::optional<Rejection> readTransferEncoding(QByteArrayView value, FieldSection& fields)
{
    fields.hasTransferEncoding = true;
    for (const QByteArrayView coding : http::splitList(value)) {
        fields.finalCoding = coding;
        if (http::equalsIgnoringCase(coding, "chunked"))
            ++fields.chunkedCount;
    }
    return std::nullopt;
}

// RFC 9110 section 8.6: Content-Length = 1*DIGIT; a list of identical values (or repeated
// fields) may be taken as one, while any disagreement makes the framing unknowable.
std::optional<Rejection> readContentLength(QByteArrayView value, FieldSection& fields)
{
    const Rejection invalid{400, QByteArrayLiteral("invalid Content-Length")};
    const QList<QByteArrayView> elements = http::splitList(value);
    if (elements.isEmpty())
        return invalid;
    for (const QByteArrayView text : elements) {
        qint64 length = 0;
        for (const char c : text) {
            if (!isDigit(c) || length > (std::numeric_limits<qint64>::max() - (c - '0')) / 10)
                return invalid;
            length = length * 10 + (c - '0');
        }
        if (fields.contentLength && *fields.contentLength != length)
            return Rejection{400, QByteArrayLiteral("conflicting Content-Length values")};
        fields.contentLength = length;
    }
    return std::nullopt;
}

std::optional<Rejection> readFieldLine(QByteArrayView line, FieldSection& fields)
{
    // RFC 9112 section 5.2: a proxy must reject or unfold obs-fold; it rejects.
    const auto split = http::splitFieldLine(line);
    if (const auto* error = std::get_if<http::FieldLineError>(&split)) {
        if (*error == http::FieldLineError::Folded)
            return Rejection{400, QByteArrayLiteral("obsolete line folding")};
        if (*error == http::FieldLineError::MissingColon)
            return Rejection{400, QByteArrayLiteral("header line without colon")};
        return Rejection{400, QByteArrayLiteral("invalid header name")};
    }
    const auto [name, value] = std::get<http::FieldLine>(split);
    if (!http::isFieldValue(value))
        return Rejection{400, QByteArrayLiteral("control character in header value")};

    // RFC 9112 section 3.2.2: the proxy replaces Host with the URI's authority. Proxy-* fields
    // are addressed to us (Proxy-Authorization, Proxy-Connection) and must not leak on.
    if (http::equalsIgnoringCase(name, "Proxy-Authorization")) {
        fields.proxyAuthorization = value;
        ++fields.proxyAuthorizationCount;
    }
    if (http::equalsIgnoringCase(name, "Host") || startsWithIgnoringCase(name, "Proxy-"))
        return std::nullopt;
    fields.forwarded.append(line).append("\r\n");
    if (http::equalsIgnoringCase(name, "Transfer-Encoding"))
        return readTransferEncoding(value, fields);
    if (http::equalsIgnoringCase(name, "Content-Length"))
        return readContentLength(value, fields);
    return std::nullopt;
}

// Splits an absolute-form http URI (RFC 9112 section 3.2.2) into where to connect and the
// origin-form target to send there.
std::optional<Rejection> parseAbsoluteForm(QByteArrayView target, TargetAddress& address,
                                           QByteArray& originForm)
{
    if (target.startsWith('/'))
        return Rejection{400, QByteArrayLiteral("origin-form request: not a proxy request")};
    const qsizetype schemeEnd = target.indexOf("://");
    if (schemeEnd < 0)
        return Rejection{400, QByteArrayLiteral("request target is not an absolute URI")};
    // Schemes are case-insensitive (RFC 3986 section 3.1). https reaches a proxy only as
    // CONNECT; any other scheme would need a gateway we are not.
    if (!http::equalsIgnoringCase(target.first(schemeEnd), "http"))
        return Rejection{400, QByteArrayLiteral("unsupported URI scheme")};

    const QByteArrayView rest = target.sliced(schemeEnd + 3);
    const qsizetype authorityEnd =
        std::find_if(rest.begin(), rest.end(),
                     [](char c) { return c == '/' || c == '?' || c == '#'; }) -
        rest.begin();
    const QByteArrayView authority = rest.first(authorityEnd);
    // RFC 9110 section 4.2.4: userinfo in an http URI is deprecated and mostly phishing.
    if (authority.contains('@'))
        return Rejection{400, QByteArrayLiteral("user info in request URI")};
    const auto parsed = TargetAddress::fromAuthority(QString::fromLatin1(authority), 80);
    if (!parsed)
        return Rejection{400, QByteArrayLiteral("invalid host or port in request URI")};
    address = *parsed;

    // A fragment is for the user agent only (RFC 9110 section 4.2.5).
    QByteArrayView pathAndQuery = rest.sliced(authorityEnd);
    if (const qsizetype hash = pathAndQuery.indexOf('#'); hash >= 0)
        pathAndQuery.truncate(hash);
    // RFC 9112 section 3.2.1: an empty path is sent as "/".
    originForm.clear();
    if (!pathAndQuery.startsWith('/'))
        originForm.append('/');
    originForm.append(pathAndQuery);
    return std::nullopt;
}

// The Host field for a target: the authority without the default port (RFC 9110 section 7.2).
QByteArray hostField(const TargetAddress& target)
{
    QByteArray host = target.host.toLatin1();
    if (target.kind == TargetAddress::Kind::IPv6)
        host = '[' + host + ']';
    if (target.port != 80)
        host.append(':').append(QByteArray::number(target.port));
    return host;
}

} // namespace

HttpProxyParser::HttpProxyParser(ProxyCredentials credentials)
    : m_credentials(std::move(credentials))
{}

void HttpProxyParser::append(QByteArrayView bytes)
{
    // A failed connection is about to close; holding more of its bytes serves nothing.
    if (m_state == State::Failed)
        return;
    // Dropping the consumed prefix only once it is at least half the buffer moves each byte
    // at most once more, which keeps feeding in tiny pieces linear.
    if (m_offset > 0 && m_offset >= m_buffer.size() / 2) {
        m_buffer.remove(0, m_offset);
        m_offset = 0;
    }
    m_buffer.append(bytes);
}

std::optional<HttpProxyParser::Event> HttpProxyParser::next()
{
    switch (m_state) {
    case State::Head:
        return nextHead();
    case State::FixedBody:
        return nextFixedBody();
    case State::ChunkedBody:
        return nextChunkedBody();
    case State::MessageEnd:
        m_state = State::Head;
        return eventOf(Event::Type::MessageEnd);
    case State::Tunnel:
    case State::Failed:
        break;
    }
    return std::nullopt;
}

QByteArray HttpProxyParser::takeRemaining()
{
    return take(m_buffer.size() - m_offset);
}

bool HttpProxyParser::failed() const
{
    return m_state == State::Failed;
}

bool HttpProxyParser::idle() const
{
    return m_state == State::Head && m_offset == m_buffer.size();
}

QByteArray HttpProxyParser::errorResponse(int status, QByteArrayView reason)
{
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
                          "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                          QByteArray::number(reason.size() + 1) + "\r\nConnection: close\r\n";
    // RFC 9110 section 15.5.6: a 405 response must list the methods that are supported.
    if (status == 405)
        response.append("Allow: ").append(allowedMethodList()).append("\r\n");
    // RFC 9110 section 15.5.8: a 407 response must say which scheme the proxy takes.
    if (status == 407)
        response.append("Proxy-Authenticate: Basic realm=\"ech-workers\"\r\n");
    response.append("\r\n").append(reason).append('\n');
    return response;
}

std::optional<HttpProxyParser::Event> HttpProxyParser::nextHead()
{
    while (true) {
        const QByteArrayView pending = QByteArrayView(m_buffer).sliced(m_offset);
        const qsizetype lf = pending.indexOf('\n', m_headScanned);
        if (lf < 0) {
            m_headScanned = pending.size();
            if (pending.size() > kMaxHeadBytes)
                return fail(431, QByteArrayLiteral("request head too large"));
            return std::nullopt;
        }
        if (lf + 1 > kMaxHeadBytes)
            return fail(431, QByteArrayLiteral("request head too large"));

        // Bare LF line endings are accepted (RFC 9112 section 2.2); the head is rewritten
        // with CRLF, so the origin never sees them.
        QByteArrayView line = pending.sliced(m_headLineStart, lf - m_headLineStart);
        if (line.endsWith('\r'))
            line.chop(1);
        m_headScanned = m_headLineStart = lf + 1;
        if (!line.isEmpty()) {
            if (++m_headLines > kMaxHeaderCount + 1)
                return fail(431, QByteArrayLiteral("too many header fields"));
            continue;
        }
        if (m_headLines > 0)
            return takeHead(lf + 1);
        // RFC 9112 section 2.2: empty lines before a request line are to be ignored.
        m_headScanned = m_headLineStart = 0;
        consume(lf + 1);
    }
}

std::optional<HttpProxyParser::Event> HttpProxyParser::takeHead(qsizetype length)
{
    const QByteArrayView head = QByteArrayView(m_buffer).sliced(m_offset, length);
    m_headScanned = m_headLineStart = 0;
    m_headLines = 0;

    qsizetype position = 0;
    auto nextLine = [&] {
        const qsizetype lf = head.indexOf('\n', position);
        QByteArrayView line = head.sliced(position, lf - position);
        position = lf + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        return line;
    };

    RequestLine request;
    if (auto rejection = parseRequestLine(nextLine(), request))
        return fail(rejection->status, std::move(rejection->reason));
    FieldSection fields;
    for (QByteArrayView line = nextLine(); !line.isEmpty(); line = nextLine()) {
        if (auto rejection = readFieldLine(line, fields))
            return fail(rejection->status, std::move(rejection->reason));
    }
    // Checked before the target is looked at, so a client without credentials learns nothing
    // about where the proxy would connect. Two fields are one too many to pick from.
    if (m_credentials.isRequired() &&
        (fields.proxyAuthorizationCount != 1 ||
         !m_credentials.acceptsBasicAuthorization(fields.proxyAuthorization)))
        return fail(407, QByteArrayLiteral("proxy authentication required"));

    // RFC 9110 section 9.3.6: CONNECT has no content; whatever follows its head is tunnel.
    if (request.method == "CONNECT") {
        auto target = TargetAddress::fromAuthority(QString::fromLatin1(request.target));
        if (!target)
            return fail(400, QByteArrayLiteral("invalid CONNECT target"));
        consume(length);
        m_state = State::Tunnel;
        Event event = eventOf(Event::Type::Connect);
        event.target = *target;
        return event;
    }

    Event event = eventOf(Event::Type::RequestHead);
    QByteArray originForm;
    if (auto rejection = parseAbsoluteForm(request.target, event.target, originForm))
        return fail(rejection->status, std::move(rejection->reason));

    // RFC 9112 section 6.1: a message with both Transfer-Encoding and Content-Length is how
    // requests get smuggled past a proxy, and an HTTP/1.0 one has faulty framing; section
    // 6.3 says the length cannot be known unless chunked is the final coding, applied once.
    if (fields.hasTransferEncoding) {
        if (fields.contentLength)
            return fail(400, QByteArrayLiteral("both Transfer-Encoding and Content-Length"));
        if (request.version == "HTTP/1.0")
            return fail(400, QByteArrayLiteral("Transfer-Encoding in an HTTP/1.0 request"));
        if (fields.chunkedCount != 1 || !http::equalsIgnoringCase(fields.finalCoding, "chunked"))
            return fail(400, QByteArrayLiteral("Transfer-Encoding does not end in chunked"));
    }

    const QByteArray host = hostField(event.target);
    event.head.reserve(length + host.size() + originForm.size());
    event.head.append(request.method).append(' ').append(originForm).append(' ');
    event.head.append(request.version).append("\r\n");
    // RFC 9110 section 7.2: Host goes first, right after the request line.
    event.head.append("Host: ").append(host).append("\r\n");
    event.head.append(fields.forwarded).append("\r\n");

    if (fields.hasTransferEncoding) {
        m_state = State::ChunkedBody;
        m_chunkState = ChunkState::SizeStart;
        m_chunkLineBytes = 0;
    } else if (fields.contentLength.value_or(0) > 0) {
        m_state = State::FixedBody;
        m_bodyRemaining = *fields.contentLength;
    } else {
        m_state = State::MessageEnd;
    }
    consume(length);
    return event;
}

std::optional<HttpProxyParser::Event> HttpProxyParser::nextFixedBody()
{
    const qsizetype length = std::min<qint64>(m_bodyRemaining, m_buffer.size() - m_offset);
    if (length == 0)
        return std::nullopt;
    m_bodyRemaining -= length;
    if (m_bodyRemaining == 0)
        m_state = State::MessageEnd;
    return bodyEvent(take(length));
}

std::optional<HttpProxyParser::Event> HttpProxyParser::nextChunkedBody()
{
    if (m_chunkError)
        return fail(m_chunkError->status, std::move(m_chunkError->reason));
    // The body goes on in its wire form; it is scanned only to find where it ends.
    const char* const begin = m_buffer.constData() + m_offset;
    const char* const end = m_buffer.constData() + m_buffer.size();
    const char* cursor = begin;
    while (cursor != end && m_chunkState != ChunkState::Complete) {
        if (m_chunkState == ChunkState::Data) {
            const auto length = std::min<quint64>(m_chunkSize, end - cursor);
            cursor += length;
            m_chunkSize -= length;
            if (m_chunkSize == 0)
                m_chunkState = ChunkState::DataCr;
            continue;
        }
        if (auto error = scanChunkFraming(*cursor)) {
            if (cursor == begin)
                return fail(error->status, std::move(error->reason));
            // Forward the valid bytes before the bad one first and fail on the next call, so
            // that the events do not depend on how the input was split.
            m_chunkError = std::move(error);
            break;
        }
        ++cursor;
    }
    if (m_chunkState == ChunkState::Complete)
        m_state = State::MessageEnd;
    if (cursor == begin)
        return std::nullopt;
    return bodyEvent(take(cursor - begin));
}

// Steps the RFC 9112 section 7.1 grammar by one byte outside chunk data, returning the Error
// event (for the caller to fail with) when the byte does not fit. Line endings must be CRLF
// here: the body is forwarded unchanged, so any leniency would let the origin see a different
// end of message than we do.
std::optional<HttpProxyParser::Event> HttpProxyParser::scanChunkFraming(char byte)
{
    const bool inSizeLine = m_chunkState <= ChunkState::SizeLf;
    if (inSizeLine && ++m_chunkLineBytes > kMaxChunkLineBytes)
        return errorEvent(400, QByteArrayLiteral("chunk size line too long"));
    const bool inTrailer = m_chunkState >= ChunkState::TrailerStart;
    if (inTrailer && ++m_trailerBytes > kMaxHeadBytes)
        return errorEvent(431, QByteArrayLiteral("chunked trailer section too large"));

    const int digit = hexValue(byte);
    switch (m_chunkState) {
    case ChunkState::SizeStart:
        if (digit < 0)
            return errorEvent(400, QByteArrayLiteral("invalid chunk size"));
        m_chunkSize = static_cast<quint64>(digit);
        m_chunkSizeDigits = 1;
        m_chunkState = ChunkState::Size;
        break;
    case ChunkState::Size:
        if (digit >= 0) {
            m_chunkSize = m_chunkSize * 16 + static_cast<quint64>(digit);
            if (++m_chunkSizeDigits > kMaxChunkSizeDigits || m_chunkSize > kMaxChunkSize)
                return errorEvent(400, QByteArrayLiteral("chunk size too large"));
        } else if (byte == ';') {
            m_chunkState = ChunkState::Extension;
        } else if (http::isOws(byte)) {
            m_chunkState = ChunkState::SizeSpace;
        } else if (byte == '\r') {
            m_chunkState = ChunkState::SizeLf;
        } else {
            return errorEvent(400, QByteArrayLiteral("invalid chunk size"));
        }
        break;
    case ChunkState::SizeSpace:
        // chunk-ext = *( BWS ";" ... ): whitespace after the size must lead to an extension.
        if (byte == ';')
            m_chunkState = ChunkState::Extension;
        else if (!http::isOws(byte))
            return errorEvent(400, QByteArrayLiteral("invalid chunk size"));
        break;
    case ChunkState::Extension:
        // Extensions are passed on untouched; only their end matters here.
        if (byte == '\r')
            m_chunkState = ChunkState::SizeLf;
        else if (!http::isFieldValueChar(byte))
            return errorEvent(400, QByteArrayLiteral("invalid chunk extension"));
        break;
    case ChunkState::SizeLf:
        if (byte != '\n')
            return errorEvent(400, QByteArrayLiteral("chunk size line not ended by CRLF"));
        m_chunkLineBytes = 0;
        if (m_chunkSize == 0) {
            m_chunkState = ChunkState::TrailerStart;
            m_trailerBytes = 0;
            m_trailerCount = 0;
        } else {
            m_chunkState = ChunkState::Data;
        }
        break;
    case ChunkState::DataCr:
        if (byte != '\r')
            return errorEvent(400, QByteArrayLiteral("chunk data not followed by CRLF"));
        m_chunkState = ChunkState::DataLf;
        break;
    case ChunkState::DataLf:
        if (byte != '\n')
            return errorEvent(400, QByteArrayLiteral("chunk data not followed by CRLF"));
        m_chunkState = ChunkState::SizeStart;
        break;
    case ChunkState::TrailerStart:
        if (byte == '\r') {
            m_chunkState = ChunkState::FinalLf;
            break;
        }
        // A trailer field line starts with its name (no obs-fold, RFC 9112 section 5.2).
        if (!http::isTchar(byte))
            return errorEvent(400, QByteArrayLiteral("invalid trailer field"));
        if (++m_trailerCount > kMaxHeaderCount)
            return errorEvent(431, QByteArrayLiteral("too many trailer fields"));
        m_chunkState = ChunkState::Trailer;
        break;
    case ChunkState::Trailer:
        if (byte == '\r')
            m_chunkState = ChunkState::TrailerLf;
        else if (!http::isFieldValueChar(byte))
            return errorEvent(400, QByteArrayLiteral("invalid trailer field"));
        break;
    case ChunkState::TrailerLf:
        if (byte != '\n')
            return errorEvent(400, QByteArrayLiteral("trailer line not ended by CRLF"));
        m_chunkState = ChunkState::TrailerStart;
        break;
    case ChunkState::FinalLf:
        if (byte != '\n')
            return errorEvent(400, QByteArrayLiteral("chunked body not ended by CRLF"));
        m_chunkState = ChunkState::Complete;
        break;
    case ChunkState::Data: // nextChunkedBody() skips chunk data without coming here
    case ChunkState::Complete:
        break;
    }
    return std::nullopt;
}

HttpProxyParser::Event HttpProxyParser::fail(int status, QByteArray reason)
{
    m_state = State::Failed;
    m_buffer.clear();
    m_offset = 0;
    return errorEvent(status, std::move(reason));
}

QByteArray HttpProxyParser::take(qsizetype length)
{
    // When the slice is the whole buffer, hand over the buffer itself instead of copying it:
    // that is the usual case for a large body arriving append by append.
    if (m_offset == 0 && length == m_buffer.size())
        return std::exchange(m_buffer, QByteArray());
    QByteArray bytes = m_buffer.sliced(m_offset, length);
    consume(length);
    return bytes;
}

void HttpProxyParser::consume(qsizetype length)
{
    m_offset += length;
    if (m_offset == m_buffer.size()) {
        m_buffer.clear();
        m_offset = 0;
    }
}

} // namespace echw
