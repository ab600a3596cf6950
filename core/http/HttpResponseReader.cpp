#include "HttpResponseReader.h"

#include "http/HttpHead.h"
#include "http/HttpSyntax.h"

#include <algorithm>

namespace echw {

namespace {

http::HeadLimits headLimits(const HttpResponseReader::Limits& limits)
{
    http::HeadLimits head;
    head.maxBytes = limits.maxHeadBytes;
    return head;
}

} // namespace

std::optional<QByteArray> HttpResponse::field(QByteArrayView name) const
{
    std::optional<QByteArray> joined;
    for (const auto& [fieldName, value] : fields) {
        if (!http::equalsIgnoringCase(fieldName, name))
            continue;
        if (joined)
            *joined += ", " + value;
        else
            joined = value;
    }
    return joined;
}

HttpResponseReader::HttpResponseReader(Limits limits)
    : m_limits(limits)
    , m_scanner(http::HeadScanner::Kind::Response, headLimits(limits))
    , m_chunked(headLimits(limits))
{}

HttpResponseReader::HttpResponseReader()
    : HttpResponseReader(Limits{})
{}

HttpResponseReader::Status HttpResponseReader::append(QByteArrayView bytes)
{
    if (m_status != Status::NeedMore)
        return m_status;
    m_buffer.append(bytes);
    return process();
}

HttpResponseReader::Status HttpResponseReader::finishInput()
{
    if (m_status != Status::NeedMore)
        return m_status;
    return fail(QStringLiteral("the server closed the connection before the response was "
                               "complete"));
}

HttpResponseReader::Status HttpResponseReader::process()
{
    while (m_status == Status::NeedMore) {
        switch (m_phase) {
        case Phase::Head: {
            const auto scanned = m_scanner.scan(m_buffer);
            if (scanned == http::HeadScanner::Status::NeedMore)
                return m_status;
            if (scanned == http::HeadScanner::Status::Failed)
                return fail(QString::fromLatin1(m_scanner.error().reason));
            const QByteArray head = m_buffer.first(m_scanner.consumed());
            m_buffer.remove(0, m_scanner.consumed());
            m_scanner.reset();
            if (onHead(head) != Status::NeedMore)
                return m_status;
            break;
        }
        case Phase::LengthBody: {
            const qsizetype take = std::min(m_buffer.size(), m_remaining);
            m_response.body.append(m_buffer.first(take));
            m_buffer.remove(0, take);
            m_remaining -= take;
            return m_remaining == 0 ? complete() : m_status;
        }
        case Phase::ChunkedBody:
            return readChunked();
        }
    }
    return m_status;
}

HttpResponseReader::Status HttpResponseReader::onHead(QByteArrayView head)
{
    auto parsed = http::parseResponseHead(head);
    if (const auto* error = std::get_if<http::Error>(&parsed))
        return fail(QString::fromLatin1(error->reason));
    auto& response = std::get<http::ResponseHead>(parsed);
    if (response.status == 101)
        return fail(QStringLiteral("the server switched protocols, which was not asked for"));
    const auto framing =
        http::responseFraming(false, response.status, response.versionMinor, response.fields);
    if (const auto* error = std::get_if<http::Error>(&framing))
        return fail(QString::fromLatin1(error->reason));
    // An interim response (RFC 9110 section 15.2): the final one follows.
    if (response.status / 100 == 1)
        return m_status;
    m_response.status = response.status;
    m_response.reason = response.reason;
    m_response.fields = response.fields.list();

    const http::BodyFraming body = std::get<http::BodyFraming>(framing);
    switch (body.kind) {
    case http::BodyFraming::Kind::None:
        return complete();
    case http::BodyFraming::Kind::Length:
        if (body.length > m_limits.maxBodyBytes)
            return fail(QStringLiteral("the response body is larger than %1 bytes")
                            .arg(m_limits.maxBodyBytes));
        m_remaining = qsizetype(body.length);
        m_phase = Phase::LengthBody;
        return m_status;
    case http::BodyFraming::Kind::Chunked: {
        const auto codings = http::splitList(*response.fields.value("Transfer-Encoding"));
        if (codings.size() != 1)
            return fail(QStringLiteral("unsupported transfer coding \"%1\"")
                            .arg(QString::fromLatin1(*response.fields.value("Transfer-Encoding"))));
        m_phase = Phase::ChunkedBody;
        return m_status;
    }
    case http::BodyFraming::Kind::CloseDelimited:
        break;
    }
    // RFC 9112 section 6.3 rule 8 lets the close end such a body, but TLS peers often close
    // without close_notify, and then a cut body would look whole.
    if (response.fields.count("Transfer-Encoding") > 0)
        return fail(QStringLiteral("unsupported transfer coding \"%1\"")
                        .arg(QString::fromLatin1(*response.fields.value("Transfer-Encoding"))));
    return fail(QStringLiteral("the response has neither Content-Length nor chunked framing"));
}

HttpResponseReader::Status HttpResponseReader::readChunked()
{
    const qsizetype used = m_chunked.feed(m_buffer, &m_response.body);
    m_buffer.remove(0, used);
    // Checked after each piece and against the chunk announced, so an oversized body fails
    // before its bytes arrive.
    if (m_response.body.size() + qint64(std::min<quint64>(m_chunked.chunkRemaining(),
                                                          quint64(m_limits.maxBodyBytes) + 1)) >
        m_limits.maxBodyBytes)
        return fail(
            QStringLiteral("the response body is larger than %1 bytes").arg(m_limits.maxBodyBytes));
    if (m_chunked.failed())
        return fail(QString::fromLatin1(m_chunked.error().reason));
    return m_chunked.complete() ? complete() : m_status;
}

HttpResponseReader::Status HttpResponseReader::complete()
{
    m_status = Status::Complete;
    m_buffer.clear();
    return m_status;
}

HttpResponseReader::Status HttpResponseReader::fail(QString reason)
{
    m_status = Status::Failed;
    m_error = std::move(reason);
    m_response = {};
    m_buffer.clear();
    return m_status;
}

} // namespace echw
