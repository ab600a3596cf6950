#pragma once

#include "http/HttpError.h"

#include <QByteArrayView>

namespace echw::http {

// The one set of limits on a message head (start line and field lines, or a trailer section)
// for every HTTP/1.1 reader here: the proxy, the worker server, the metrics endpoint, the
// WebSocket client and the response readers. One set, so no two of them can disagree about
// whether a head is acceptable.
struct HeadLimits {
    // A browser's head with its cookies stays well under this; an upgrade is under 1 KiB.
    qsizetype maxBytes = 64 * 1024;
    int maxFields = 100;
};

// Finds the end of a request or response head (RFC 9112 section 2.1: start line, field lines,
// an empty line) in bytes that arrive in pieces, each byte looked at once. It only finds lines
// and applies the limits; what the lines say is for the parsers of HttpHead.h.
//
// Line endings are CRLF, nothing else. RFC 9112 section 2.2 lets a recipient accept a bare LF,
// and a bare CR must be refused or replaced; here both are refused everywhere. This proxy
// forwards bodies and trailers byte-exact, so the origin behind it sees the very line ends we
// judged; if we accepted a bare LF that the origin does not (or the other way round), the two
// would split messages differently, which is how requests are smuggled. Every real client and
// server sends CRLF, so nothing legitimate is lost.
class HeadScanner {
public:
    enum class Status { NeedMore, Complete, Failed };
    // Requests: RFC 9112 section 2.2 has a server ignore empty lines before the request line
    // (some clients send a CRLF after a body). Responses have no such allowance.
    enum class Kind { Request, Response };

    explicit HeadScanner(Kind kind, HeadLimits limits = {});

    // `pending` holds the bytes from where the head (or the empty lines before it) starts;
    // each call passes the same bytes and any that came since.
    Status scan(QByteArrayView pending);

    Status status() const { return m_status; }
    // Complete: the head is pending.sliced(headStart(), headLength()), ending in CRLF CRLF.
    qsizetype headStart() const { return m_headStart; }
    qsizetype headLength() const { return m_scanned - m_headStart; }
    // Complete: the bytes of pending used up, the empty lines before the head included.
    qsizetype consumed() const { return m_scanned; }
    const Error& error() const { return m_error; }

    // Ready for the next head of a keep-alive connection.
    void reset();

private:
    Status fail(int status, QByteArray reason);

    Kind m_kind;
    HeadLimits m_limits;
    Status m_status = Status::NeedMore;
    qsizetype m_headStart = 0;
    qsizetype m_lineStart = 0;
    qsizetype m_scanned = 0;
    int m_lines = 0;
    Error m_error;
};

} // namespace echw::http
