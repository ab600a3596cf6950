#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

namespace echw {

// One HTTP/1.1 response as HttpResponseReader hands it over.
struct HttpResponse {
    int status = 0;
    QByteArray reason;
    QList<std::pair<QByteArray, QByteArray>> fields; // name and value as sent, in order
    QByteArray body;                                 // without its transfer coding

    // The values of every field called `name` (compared case-insensitively), joined with ", "
    // as RFC 9110 section 5.3 allows; nullopt when there is none.
    std::optional<QByteArray> field(QByteArrayView name) const;
};

// Reads the response to one request that has no special framing (not HEAD, not CONNECT): the
// status line and fields (RFC 9112 sections 4 and 5), then the body framed as section 6.3
// says: none for 204 and 304, else chunked (section 7.1) or Content-Length. A body that only
// the close of the connection would end is refused: TLS peers often close without
// close_notify, and then a cut body would look whole. Interim 1xx responses are skipped (RFC
// 9110 section 15.2). Pure: bytes in, a verdict out; no sockets.
//
// Strict where a lenient reading could be misled: a response with both Transfer-Encoding and
// Content-Length, Content-Length values that disagree, a transfer coding other than chunked
// (nothing asked the server for one, section 6.1), a folded or malformed field line, and
// anything beyond the limits fail. Lines may end in CRLF or a bare LF (section 2.2).
class HttpResponseReader {
public:
    struct Limits {
        qsizetype maxHeadBytes = 16 * 1024; // status line and fields, and again for trailers
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
    enum class Phase { Head, LengthBody, ChunkSize, ChunkData, ChunkDataEnd, Trailers };
    enum class LineStatus { Line, NeedMore, TooLong };

    Status process();
    LineStatus takeLine(qsizetype maxLength, QByteArrayView* line);
    bool onHeadLine(QByteArrayView line);
    bool startBody();
    bool onChunkSizeLine(QByteArrayView line);
    Status complete();
    Status fail(QString reason);

    Limits m_limits;
    Status m_status = Status::NeedMore;
    Phase m_phase = Phase::Head;
    QByteArray m_buffer;
    qsizetype m_pos = 0;          // bytes of m_buffer already consumed
    qsizetype m_sectionBytes = 0; // head or trailer bytes so far, against maxHeadBytes
    qsizetype m_remaining = 0;    // LengthBody, ChunkData: bytes still to come
    bool m_haveStatusLine = false;
    HttpResponse m_response;
    QString m_error;
};

} // namespace echw
