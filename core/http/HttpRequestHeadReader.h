#pragma once

#include "http/HttpHead.h"
#include "http/HttpHeadScanner.h"

#include <QByteArray>

namespace echw::http {

// Collects one request head from bytes that arrive in pieces, for a server that reads one
// request per connection (the worker server, the metrics endpoint): HeadScanner to find its
// end within the limits, parseRequestHead for what it says. Only the head is held: at most
// HeadLimits::maxBytes.
class RequestHeadReader {
public:
    enum class Status { NeedMore, Complete, Failed };

    explicit RequestHeadReader(HeadLimits limits = {});

    // Later calls after Complete or Failed keep the verdict and ignore the bytes.
    Status append(QByteArrayView bytes);

    Status status() const { return m_status; }
    const RequestHead& head() const { return m_head; } // Complete
    const Error& error() const { return m_error; }     // Failed
    // Complete: the bytes after the head (a body, the first WebSocket frames), once.
    QByteArray takeRemaining();

private:
    HeadScanner m_scanner;
    QByteArray m_buffer;
    Status m_status = Status::NeedMore;
    RequestHead m_head;
    Error m_error;
};

} // namespace echw::http
