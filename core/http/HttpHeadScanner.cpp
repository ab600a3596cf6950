#include "HttpHeadScanner.h"

namespace echw::http {

HeadScanner::HeadScanner(Kind kind, HeadLimits limits)
    : m_kind(kind)
    , m_limits(limits)
{}

void HeadScanner::reset()
{
    *this = HeadScanner(m_kind, m_limits);
}

HeadScanner::Status HeadScanner::scan(QByteArrayView pending)
{
    while (m_status == Status::NeedMore) {
        const qsizetype lf = pending.indexOf('\n', m_scanned);
        // Empty lines before a request line count too, so that no input grows the caller's
        // buffer past the limit.
        const qsizetype available = lf < 0 ? pending.size() : lf + 1;
        if (available > m_limits.maxBytes) {
            // RFC 9112 section 3: a request line that alone does not fit is answered with 414.
            if (m_lines == 0 && m_kind == Kind::Request)
                return fail(414, QByteArrayLiteral("request line too long"));
            return fail(431, QByteArrayLiteral("head too large"));
        }
        if (lf < 0) {
            m_scanned = pending.size();
            return m_status;
        }
        const QByteArrayView line = pending.sliced(m_lineStart, lf - m_lineStart);
        m_scanned = m_lineStart = lf + 1;
        if (!line.endsWith('\r'))
            return fail(400, QByteArrayLiteral("a line ends in a bare LF"));
        if (line.first(line.size() - 1).contains('\r'))
            return fail(400, QByteArrayLiteral("a bare CR inside a line"));
        if (line.size() > 1) {
            if (++m_lines > m_limits.maxFields + 1)
                return fail(431, QByteArrayLiteral("too many header fields"));
            continue;
        }
        if (m_lines > 0) {
            m_status = Status::Complete;
            break;
        }
        if (m_kind == Kind::Response)
            return fail(400, QByteArrayLiteral("empty line instead of a status line"));
        m_headStart = m_scanned;
    }
    return m_status;
}

HeadScanner::Status HeadScanner::fail(int status, QByteArray reason)
{
    m_status = Status::Failed;
    m_error = {status, std::move(reason)};
    return m_status;
}

} // namespace echw::http
