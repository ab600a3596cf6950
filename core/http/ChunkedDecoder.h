#pragma once

#include "http/HttpError.h"
#include "http/HttpHeadScanner.h"

#include <QByteArray>
#include <QByteArrayView>

namespace echw::http {

// The chunked transfer coding (RFC 9112 section 7.1) as one byte-level state machine, shared
// by whoever forwards a chunked body unchanged (the proxy: it only needs to know where the body
// ends) and whoever needs its content (the response readers). Each byte is looked at once;
// nothing is buffered here, so memory does not grow with chunk sizes, extensions or trailers.
//
// Strict, as HeadScanner is: lines end in CRLF only; a size is 1..16 hex digits below 2^53
// (no sign, no "0x", no whitespace inside); whitespace after the size must lead to an
// extension; extensions are accepted and ignored (field-value characters); trailer fields
// must be well-formed field lines (no obs-fold, no space before the colon) within the head
// limits. A size line, extensions included, is at most 4 KiB.
class ChunkedDecoder {
public:
    static constexpr qsizetype kMaxSizeLineBytes = 4 * 1024;
    // 2^53 keeps a size exact wherever a peer holds it in a double and cannot overflow.
    static constexpr quint64 kMaxChunkSize = quint64(1) << 53;
    static constexpr int kMaxSizeDigits = 16;

    explicit ChunkedDecoder(HeadLimits limits = {});

    // Reads from the start of `input`, appending chunk data to `data` when it is given. Returns
    // how many bytes belong to the body: all of `input`, or fewer when the body ended (the
    // rest is the next message) or a byte broke the grammar (failed(); the bytes before it
    // were valid).
    qsizetype feed(QByteArrayView input, QByteArray* data = nullptr);

    bool complete() const { return m_state == State::Complete; }
    bool failed() const { return m_state == State::Failed; }
    const Error& error() const { return m_error; }
    // The data of the current chunk still to come: lets a reader refuse an announced chunk
    // that would pass its body limit before it arrives.
    quint64 chunkRemaining() const { return m_state == State::Data ? m_chunkSize : 0; }

private:
    enum class State {
        SizeStart,
        Size,
        SizeSpace,
        Extension,
        SizeLf,
        Data,
        DataCr,
        DataLf,
        TrailerStart,
        TrailerName,
        TrailerValue,
        TrailerLf,
        FinalLf,
        Complete,
        Failed,
    };

    bool step(char byte);
    bool fail(int status, QByteArray reason);

    HeadLimits m_limits;
    State m_state = State::SizeStart;
    quint64 m_chunkSize = 0;
    int m_sizeDigits = 0;
    qsizetype m_sizeLineBytes = 0;
    qsizetype m_trailerBytes = 0;
    int m_trailerCount = 0;
    Error m_error;
};

} // namespace echw::http
