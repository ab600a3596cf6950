#include "HttpRequestHead.h"

#include "http/HttpSyntax.h"

#include <algorithm>

namespace echw::server {

namespace {

using Result = HttpRequestHeadParser::Result;

std::optional<qint64> parseDecimal(QByteArrayView digits)
{
    // 18 digits always fit a qint64; no body the worker accepts comes anywhere near.
    if (digits.isEmpty() || digits.size() > 18)
        return std::nullopt;
    qint64 value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

Result invalidResult(int httpStatus, QString reason)
{
    Result result;
    result.status = Result::Status::Invalid;
    result.httpStatus = httpStatus;
    result.reason = std::move(reason);
    return result;
}

// RFC 9112 section 3: method SP request-target SP HTTP-version, single spaces, nothing else.
std::optional<Result> parseRequestLine(QByteArrayView line, HttpRequestHead& head)
{
    const qsizetype firstSpace = line.indexOf(' ');
    const qsizetype lastSpace = line.lastIndexOf(' ');
    if (firstSpace <= 0 || lastSpace == firstSpace)
        return invalidResult(400, QStringLiteral("malformed request line"));
    const QByteArrayView method = line.first(firstSpace);
    const QByteArrayView target = line.sliced(firstSpace + 1, lastSpace - firstSpace - 1);
    const QByteArrayView version = line.sliced(lastSpace + 1);
    if (!http::isToken(method))
        return invalidResult(400, QStringLiteral("malformed method"));
    // Section 3.2: the target is visible ASCII; a space inside it would already have made the
    // line split into more than three parts.
    if (target.isEmpty() || !std::all_of(target.begin(), target.end(), http::isVisibleAscii))
        return invalidResult(400, QStringLiteral("malformed request target"));
    // Section 2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT.
    if (version.size() != 8 || !version.startsWith("HTTP/") || version[6] != '.' ||
        version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9')
        return invalidResult(400, QStringLiteral("malformed HTTP version"));
    if (version[5] != '1')
        return invalidResult(505, QStringLiteral("only HTTP/1.x is served here"));
    head.method = method.toByteArray();
    head.target = target.toByteArray();
    head.versionMinor = version[7] - '0';
    return std::nullopt;
}

} // namespace

std::optional<QByteArray> HttpRequestHead::field(QByteArrayView name) const
{
    std::optional<QByteArray> value;
    for (const HttpField& f : fields) {
        if (!http::equalsIgnoringCase(f.name, name))
            continue;
        if (value)
            *value += ", " + f.value;
        else
            value = f.value;
    }
    return value;
}

qsizetype HttpRequestHead::fieldCount(QByteArrayView name) const
{
    return std::count_if(fields.begin(), fields.end(), [name](const HttpField& f) {
        return http::equalsIgnoringCase(f.name, name);
    });
}

bool HttpRequestHead::fieldHasToken(QByteArrayView name, QByteArrayView token) const
{
    const auto value = field(name);
    return value && http::listContains(*value, token);
}

QByteArray HttpRequestHead::path() const
{
    QByteArrayView rest = target;
    if (rest == "*")
        return target;
    if (!rest.startsWith('/')) {
        // Absolute-form (RFC 9112 section 3.2.2), which a server must accept: the path follows
        // the authority. Authority-form (CONNECT) has no path.
        const qsizetype scheme = rest.indexOf("://");
        if (scheme <= 0)
            return {};
        rest = rest.sliced(scheme + 3);
        const qsizetype pathStart = rest.indexOf('/');
        const qsizetype queryStart = rest.indexOf('?');
        if (pathStart < 0 || (queryStart >= 0 && queryStart < pathStart))
            return QByteArrayLiteral("/");
        rest = rest.sliced(pathStart);
    }
    const qsizetype queryStart = rest.indexOf('?');
    return (queryStart < 0 ? rest : rest.first(queryStart)).toByteArray();
}

QByteArray HttpRequestHead::query() const
{
    const qsizetype queryStart = target.indexOf('?');
    return queryStart < 0 ? QByteArray() : target.sliced(queryStart + 1);
}

std::optional<qint64> HttpRequestHead::contentLength() const
{
    const auto value = field("Content-Length");
    if (!value)
        return std::nullopt;
    // The parser accepted the head only when every element is the same number.
    const auto elements = http::splitList(*value);
    return elements.isEmpty() ? std::nullopt : parseDecimal(elements.first());
}

Result HttpRequestHeadParser::append(QByteArrayView bytes)
{
    if (m_result.status != Result::Status::NeedMore) {
        Result result = m_result;
        result.remaining.clear();
        return result;
    }
    m_buffer.append(bytes);

    for (;;) {
        const qsizetype lineEnd = m_buffer.indexOf('\n', m_scanned);
        if (lineEnd < 0 || lineEnd >= kMaxHeadBytes) {
            m_scanned = m_buffer.size();
            if (m_buffer.size() < kMaxHeadBytes)
                return m_result;
            // Section 3: a request line that does not fit is answered with 414.
            return m_lines == 0 ? invalid(414, QStringLiteral("request line longer than %1 KiB")
                                                   .arg(kMaxHeadBytes / 1024))
                                : invalid(431, QStringLiteral("request head larger than %1 KiB")
                                                   .arg(kMaxHeadBytes / 1024));
        }
        m_scanned = lineEnd + 1;
        // Section 2.2 lets a server accept a bare LF; a strict server does not, since a proxy in
        // front may see the line break elsewhere.
        if (lineEnd == m_lineStart || m_buffer[lineEnd - 1] != '\r')
            return invalid(400, QStringLiteral("a line ends in a bare LF"));
        if (lineEnd - 1 == m_lineStart) {
            if (m_lines == 0)
                return invalid(400, QStringLiteral("empty request line"));
            m_result = parse(QByteArrayView(m_buffer).first(m_lineStart));
            Result result = m_result;
            if (result.status == Result::Status::Complete)
                result.remaining = m_buffer.sliced(m_scanned);
            m_buffer.clear();
            return result;
        }
        if (++m_lines > kMaxFields + 1)
            return invalid(431, QStringLiteral("more than %1 header fields").arg(kMaxFields));
        m_lineStart = m_scanned;
    }
}

Result HttpRequestHeadParser::parse(QByteArrayView head)
{
    Result result;
    HttpRequestHead& h = result.head;
    qsizetype lineStart = 0;
    bool first = true;
    while (lineStart < head.size()) {
        const qsizetype lineEnd = head.indexOf("\r\n", lineStart);
        if (lineEnd < 0)
            return invalidResult(400, QStringLiteral("a line ends in a bare LF"));
        const QByteArrayView line = head.sliced(lineStart, lineEnd - lineStart);
        lineStart = lineEnd + 2;
        if (first) {
            first = false;
            if (auto error = parseRequestLine(line, h))
                return *error;
            continue;
        }
        // Section 5.2: obs-fold (a line starting with whitespace) is refused with 400; so is
        // an empty line, which only a caller of parse() can put inside a head.
        const auto split = http::splitFieldLine(line);
        const auto* error = std::get_if<http::FieldLineError>(&split);
        if (line.isEmpty() || (error && *error == http::FieldLineError::Folded))
            return invalidResult(400, QStringLiteral("folded header line"));
        // Section 5.1: no whitespace between the name and the colon.
        if (error)
            return invalidResult(400, QStringLiteral("malformed header line"));
        const http::FieldLine& field = std::get<http::FieldLine>(split);
        // Section 5.5: a CR, LF or NUL in a value is what request smuggling is made of.
        if (!http::isFieldValue(field.value))
            return invalidResult(400, QStringLiteral("control character in a header value"));
        h.fields.append({field.name.toByteArray(), field.value.toByteArray()});
    }
    if (first)
        return invalidResult(400, QStringLiteral("empty request"));

    // RFC 9112 section 3.2: HTTP/1.1 requires exactly one Host; more than one is refused in any
    // version, as two parsers could pick different ones.
    const qsizetype hosts = h.fieldCount("Host");
    if (hosts > 1 || (hosts == 0 && h.versionMinor >= 1))
        return invalidResult(400, hosts > 1 ? QStringLiteral("more than one Host header")
                                            : QStringLiteral("missing Host header"));

    // Section 6.3: Content-Length must be one number, however often it is repeated, and never
    // comes together with Transfer-Encoding (a sign of request smuggling, section 6.1).
    if (const auto lengths = h.field("Content-Length")) {
        if (h.hasTransferEncoding())
            return invalidResult(400, QStringLiteral("both Content-Length and Transfer-Encoding"));
        const auto elements = http::splitList(*lengths);
        if (elements.isEmpty() || !parseDecimal(elements.first()) ||
            !std::all_of(elements.begin(), elements.end(),
                         [&](QByteArrayView e) { return e == elements.first(); }))
            return invalidResult(400, QStringLiteral("invalid Content-Length"));
    }
    result.status = Result::Status::Complete;
    return result;
}

Result HttpRequestHeadParser::invalid(int httpStatus, QString reason)
{
    m_buffer.clear();
    m_result = invalidResult(httpStatus, std::move(reason));
    return m_result;
}

} // namespace echw::server
