#include "ChunkedDecoder.h"

#include "http/HttpSyntax.h"

#include <algorithm>

namespace echw::http {

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

ChunkedDecoder::ChunkedDecoder(HeadLimits limits)
    : m_limits(limits)
{}

qsizetype ChunkedDecoder::feed(QByteArrayView input, QByteArray* data)
{
    qsizetype position = 0;
    while (position < input.size() && m_state != State::Complete && m_state != State::Failed) {
        if (m_state == State::Data) {
            const auto length =
                qsizetype(std::min<quint64>(m_chunkSize, quint64(input.size() - position)));
            if (data)
                data->append(input.sliced(position, length));
            position += length;
            m_chunkSize -= quint64(length);
            if (m_chunkSize == 0)
                m_state = State::DataCr;
            continue;
        }
        if (!step(input[position]))
            break;
        ++position;
    }
    return position;
}

// Steps the grammar by one byte outside chunk data; false when the byte does not fit.
bool ChunkedDecoder::step(char byte)
{
    if (m_state <= State::SizeLf && ++m_sizeLineBytes > kMaxSizeLineBytes)
        return fail(400, QByteArrayLiteral("chunk size line too long"));
    if (m_state >= State::TrailerStart && ++m_trailerBytes > m_limits.maxBytes)
        return fail(431, QByteArrayLiteral("chunked trailer section too large"));

    const int digit = hexValue(byte);
    switch (m_state) {
    case State::SizeStart:
        if (digit < 0)
            return fail(400, QByteArrayLiteral("invalid chunk size"));
        m_chunkSize = quint64(digit);
        m_sizeDigits = 1;
        m_state = State::Size;
        break;
    case State::Size:
        if (digit >= 0) {
            m_chunkSize = m_chunkSize * 16 + quint64(digit);
            if (++m_sizeDigits > kMaxSizeDigits || m_chunkSize > kMaxChunkSize)
                return fail(400, QByteArrayLiteral("chunk size too large"));
        } else if (byte == ';') {
            m_state = State::Extension;
        } else if (isOws(byte)) {
            m_state = State::SizeSpace;
        } else if (byte == '\r') {
            m_state = State::SizeLf;
        } else {
            return fail(400, QByteArrayLiteral("invalid chunk size"));
        }
        break;
    case State::SizeSpace:
        // chunk-ext = *( BWS ";" ... ): whitespace after the size must lead to an extension.
        if (byte == ';')
            m_state = State::Extension;
        else if (!isOws(byte))
            return fail(400, QByteArrayLiteral("invalid chunk size"));
        break;
    case State::Extension:
        // Extensions carry nothing we use; only their end matters.
        if (byte == '\r')
            m_state = State::SizeLf;
        else if (!isFieldValueChar(byte))
            return fail(400, QByteArrayLiteral("invalid chunk extension"));
        break;
    case State::SizeLf:
        if (byte != '\n')
            return fail(400, QByteArrayLiteral("chunk size line not ended by CRLF"));
        m_sizeLineBytes = 0;
        m_state = m_chunkSize == 0 ? State::TrailerStart : State::Data;
        break;
    case State::DataCr:
        if (byte != '\r')
            return fail(400, QByteArrayLiteral("chunk data not followed by CRLF"));
        m_state = State::DataLf;
        break;
    case State::DataLf:
        if (byte != '\n')
            return fail(400, QByteArrayLiteral("chunk data not followed by CRLF"));
        m_state = State::SizeStart;
        break;
    case State::TrailerStart:
        if (byte == '\r') {
            m_state = State::FinalLf;
            break;
        }
        // A field line starts with its name: no obs-fold (RFC 9112 section 5.2).
        if (!isTchar(byte))
            return fail(400, QByteArrayLiteral("invalid trailer field"));
        if (++m_trailerCount > m_limits.maxFields)
            return fail(431, QByteArrayLiteral("too many trailer fields"));
        m_state = State::TrailerName;
        break;
    case State::TrailerName:
        // The name is a token up to the colon: whitespace before it is refused (section 5.1).
        if (byte == ':')
            m_state = State::TrailerValue;
        else if (!isTchar(byte))
            return fail(400, QByteArrayLiteral("invalid trailer field"));
        break;
    case State::TrailerValue:
        if (byte == '\r')
            m_state = State::TrailerLf;
        else if (!isFieldValueChar(byte))
            return fail(400, QByteArrayLiteral("invalid trailer field"));
        break;
    case State::TrailerLf:
        if (byte != '\n')
            return fail(400, QByteArrayLiteral("trailer line not ended by CRLF"));
        m_state = State::TrailerStart;
        break;
    case State::FinalLf:
        if (byte != '\n')
            return fail(400, QByteArrayLiteral("chunked body not ended by CRLF"));
        m_state = State::Complete;
        break;
    case State::Data: // feed() skips chunk data without coming here
    case State::Complete:
    case State::Failed:
        break;
    }
    return true;
}

bool ChunkedDecoder::fail(int status, QByteArray reason)
{
    m_state = State::Failed;
    m_error = {status, std::move(reason)};
    return false;
}

} // namespace echw::http
