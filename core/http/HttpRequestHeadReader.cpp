#include "HttpRequestHeadReader.h"

#include <utility>

namespace echw::http {

RequestHeadReader::RequestHeadReader(HeadLimits limits)
    : m_scanner(HeadScanner::Kind::Request, limits)
{}

RequestHeadReader::Status RequestHeadReader::append(QByteArrayView bytes)
{
    if (m_status != Status::NeedMore)
        return m_status;
    m_buffer.append(bytes);
    switch (m_scanner.scan(m_buffer)) {
    case HeadScanner::Status::NeedMore:
        return m_status;
    case HeadScanner::Status::Failed:
        m_error = m_scanner.error();
        m_buffer.clear();
        return m_status = Status::Failed;
    case HeadScanner::Status::Complete:
        break;
    }
    auto parsed = parseRequestHead(
        QByteArrayView(m_buffer).sliced(m_scanner.headStart(), m_scanner.headLength()));
    if (auto* error = std::get_if<Error>(&parsed)) {
        m_error = std::move(*error);
        m_buffer.clear();
        return m_status = Status::Failed;
    }
    m_head = std::get<RequestHead>(std::move(parsed));
    m_buffer.remove(0, m_scanner.consumed());
    return m_status = Status::Complete;
}

QByteArray RequestHeadReader::takeRemaining()
{
    return std::exchange(m_buffer, {});
}

} // namespace echw::http
