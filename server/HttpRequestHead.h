#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>

namespace echw::server {

struct HttpField {
    QByteArray name;  // as sent; compare case-insensitively (RFC 9110 section 5.1)
    QByteArray value; // without the surrounding whitespace
};

// One request head (RFC 9112 sections 3 and 5) as the worker needs it: the request line and the
// fields, already checked for the rules that keep two HTTP parsers from disagreeing about a
// message (one Host, no obs-fold, no whitespace before the colon, a consistent Content-Length).
struct HttpRequestHead {
    QByteArray method;    // case-sensitive (RFC 9110 section 9.1)
    QByteArray target;    // the request-target exactly as sent
    int versionMinor = 1; // HTTP/1.<minor>
    QList<HttpField> fields;

    // The field's value; a repeated field's values joined with ", " (RFC 9110 section 5.3).
    std::optional<QByteArray> field(QByteArrayView name) const;
    qsizetype fieldCount(QByteArrayView name) const;
    // Whether the field's comma-separated list holds `token`, compared case-insensitively (for
    // Connection and Upgrade, RFC 9110 sections 7.6.1 and 7.8).
    bool fieldHasToken(QByteArrayView name, QByteArrayView token) const;

    // The path of an origin-form or absolute-form target ("*" for asterisk-form), without the
    // query; and the query without the '?', empty when there is none.
    QByteArray path() const;
    QByteArray query() const;
    // The body's length from Content-Length (checked by the parser); nullopt when absent.
    std::optional<qint64> contentLength() const;
    bool hasTransferEncoding() const { return fieldCount("Transfer-Encoding") > 0; }
};

// Finds the end of a request head in the bytes a client sends and parses it. Pure: bytes in, a
// verdict out, no sockets.
//
// Use: append() what arrived until the status is not NeedMore. Complete carries the head and the
// bytes after it (a body, or the first WebSocket frames). Invalid carries the status to answer
// with: 400 malformed, 414 request line too long, 431 head too large or too many fields, 505 not
// HTTP/1.x. Later calls return the same verdict.
class HttpRequestHeadParser {
public:
    // A browser's request head is well under 8 KiB; a WebSocket upgrade under 1 KiB.
    static constexpr qsizetype kMaxHeadBytes = 16 * 1024;
    static constexpr int kMaxFields = 100;

    struct Result {
        enum class Status { NeedMore, Complete, Invalid };
        Status status = Status::NeedMore;
        HttpRequestHead head; // Complete
        QByteArray remaining; // Complete: the bytes after the head
        int httpStatus = 0;   // Invalid
        QString reason;       // Invalid: for the response body and the log
    };

    Result append(QByteArrayView bytes);

    // Parses a whole head: the request line and field lines, each ending in CRLF, without the
    // final empty line.
    static Result parse(QByteArrayView head);

private:
    Result invalid(int httpStatus, QString reason);

    QByteArray m_buffer;
    qsizetype m_lineStart = 0; // where the line being scanned starts
    qsizetype m_scanned = 0;   // bytes already searched for a line end
    int m_lines = 0;
    Result m_result;
};

} // namespace echw::server
