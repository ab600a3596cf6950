#pragma once

#include "http/HttpHeadScanner.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <variant>

namespace echw {

// Where and how to open the WebSocket (RFC 6455 section 4.1).
struct WebSocketUpgradeParams {
    QString host; // a domain name or IP literal, IPv6 without brackets
    quint16 port = 443;
    QString path = QStringLiteral("/");
    // Sent as Sec-WebSocket-Protocol, which is how the worker receives its token. Empty: the
    // header is left out. Never logged.
    QString subprotocol;
    // Empty: "ech-workers/<version>".
    QByteArray userAgent;
};

struct WebSocketUpgradeRequest {
    QByteArray bytes; // the request head, ready to write
    QByteArray key;   // Sec-WebSocket-Key, for WebSocketUpgradeResponseParser
};

// Builds the client's opening handshake with a fresh random key. Fails, with a sentence for the
// user that does not quote the token, when the host or the token cannot go into a header.
std::variant<WebSocketUpgradeRequest, QString>
buildWebSocketUpgradeRequest(const WebSocketUpgradeParams& params);

// Reads the server's answer to the opening handshake and checks it (RFC 6455 section 4.1, the
// client's requirements on the response). Pure: bytes in, a verdict out.
//
// Use: append() what the server sent until the result is not NeedMore. Accepted carries the bytes
// that followed the response head: the first WebSocket frames. Later calls return the same verdict
// without those bytes. Reasons never contain the token.
class WebSocketUpgradeResponseParser {
public:
    struct Result {
        enum class Status { NeedMore, Accepted, Rejected };
        Status status = Status::NeedMore;
        QByteArray remaining; // Accepted: bytes after the head
        // Accepted although a token was sent: the server selected no subprotocol, so it does
        // not check tokens and anyone who knows its address may use it.
        bool tokenUnchecked = false;
        int httpStatus = 0; // Rejected: the response's status code, 0 if it had none
        QString reason;     // Rejected: for the user and the log
    };

    // The shared head limit of core/http (a 101 response is a few hundred bytes).
    static constexpr qsizetype kMaxHeadBytes = http::HeadLimits{}.maxBytes;

    // `key` from the request; `subprotocol` the one requested (empty when none was).
    WebSocketUpgradeResponseParser(QByteArray key, QString subprotocol);

    Result append(QByteArrayView bytes);

    // Sec-WebSocket-Accept for a key: base64(SHA-1(key + the RFC's GUID)), section 4.2.2.
    static QByteArray acceptFor(QByteArrayView key);

private:
    Result check(QByteArrayView head);
    static int statusOf(QByteArrayView head);
    Result reject(int httpStatus, QString reason);

    QByteArray m_key;
    QByteArray m_subprotocol;
    QByteArray m_buffer;
    http::HeadScanner m_scanner{http::HeadScanner::Kind::Response};
    Result m_result;
};

} // namespace echw
