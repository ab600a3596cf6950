#pragma once

#include "http/HttpHead.h"
#include "http/HttpRequestHeadReader.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

namespace echw::server {

using HttpField = http::Field;

// One request head as the worker needs it: what core/http parsed (request line, fields, body
// framing, with the rules every HTTP reader here shares) plus the rules of a server (exactly
// one Host, RFC 9112 section 3.2) and the accessors the router uses.
struct HttpRequestHead : http::RequestHead {
    // The field's value; a repeated field's values joined with ", " (RFC 9110 section 5.3).
    std::optional<QByteArray> field(QByteArrayView name) const { return fields.value(name); }
    qsizetype fieldCount(QByteArrayView name) const { return fields.count(name); }
    bool fieldHasToken(QByteArrayView name, QByteArrayView token) const
    {
        return fields.hasToken(name, token);
    }

    // The path of an origin-form or absolute-form target ("*" for asterisk-form), without the
    // query; and the query without the '?', empty when there is none.
    QByteArray path() const;
    QByteArray query() const;
    // The body's length from Content-Length; nullopt when absent.
    std::optional<qint64> contentLength() const;
    bool hasTransferEncoding() const { return framing.kind == http::BodyFraming::Kind::Chunked; }
};

// Reads the request head of a connection. Pure: bytes in, a verdict out, no sockets.
//
// Use: append() what arrived until the status is not NeedMore. Complete carries the head and the
// bytes after it (a body, or the first WebSocket frames). Invalid carries the status to answer
// with: 400 malformed, 414 request line too long, 431 head too large or too many fields, 505 not
// HTTP/1.x. Later calls return the same verdict.
class HttpRequestHeadParser {
public:
    static constexpr qsizetype kMaxHeadBytes = http::HeadLimits{}.maxBytes;
    static constexpr int kMaxFields = http::HeadLimits{}.maxFields;

    struct Result {
        enum class Status { NeedMore, Complete, Invalid };
        Status status = Status::NeedMore;
        HttpRequestHead head; // Complete
        QByteArray remaining; // Complete: the bytes after the head
        int httpStatus = 0;   // Invalid
        QString reason;       // Invalid: for the response body and the log
    };

    Result append(QByteArrayView bytes);

private:
    http::RequestHeadReader m_reader;
    Result m_result;
};

} // namespace echw::server
