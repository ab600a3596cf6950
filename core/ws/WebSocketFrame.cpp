#include "WebSocketFrame.h"

#include <QRandomGenerator>
#include <QtEndian>

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

namespace echw {

namespace {

using Event = WebSocketFrameDecoder::Event;

// Header bits of RFC 6455 section 5.2.
constexpr quint8 kFinBit = 0x80;
constexpr quint8 kReservedBits = 0x70;
constexpr quint8 kOpcodeBits = 0x0F;
constexpr quint8 kMaskBit = 0x80;
constexpr quint8 kLengthBits = 0x7F;
constexpr quint8 kLength16 = 126;
constexpr quint8 kLength64 = 127;

constexpr qsizetype kMaxControlPayload = 125;
constexpr qsizetype kMaxCloseReason = kMaxControlPayload - 2;
// The largest header: 2 bytes, a 64-bit length and a masking key.
constexpr qsizetype kMaxHeaderSize = 2 + 8 + 4;

bool isControl(WebSocketOpcode opcode)
{
    return (quint8(opcode) & 0x08) != 0;
}

bool isKnownOpcode(quint8 opcode)
{
    switch (WebSocketOpcode(opcode)) {
    case WebSocketOpcode::Continuation:
    case WebSocketOpcode::Text:
    case WebSocketOpcode::Binary:
    case WebSocketOpcode::Close:
    case WebSocketOpcode::Ping:
    case WebSocketOpcode::Pong:
        return true;
    }
    return false;
}

// Section 7.4: the codes a Close frame may carry. 1004, 1005, 1006 and 1015 are reserved for
// local use; 1012-1014 were registered with IANA after the RFC (section 11.7) and servers send
// them, so they are accepted too. 3000-4999 belong to libraries and applications.
bool isValidCloseCode(quint16 code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

// XORs `length` bytes of `source` with the 4-byte `key` into `target` (section 5.3). Eight bytes
// at a time since this runs over every byte sent; memcpy keeps the loads and stores legal at
// any alignment and compiles to plain moves.
void maskInto(char* target, const char* source, qsizetype length, const uchar (&key)[4],
              quint64 phase)
{
    // A payload read in slices continues the key where the previous slice stopped.
    uchar keyTwice[8];
    for (int i = 0; i < 8; ++i)
        keyTwice[i] = key[(phase + quint64(i)) & 3];
    quint64 mask;
    std::memcpy(&mask, keyTwice, sizeof mask);

    qsizetype i = 0;
    for (; length - i >= 8; i += 8) {
        quint64 word;
        std::memcpy(&word, source + i, sizeof word);
        word ^= mask;
        std::memcpy(target + i, &word, sizeof word);
    }
    // The key repeats every 4 bytes from the start of the payload (section 5.3).
    for (; i < length; ++i)
        target[i] = char(uchar(source[i]) ^ key[(phase + quint64(i)) & 3]);
}

// Where a UTF-8 sequence starting at `text[end]` or earlier begins, so that cutting at the
// result never splits a character.
qsizetype utf8Boundary(QByteArrayView text, qsizetype end)
{
    while (end > 0 && end < text.size() && (uchar(text[end]) & 0xC0) == 0x80)
        --end;
    return end;
}

Event eventOf(Event::Type type)
{
    Event event;
    event.type = type;
    return event;
}

} // namespace

void appendFrame(QByteArray& out, WebSocketOpcode opcode, QByteArrayView payload, bool fin,
                 std::optional<quint32> maskKey)
{
    Q_ASSERT(!isControl(opcode) || (fin && payload.size() <= kMaxControlPayload));

    // Section 5.2: the payload length in 7 bits, or 126 + 16 bits, or 127 + 64 bits.
    const qsizetype length = payload.size();
    uchar header[kMaxHeaderSize];
    header[0] = uchar((fin ? kFinBit : 0) | quint8(opcode));
    qsizetype headerSize = 2;
    const uchar maskBit = maskKey ? kMaskBit : 0;
    if (length <= kMaxControlPayload) {
        header[1] = uchar(maskBit | length);
    } else if (length <= 0xFFFF) {
        header[1] = maskBit | kLength16;
        qToBigEndian(quint16(length), header + 2);
        headerSize += 2;
    } else {
        header[1] = maskBit | kLength64;
        qToBigEndian(quint64(length), header + 2);
        headerSize += 8;
    }
    uchar key[4];
    if (maskKey) {
        qToBigEndian(*maskKey, key);
        std::memcpy(header + headerSize, key, sizeof key);
        headerSize += sizeof key;
    }

    const qsizetype start = out.size();
    out.resize(start + headerSize + length);
    char* frame = out.data() + start;
    std::memcpy(frame, header, size_t(headerSize));
    if (maskKey)
        maskInto(frame + headerSize, payload.data(), length, key, 0);
    else if (length > 0)
        std::memcpy(frame + headerSize, payload.data(), size_t(length));
}

void appendCloseFrame(QByteArray& out, quint16 code, QByteArrayView reason,
                      std::optional<quint32> maskKey)
{
    // Section 5.5.1: the code comes first, in network byte order.
    char payload[kMaxControlPayload];
    qToBigEndian(code, payload);
    const qsizetype reasonSize = utf8Boundary(reason, std::min(reason.size(), kMaxCloseReason));
    if (reasonSize > 0)
        std::memcpy(payload + 2, reason.data(), size_t(reasonSize));
    appendFrame(out, WebSocketOpcode::Close, QByteArrayView(payload, 2 + reasonSize), true,
                maskKey);
}

quint32 randomMaskKey()
{
    // One OpenSSL call per 256 keys instead of a system call per frame. RAND_bytes is a CSPRNG
    // (a DRBG per thread, seeded and reseeded from the system), so the keys stay unpredictable.
    constexpr int kKeysPerRefill = 256;
    thread_local std::array<quint32, kKeysPerRefill> keys;
    thread_local int next = kKeysPerRefill;
    if (next == kKeysPerRefill) {
        if (RAND_bytes(reinterpret_cast<unsigned char*>(keys.data()), int(sizeof keys)) != 1)
            return QRandomGenerator::system()->generate();
        next = 0;
    }
    return keys[size_t(next++)];
}

void WebSocketFrameDecoder::setMaxTextMessageBytes(qsizetype bytes)
{
    m_maxTextMessageBytes = bytes;
}

void WebSocketFrameDecoder::setMaxBinaryFrameBytes(quint64 bytes)
{
    m_maxBinaryFrameBytes = bytes;
}

void WebSocketFrameDecoder::append(QByteArrayView bytes)
{
    if (m_state == State::Done)
        return;
    if (m_offset > 0 && m_offset >= m_buffer.size() / 2) {
        m_buffer.remove(0, m_offset);
        m_offset = 0;
    }
    m_buffer.append(bytes);
}

std::optional<Event> WebSocketFrameDecoder::next()
{
    for (;;) {
        switch (m_state) {
        case State::Header:
            if (auto event = parseHeader())
                return event;
            if (m_state == State::Header)
                return std::nullopt;
            break;
        case State::Payload:
            if (auto event = nextPayload())
                return event;
            if (m_state == State::Payload)
                return std::nullopt;
            break;
        case State::Done:
            return std::nullopt;
        }
    }
}

// Reads one frame header (section 5.2) and checks it, as far as the bytes at hand allow, before
// any payload is read. Returns an Error event, or nothing: then m_state tells whether the header
// is complete (Payload) or needs more bytes (Header).
std::optional<Event> WebSocketFrameDecoder::parseHeader()
{
    if (available() < 2)
        return std::nullopt;
    const auto* header = reinterpret_cast<const uchar*>(m_buffer.constData() + m_offset);
    const bool fin = (header[0] & kFinBit) != 0;
    const quint8 opcodeBits = header[0] & kOpcodeBits;
    const quint8 length7 = header[1] & kLengthBits;

    // Section 5.2: RSV1-3 must be 0 unless an extension defines them, and we negotiate none.
    if ((header[0] & kReservedBits) != 0)
        return fail(WebSocketCloseCode::ProtocolError, "reserved bits set without an extension");
    if (!isKnownOpcode(opcodeBits))
        return fail(WebSocketCloseCode::ProtocolError,
                    "reserved opcode " + QByteArray::number(opcodeBits));
    // Section 5.1: frames from a client are masked, frames from a server never are.
    const bool masked = (header[1] & kMaskBit) != 0;
    if (m_role == WebSocketRole::Client && masked)
        return fail(WebSocketCloseCode::ProtocolError, "masked frame from the server");
    if (m_role == WebSocketRole::Server && !masked)
        return fail(WebSocketCloseCode::ProtocolError, "unmasked frame from the client");

    const auto opcode = WebSocketOpcode(opcodeBits);
    if (isControl(opcode)) {
        // Section 5.5: control frames are never fragmented and carry at most 125 bytes, so a
        // 16- or 64-bit length is already too long.
        if (!fin)
            return fail(WebSocketCloseCode::ProtocolError, "fragmented control frame");
        if (length7 > kMaxControlPayload)
            return fail(WebSocketCloseCode::ProtocolError, "control frame longer than 125 bytes");
    } else if (opcode == WebSocketOpcode::Continuation) {
        // Section 5.4: continuation frames only follow a data frame with FIN clear.
        if (m_message == Message::None)
            return fail(WebSocketCloseCode::ProtocolError,
                        "continuation frame without a message in progress");
    } else if (m_message != Message::None) {
        // Section 5.4: the fragments of a message are not interleaved with another message.
        return fail(WebSocketCloseCode::ProtocolError,
                    "new data frame while a fragmented message is in progress");
    }

    qsizetype headerSize = 2;
    quint64 length = length7;
    if (length7 == kLength16) {
        headerSize += 2;
        if (available() < headerSize)
            return std::nullopt;
        length = qFromBigEndian<quint16>(header + 2);
    } else if (length7 == kLength64) {
        headerSize += 8;
        if (available() < headerSize)
            return std::nullopt;
        length = qFromBigEndian<quint64>(header + 2);
        // Section 5.2: the most significant bit of a 64-bit length must be 0.
        if ((length >> 63) != 0)
            return fail(WebSocketCloseCode::ProtocolError, "64-bit length with the top bit set");
    }

    // Section 10.4: limits on frame and message size, enforced before the payload is read.
    const Message message = opcode == WebSocketOpcode::Text     ? Message::Text
                            : opcode == WebSocketOpcode::Binary ? Message::Binary
                                                                : m_message;
    if (!isControl(opcode) && message == Message::Text &&
        quint64(m_text.size()) + length > quint64(m_maxTextMessageBytes))
        return fail(WebSocketCloseCode::MessageTooBig,
                    "text message longer than " + QByteArray::number(m_maxTextMessageBytes) +
                        " bytes");
    if (!isControl(opcode) && message == Message::Binary && length > m_maxBinaryFrameBytes)
        return fail(WebSocketCloseCode::MessageTooBig,
                    "binary frame longer than " + QByteArray::number(m_maxBinaryFrameBytes) +
                        " bytes");

    if (masked) {
        if (available() < headerSize + 4)
            return std::nullopt;
        std::memcpy(m_maskKey, header + headerSize, 4);
        headerSize += 4;
    }
    m_masked = masked;
    m_maskPhase = 0;
    m_offset += headerSize;
    m_opcode = opcode;
    m_fin = fin;
    m_remaining = length;
    if (!isControl(opcode))
        m_message = message;
    m_state = State::Payload;
    return std::nullopt;
}

// Consumes payload bytes of the current frame. Returns an event, or nothing: then m_state tells
// whether the frame is done (Header) or needs more bytes (Payload).
std::optional<Event> WebSocketFrameDecoder::nextPayload()
{
    if (isControl(m_opcode)) {
        if (quint64(available()) < m_remaining)
            return std::nullopt;
        return finishControlFrame();
    }

    const qsizetype sliceSize = qsizetype(std::min(m_remaining, quint64(available())));
    if (sliceSize == 0 && m_remaining > 0)
        return std::nullopt;
    m_remaining -= quint64(sliceSize);
    const bool frameDone = m_remaining == 0;
    if (frameDone)
        m_state = State::Header;
    const bool messageDone = frameDone && m_fin;

    if (m_message == Message::Binary) {
        // An empty slice is only worth an event when it ends the message.
        if (sliceSize == 0 && !messageDone)
            return std::nullopt;
        Event event = eventOf(Event::Type::BinaryData);
        event.payload = take(sliceSize);
        event.messageEnd = messageDone;
        if (messageDone)
            m_message = Message::None;
        return event;
    }

    const qsizetype textStart = m_text.size();
    m_text.append(QByteArrayView(m_buffer.constData() + m_offset, sliceSize));
    m_offset += sliceSize;
    unmask(m_text.data() + textStart, sliceSize);
    if (!messageDone)
        return std::nullopt;
    m_message = Message::None;
    // Section 8.1: a text message that is not UTF-8 fails the connection with 1007.
    if (!isValidUtf8(m_text))
        return fail(WebSocketCloseCode::InvalidPayload, "text message is not valid UTF-8");
    Event event = eventOf(Event::Type::Text);
    event.payload = std::exchange(m_text, {});
    return event;
}

std::optional<Event> WebSocketFrameDecoder::finishControlFrame()
{
    QByteArray payload = take(qsizetype(m_remaining));
    m_remaining = 0;
    m_state = State::Header;

    switch (m_opcode) {
    case WebSocketOpcode::Ping: {
        Event event = eventOf(Event::Type::Ping);
        event.payload = std::move(payload);
        return event;
    }
    case WebSocketOpcode::Pong: {
        Event event = eventOf(Event::Type::Pong);
        event.payload = std::move(payload);
        return event;
    }
    case WebSocketOpcode::Close:
        break;
    case WebSocketOpcode::Continuation:
    case WebSocketOpcode::Text:
    case WebSocketOpcode::Binary:
        Q_UNREACHABLE();
    }

    // Section 5.5.1: an empty body, or a 2-byte code followed by a UTF-8 reason.
    Event event = eventOf(Event::Type::Close);
    event.closeCode = WebSocketCloseCode::NoStatusReceived;
    if (payload.size() == 1)
        return fail(WebSocketCloseCode::ProtocolError, "close frame with a 1-byte payload");
    if (payload.size() >= 2) {
        event.closeCode = qFromBigEndian<quint16>(payload.constData());
        if (!isValidCloseCode(event.closeCode))
            return fail(WebSocketCloseCode::ProtocolError,
                        "invalid close code " + QByteArray::number(event.closeCode));
        event.reason = payload.sliced(2);
        if (!isValidUtf8(event.reason))
            return fail(WebSocketCloseCode::InvalidPayload, "close reason is not valid UTF-8");
    }
    m_state = State::Done;
    m_buffer.clear();
    m_offset = 0;
    return event;
}

Event WebSocketFrameDecoder::fail(quint16 closeCode, QByteArray reason)
{
    m_state = State::Done;
    m_buffer.clear();
    m_offset = 0;
    m_text.clear();
    Event event = eventOf(Event::Type::Error);
    event.closeCode = closeCode;
    event.reason = std::move(reason);
    return event;
}

// The next `length` bytes; the whole buffer is handed over without a copy when that is what is
// asked for, the common case while a large binary frame streams in.
QByteArray WebSocketFrameDecoder::take(qsizetype length)
{
    QByteArray bytes;
    if (m_offset == 0 && length == m_buffer.size()) {
        bytes = std::exchange(m_buffer, {});
    } else {
        bytes = m_buffer.sliced(m_offset, length);
        m_offset += length;
    }
    unmask(bytes.data(), bytes.size());
    return bytes;
}

void WebSocketFrameDecoder::unmask(char* data, qsizetype length)
{
    if (!m_masked || length == 0)
        return;
    maskInto(data, data, length, m_maskKey, m_maskPhase);
    m_maskPhase += quint64(length);
}

bool WebSocketFrameDecoder::isValidUtf8(QByteArrayView bytes)
{
    const auto* text = reinterpret_cast<const uchar*>(bytes.data());
    const qsizetype size = bytes.size();
    qsizetype i = 0;
    while (i < size) {
        // Most text is ASCII: skip it eight bytes at a time.
        if (size - i >= 8) {
            quint64 word;
            std::memcpy(&word, text + i, sizeof word);
            if ((word & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        const uchar lead = text[i];
        if (lead < 0x80) {
            ++i;
            continue;
        }
        // RFC 3629 section 4: the lead byte fixes the length and the range of the second byte,
        // which is where overlong forms (C0, C1, E0 80-9F, F0 80-8F), surrogates (ED A0-BF) and
        // code points above U+10FFFF (F4 90-BF, F5-FF) are excluded.
        qsizetype length = 0;
        uchar low = 0x80;
        uchar high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0)
                low = 0xA0;
            else if (lead == 0xED)
                high = 0x9F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0)
                low = 0x90;
            else if (lead == 0xF4)
                high = 0x8F;
        } else {
            return false;
        }
        if (size - i < length)
            return false;
        if (text[i + 1] < low || text[i + 1] > high)
            return false;
        for (qsizetype k = 2; k < length; ++k) {
            if ((text[i + k] & 0xC0) != 0x80)
                return false;
        }
        i += length;
    }
    return true;
}

} // namespace echw
