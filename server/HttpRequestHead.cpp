#include "HttpRequestHead.h"

namespace echw::server {

namespace {

using Result = HttpRequestHeadParser::Result;

Result invalidResult(int httpStatus, QString reason)
{
    Result result;
    result.status = Result::Status::Invalid;
    result.httpStatus = httpStatus;
    result.reason = std::move(reason);
    return result;
}

} // namespace

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
    if (framing.kind == http::BodyFraming::Kind::Length)
        return framing.length;
    // The framing has no body for "Content-Length: 0"; the field still said so.
    if (fields.count("Content-Length") > 0 && framing.kind == http::BodyFraming::Kind::None)
        return 0;
    return std::nullopt;
}

Result HttpRequestHeadParser::append(QByteArrayView bytes)
{
    if (m_result.status != Result::Status::NeedMore)
        return m_result;
    switch (m_reader.append(bytes)) {
    case http::RequestHeadReader::Status::NeedMore:
        return m_result;
    case http::RequestHeadReader::Status::Failed:
        m_result =
            invalidResult(m_reader.error().status, QString::fromLatin1(m_reader.error().reason));
        return m_result;
    case http::RequestHeadReader::Status::Complete:
        break;
    }
    HttpRequestHead head;
    static_cast<http::RequestHead&>(head) = m_reader.head();
    // RFC 9112 section 3.2: HTTP/1.1 requires exactly one Host; more than one is refused in any
    // version, as two parsers could pick different ones.
    const qsizetype hosts = head.fieldCount("Host");
    if (hosts > 1 || (hosts == 0 && head.versionMinor >= 1)) {
        m_result = invalidResult(400, hosts > 1 ? QStringLiteral("more than one Host header")
                                                : QStringLiteral("missing Host header"));
        return m_result;
    }
    m_result.status = Result::Status::Complete;
    m_result.head = std::move(head);
    // The bytes after the head are handed over once; later calls keep only the verdict.
    Result result = m_result;
    result.remaining = m_reader.takeRemaining();
    return result;
}

} // namespace echw::server
