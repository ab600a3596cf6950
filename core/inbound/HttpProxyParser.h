#pragma once

#include "http/ChunkedDecoder.h"
#include "http/HttpHeadScanner.h"
#include "inbound/ProxyCredentials.h"
#include "net/TargetAddress.h"

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace echw {

// The client side of an HTTP/1.x proxy connection as a pure state machine: bytes in, events
// out, no sockets. Every request of a keep-alive connection is parsed, so each one can be
// rewritten and routed on its own; bodies are streamed, never buffered whole.
//
// Use: append() what the client sent, then call next() until it returns std::nullopt (more
// bytes needed). After an Error event the parser stays failed.
//
// With credentials every request head (CONNECT, and each request of a keep-alive connection)
// must carry a matching Proxy-Authorization: Basic field, else it fails with 407.
class HttpProxyParser {
public:
    struct Event {
        enum class Type {
            // CONNECT host:port. The tunnel starts after it: takeRemaining() yields the bytes
            // the client already sent past the request head, and the parser is done.
            Connect,
            // An absolute-form request, rewritten to origin form: `head` holds the request
            // line and headers (Proxy-* removed, Host from the URI) ending in CRLF CRLF, ready
            // to send to `target`. Its body, if any, follows as Body events.
            RequestHead,
            // A slice of the current request's body, in its wire framing (chunked stays
            // chunked), to be forwarded as is.
            Body,
            // The current request is complete; the next one may follow on this connection.
            MessageEnd,
            // Malformed or unsupported input: reply with `status` and close.
            Error,
        };
        Type type = Type::Error;
        TargetAddress target; // Connect, RequestHead
        QByteArray head;      // RequestHead
        QByteArray body;      // Body
        int status = 0;       // Error: 400, 405, 407, 431, 501 ...
        QByteArray reason;    // Error: a short text for the log and the response body
    };

    // The shared limits of core/http on a request head.
    static constexpr qsizetype kMaxHeadBytes = http::HeadLimits{}.maxBytes;
    static constexpr int kMaxHeaderCount = http::HeadLimits{}.maxFields;

    HttpProxyParser() = default;
    explicit HttpProxyParser(ProxyCredentials credentials);

    void append(QByteArrayView bytes);
    std::optional<Event> next();

    // After a Connect event: the bytes that followed the head (the start of the tunnel).
    QByteArray takeRemaining();

    bool failed() const;
    // True while no request is in progress (between messages): the connection may close now
    // without cutting a request short.
    bool idle() const;

    // A complete response for an Error event: status line, Content-Type text/plain,
    // Content-Length, Connection: close, and the reason as body; a 407 also names the Basic
    // scheme in Proxy-Authenticate.
    static QByteArray errorResponse(int status, QByteArrayView reason);

private:
    enum class State { Head, FixedBody, ChunkedBody, MessageEnd, Tunnel, Failed };
    std::optional<Event> nextHead();
    std::optional<Event> takeHead(qsizetype length);
    std::optional<Event> nextFixedBody();
    std::optional<Event> nextChunkedBody();
    Event fail(int status, QByteArray reason);
    QByteArray take(qsizetype length);
    void consume(qsizetype length);

    ProxyCredentials m_credentials;
    // Bytes before m_offset are consumed; append() drops them once they are half the buffer.
    QByteArray m_buffer;
    qsizetype m_offset = 0;
    State m_state = State::Head;

    // Finds the end of the next head in the bytes from m_offset; its progress is relative to
    // m_offset, so dropping consumed bytes does not move it.
    http::HeadScanner m_scanner{http::HeadScanner::Kind::Request};
    qint64 m_bodyRemaining = 0;
    http::ChunkedDecoder m_chunked;
};

} // namespace echw
