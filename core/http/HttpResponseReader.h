#pragma once

#include "http/ChunkedDecoder.h"
#include "http/HttpFields.h"
#include "http/HttpHeadScanner.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>

namespace echw {

// One HTTP/1.1 response as HttpResponseReader hands it over.
struct HttpResponse {
    int status = 0;
    QByteArray reason;
    QList<http::Field> fields; // name and value as sent, in order
    QByteArray body;           // without its transfer coding

    // The values of every field called `name` (compared case-insensitively), joined with ", "
    // as RFC 9110 section 5.3 allows; nullopt when there is none.
    std::optional<QByteArray> field(QByteArrayView name) const;
};

// Reads the response to one request that has no special framing (not HEAD, not CONNECT) with
// the shared HTTP/1.1 layer: HeadScanner, parseResponseHead, responseFraming, ChunkedDecoder,
// so it refuses exactly what the proxy and the servers refuse. Interim 1xx responses are
// skipped (RFC 9110 section 15.2). Pure: bytes in, a verdict out; no sockets.
//
// On top of the shared rules, what a client that only wants a bounded body needs: a body that
// only the close of the connection would end is refused (TLS peers often close without
// close_notify, and then a cut body would look whole), as is any transfer coding but chunked
// alone (nothing asked the server for one, RFC 9112 section 6.1), and a body over the limit.
class HttpResponseReader {
public:
    struct Limits {
        // The status line and fields, and again the trailers; one field-line count for all.
        qsizetype maxHeadBytes = http::HeadLimits{}.maxBytes;
        qsizetype maxBodyBytes = 64 * 1024;
    };
    enum class Status { NeedMore, Complete, Failed };

    explicit HttpResponseReader(Limits limits);
    HttpResponseReader();

    // Feeds what the server sent. Bytes after a complete response are ignored.
    Status append(QByteArrayView bytes);
    // The server closed the connection: fails a response that is still missing bytes.
    Status finishInput();

    Status status() const { return m_status; }
    // Complete: the response.
    const HttpResponse& response() const { return m_response; }
    // Failed: what was wrong, for the log.
    const QString& error() const { return m_error; }

private:
    enum class Phase { Head, LengthBody, ChunkedBody };

    Status process();
    Status onHead(QByteArrayView head);
    Status readChunked();
    Status complete();
    Status fail(QString reason);

    Limits m_limits;
    http::HeadScanner m_scanner;
    http::ChunkedDecoder m_chunked;
    Status m_status = Status::NeedMore;
    Phase m_phase = Phase::Head;
    QByteArray m_buffer;       // the head being scanned, or body bytes not yet taken
    qsizetype m_remaining = 0; // LengthBody: bytes still to come
    HttpResponse m_response;
    QString m_error;
};

} // namespace echw
