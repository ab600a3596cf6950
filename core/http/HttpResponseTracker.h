#pragma once

#include "http/ChunkedDecoder.h"
#include "http/HttpHeadScanner.h"

#include <QByteArray>
#include <QByteArrayView>

#include <deque>

namespace echw::http {

// Follows the responses coming back on one upstream connection, for a proxy that passes them
// through unchanged: it only finds where each response ends (RFC 9112 section 6.3), so the
// proxy knows when every request it sent has been answered. Pure: bytes in, counts out; it
// holds at most the response head being read (HeadLimits::maxBytes).
//
// Interim 1xx responses do not answer a request (RFC 9110 section 15.2). A response to HEAD
// has no body. When the framing cannot be followed (a head over the limit or malformed,
// contradictory framing fields, a close-delimited body, 101 Switching Protocols, bytes nobody
// asked for) the tracker goes opaque: the rest of the connection belongs to the response in
// progress and ends with the connection (finishInput), which is the one reading that cannot
// attribute bytes to the wrong request. An opaque connection must not be reused.
class ResponseTracker {
public:
    explicit ResponseTracker(HeadLimits limits = {});

    // A request went upstream; its response comes after those of the earlier ones.
    void expect(bool headRequest);
    // Bytes the upstream sent, in order.
    void observe(QByteArrayView bytes);
    // The upstream closed: a response read to the close is complete; any other is cut short.
    void finishInput();

    // Requests sent whose final response has not ended yet.
    qsizetype outstanding() const { return qsizetype(m_expected.size()); }
    // Whether more responses can be told apart on this connection.
    bool opaque() const { return m_phase == Phase::Opaque; }

private:
    enum class Phase { Head, LengthBody, ChunkedBody, Opaque };

    qsizetype observeHead(QByteArrayView bytes);
    void onHead(QByteArrayView head);
    void completeResponse();

    HeadLimits m_limits;
    Phase m_phase = Phase::Head;
    HeadScanner m_scanner;
    ChunkedDecoder m_chunked;
    QByteArray m_head;           // the response head read so far
    qint64 m_remaining = 0;      // LengthBody
    std::deque<bool> m_expected; // per outstanding request: whether it was HEAD
};

} // namespace echw::http
