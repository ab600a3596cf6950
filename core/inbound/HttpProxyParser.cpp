#include "HttpProxyParser.h"

#include "http/HttpHead.h"
#include "http/HttpSyntax.h"

#include <QString>

#include <algorithm>
#include <utility>

namespace echw {

namespace {

using Event = HttpProxyParser::Event;

// The methods of RFC 9110 section 9 plus PATCH (RFC 5789). Anything else is refused rather
// than relayed blind: the method decides how the response is framed (RFC 9112 section 6.3),
// and an unknown one might change that.
constexpr QByteArrayView kMethods[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                       "CONNECT", "OPTIONS", "TRACE", "PATCH"};

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

// The field lines to send on: each byte-exact, ending in CRLF, without Host (the proxy
// replaces it with the URI's authority, RFC 9112 section 3.2.2) and Proxy-* (addressed to us:
// Proxy-Authorization, Proxy-Connection; they must not leak on). The head was already
// checked by parseRequestHead, so its lines are well-formed.
QByteArray forwardedFieldLines(QByteArrayView head)
{
    QByteArray forwarded;
    qsizetype position = head.indexOf("\r\n") + 2;
    while (true) {
        const qsizetype end = head.indexOf("\r\n", position);
        const QByteArrayView line = head.sliced(position, end - position);
        if (line.isEmpty())
            break;
        position = end + 2;
        const QByteArrayView name = line.first(line.indexOf(':'));
        if (http::equalsIgnoringCase(name, "Host") || startsWithIgnoringCase(name, "Proxy-"))
            continue;
        forwarded.append(line).append("\r\n");
    }
    return forwarded;
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
    const QByteArrayView pending = QByteArrayView(m_buffer).sliced(m_offset);
    switch (m_scanner.scan(pending)) {
    case http::HeadScanner::Status::NeedMore:
        return std::nullopt;
    case http::HeadScanner::Status::Failed:
        return fail(m_scanner.error().status, m_scanner.error().reason);
    case http::HeadScanner::Status::Complete:
        break;
    }
    // Empty lines before the request line are ignored (RFC 9112 section 2.2).
    consume(m_scanner.headStart());
    const qsizetype length = m_scanner.headLength();
    m_scanner.reset();
    return takeHead(length);
}

std::optional<HttpProxyParser::Event> HttpProxyParser::takeHead(qsizetype length)
{
    const QByteArrayView head = QByteArrayView(m_buffer).sliced(m_offset, length);
    auto parsed = http::parseRequestHead(head);
    if (auto* error = std::get_if<http::Error>(&parsed))
        return fail(error->status, std::move(error->reason));
    const http::RequestHead& request = std::get<http::RequestHead>(parsed);
    // RFC 9110 section 2.5 lets a recipient of a higher minor version answer as 1.1, but the
    // head is forwarded with its version, so only the two the origin surely knows go on.
    if (request.versionMinor > 1)
        return fail(505, QByteArrayLiteral("unsupported HTTP version"));
    // Methods are case-sensitive (RFC 9110 section 9.1).
    if (std::find(std::begin(kMethods), std::end(kMethods), request.method) == std::end(kMethods))
        return fail(405, QByteArrayLiteral("method not allowed"));

    // Checked before the target is looked at, so a client without credentials learns nothing
    // about where the proxy would connect. Two fields are one too many to pick from.
    const auto authorization = request.fields.value("Proxy-Authorization");
    if (m_credentials.isRequired() && (request.fields.count("Proxy-Authorization") != 1 ||
                                       !m_credentials.acceptsBasicAuthorization(*authorization)))
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

    const QByteArray host = hostField(event.target);
    const QByteArray forwarded = forwardedFieldLines(head);
    event.head.reserve(length + host.size() + originForm.size());
    event.head.append(request.method).append(' ').append(originForm).append(" HTTP/1.");
    event.head.append(char('0' + request.versionMinor)).append("\r\n");
    // RFC 9110 section 7.2: Host goes first, right after the request line.
    event.head.append("Host: ").append(host).append("\r\n");
    event.head.append(forwarded).append("\r\n");

    switch (request.framing.kind) {
    case http::BodyFraming::Kind::Chunked:
        m_state = State::ChunkedBody;
        m_chunked = http::ChunkedDecoder();
        break;
    case http::BodyFraming::Kind::Length:
        m_state = State::FixedBody;
        m_bodyRemaining = request.framing.length;
        break;
    case http::BodyFraming::Kind::None:
    case http::BodyFraming::Kind::CloseDelimited: // never for a request
        m_state = State::MessageEnd;
        break;
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
    if (m_chunked.failed())
        return fail(m_chunked.error().status, m_chunked.error().reason);
    // The body goes on in its wire form; it is decoded only to find where it ends.
    const qsizetype length = m_chunked.feed(QByteArrayView(m_buffer).sliced(m_offset));
    if (m_chunked.complete())
        m_state = State::MessageEnd;
    // Valid bytes before a bad one go out first, and the error comes on the next call, so
    // that the events do not depend on how the input was split.
    if (length == 0) {
        if (m_chunked.failed())
            return fail(m_chunked.error().status, m_chunked.error().reason);
        return std::nullopt;
    }
    return bodyEvent(take(length));
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
