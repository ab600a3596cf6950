#include "HttpResponseReader.h"

#include "http/HttpSyntax.h"

#include <algorithm>

namespace echw {

namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
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
{}

HttpResponseReader::HttpResponseReader()
    : HttpResponseReader(Limits{})
{}

HttpResponseReader::Status HttpResponseReader::append(QByteArrayView bytes)
{
    if (m_status != Status::NeedMore)
        return m_status;
    m_buffer.remove(0, m_pos);
    m_pos = 0;
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

HttpResponseReader::LineStatus HttpResponseReader::takeLine(qsizetype maxLength,
                                                            QByteArrayView* line)
{
    const qsizetype end = m_buffer.indexOf('\n', m_pos);
    if (end < 0)
        return m_buffer.size() - m_pos > maxLength ? LineStatus::TooLong : LineStatus::NeedMore;
    const qsizetype length = end + 1 - m_pos;
    if (length > maxLength)
        return LineStatus::TooLong;
    *line = QByteArrayView(m_buffer).sliced(m_pos, end - m_pos);
    if (line->endsWith('\r'))
        line->chop(1);
    m_pos = end + 1;
    m_sectionBytes += length;
    return LineStatus::Line;
}

HttpResponseReader::Status HttpResponseReader::process()
{
    while (m_status == Status::NeedMore) {
        const qsizetype available = m_buffer.size() - m_pos;
        QByteArrayView line;
        switch (m_phase) {
        case Phase::Head:
        case Phase::ChunkSize:
        case Phase::Trailers: {
            // Chunk-size lines share the trailers' budget: framing is never allowed to cost
            // more than a head, however the body is cut into chunks.
            switch (takeLine(m_limits.maxHeadBytes - m_sectionBytes, &line)) {
            case LineStatus::NeedMore:
                return m_status;
            case LineStatus::TooLong:
                return fail(m_phase == Phase::Head
                                ? QStringLiteral("the response head is larger than %1 bytes")
                                      .arg(m_limits.maxHeadBytes)
                                : QStringLiteral("the chunk framing is larger than %1 bytes")
                                      .arg(m_limits.maxHeadBytes));
            case LineStatus::Line:
                break;
            }
            if (m_phase == Phase::Head) {
                if (!onHeadLine(line))
                    return m_status;
            } else if (m_phase == Phase::ChunkSize) {
                if (!onChunkSizeLine(line))
                    return m_status;
            } else if (line.isEmpty()) {
                return complete();
            } else if (!std::holds_alternative<http::FieldLine>(http::splitFieldLine(line))) {
                return fail(QStringLiteral("malformed trailer field"));
            }
            break;
        }
        case Phase::LengthBody:
        case Phase::ChunkData: {
            const qsizetype take = std::min(available, m_remaining);
            if (take == 0)
                return m_status;
            m_response.body.append(m_buffer.constData() + m_pos, take);
            m_pos += take;
            m_remaining -= take;
            if (m_remaining == 0) {
                if (m_phase == Phase::LengthBody)
                    return complete();
                m_phase = Phase::ChunkDataEnd;
            }
            break;
        }
        case Phase::ChunkDataEnd:
            // Section 7.1: the data is followed by CRLF, nothing else.
            switch (takeLine(2, &line)) {
            case LineStatus::NeedMore:
                return m_status;
            case LineStatus::TooLong:
                return fail(QStringLiteral("chunk data longer than its chunk size"));
            case LineStatus::Line:
                break;
            }
            if (!line.isEmpty())
                return fail(QStringLiteral("chunk data longer than its chunk size"));
            m_phase = Phase::ChunkSize;
            break;
        }
    }
    return m_status;
}

// Returns whether to go on reading: false once the response failed or is complete.
bool HttpResponseReader::onHeadLine(QByteArrayView line)
{
    if (!m_haveStatusLine) {
        // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 section 4);
        // the second SP is accepted missing when there is no reason, as senders do.
        const bool shaped = line.size() >= 12 && line.startsWith("HTTP/1.") && isDigit(line[7]) &&
                            line[8] == ' ' && isDigit(line[9]) && isDigit(line[10]) &&
                            isDigit(line[11]) && (line.size() == 12 || line[12] == ' ');
        const QByteArrayView reason = line.size() > 13 ? line.sliced(13) : QByteArrayView();
        if (!shaped || !http::isFieldValue(reason)) {
            fail(QStringLiteral("not an HTTP/1.x status line"));
            return false;
        }
        m_response.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        // RFC 9110 section 15: codes outside 100..599 are invalid.
        if (m_response.status < 100 || m_response.status > 599) {
            fail(QStringLiteral("invalid status code %1").arg(m_response.status));
            return false;
        }
        m_response.reason = reason.toByteArray();
        m_haveStatusLine = true;
        return true;
    }
    if (line.isEmpty())
        return startBody();
    const auto split = http::splitFieldLine(line);
    const auto* field = std::get_if<http::FieldLine>(&split);
    if (!field || !http::isFieldValue(field->value)) {
        fail(QStringLiteral("malformed header field line"));
        return false;
    }
    m_response.fields.append({field->name.toByteArray(), field->value.toByteArray()});
    return true;
}

bool HttpResponseReader::startBody()
{
    const int status = m_response.status;
    if (status / 100 == 1) {
        if (status == 101) {
            fail(QStringLiteral("the server switched protocols, which was not asked for"));
            return false;
        }
        // An interim response (RFC 9110 section 15.2): the final one follows.
        m_response = {};
        m_haveStatusLine = false;
        m_sectionBytes = 0;
        return true;
    }
    m_sectionBytes = 0;
    // RFC 9112 section 6.3 rule 2: 204 and 304 never have a body, whatever the fields say.
    if (status == 204 || status == 304) {
        complete();
        return false;
    }
    const auto transferEncoding = m_response.field("Transfer-Encoding");
    const auto contentLength = m_response.field("Content-Length");
    if (transferEncoding) {
        // Both at once is how responses get split differently by different readers (section
        // 6.3 rule 3 calls it a likely attack); only chunked was possible, as no TE was sent.
        if (contentLength) {
            fail(QStringLiteral("the response has both Transfer-Encoding and Content-Length"));
            return false;
        }
        const auto codings = http::splitList(*transferEncoding);
        if (codings.size() != 1 || !http::equalsIgnoringCase(codings.first(), "chunked")) {
            fail(QStringLiteral("unsupported transfer coding \"%1\"")
                     .arg(QString::fromLatin1(*transferEncoding)));
            return false;
        }
        m_phase = Phase::ChunkSize;
        return true;
    }
    if (contentLength) {
        // RFC 9110 section 8.6: a list of identical values may be taken as one value.
        const auto values = http::splitList(*contentLength);
        const bool valid =
            !values.isEmpty() && values.first().size() <= 18 &&
            std::all_of(values.first().begin(), values.first().end(), isDigit) &&
            std::all_of(values.begin(), values.end(),
                        [&values](QByteArrayView value) { return value == values.first(); });
        if (!valid) {
            fail(QStringLiteral("invalid Content-Length"));
            return false;
        }
        const qint64 length = values.first().toByteArray().toLongLong();
        if (length > m_limits.maxBodyBytes) {
            fail(QStringLiteral("the response body is larger than %1 bytes")
                     .arg(m_limits.maxBodyBytes));
            return false;
        }
        if (length == 0) {
            complete();
            return false;
        }
        m_remaining = qsizetype(length);
        m_phase = Phase::LengthBody;
        return true;
    }
    // RFC 9112 section 6.3 rule 8 lets the close end such a body, but TLS peers often close
    // without close_notify, and then a cut body would look whole.
    fail(QStringLiteral("the response has neither Content-Length nor chunked framing"));
    return false;
}

bool HttpResponseReader::onChunkSizeLine(QByteArrayView line)
{
    // chunk-size [ chunk-ext ] (RFC 9112 section 7.1); extensions carry nothing we use.
    qsizetype digits = 0;
    qint64 size = 0;
    while (digits < line.size() && hexValue(line[digits]) >= 0) {
        size = size * 16 + hexValue(line[digits]);
        ++digits;
        // Checked per digit, so a long run of digits cannot overflow.
        if (m_response.body.size() + size > m_limits.maxBodyBytes) {
            fail(QStringLiteral("the response body is larger than %1 bytes")
                     .arg(m_limits.maxBodyBytes));
            return false;
        }
    }
    const QByteArrayView rest = http::trimOws(line.sliced(digits));
    if (digits == 0 || (!rest.isEmpty() && !rest.startsWith(';')) || !http::isFieldValue(rest)) {
        fail(QStringLiteral("malformed chunk size line"));
        return false;
    }
    if (size == 0) {
        m_phase = Phase::Trailers;
        return true;
    }
    m_remaining = qsizetype(size);
    m_phase = Phase::ChunkData;
    return true;
}

HttpResponseReader::Status HttpResponseReader::complete()
{
    m_status = Status::Complete;
    m_buffer.clear();
    m_pos = 0;
    return m_status;
}

HttpResponseReader::Status HttpResponseReader::fail(QString reason)
{
    m_status = Status::Failed;
    m_error = std::move(reason);
    m_response = {};
    m_buffer.clear();
    m_pos = 0;
    return m_status;
}

} // namespace echw
