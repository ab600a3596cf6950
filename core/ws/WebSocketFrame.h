#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace echw {

// Frame opcodes of RFC 6455 section 5.2; the others are reserved.
enum class WebSocketOpcode : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

// Close codes this client sends or acts on (RFC 6455 section 7.4.1).
namespace WebSocketCloseCode {
constexpr quint16 Normal = 1000;
constexpr quint16 ProtocolError = 1002;
// Reported when a Close frame carries no code; never sent on the wire (section 7.1.5).
constexpr quint16 NoStatusReceived = 1005;
constexpr quint16 InvalidPayload = 1007;
constexpr quint16 MessageTooBig = 1009;
} // namespace WebSocketCloseCode

// Appends one client-to-server frame to `out`. Client frames are always masked (RFC 6455
// section 5.3) with `maskKey`, whose big-endian bytes are the wire's masking-key. Appending lets
// several small frames go out in one write. Control frames (Close, Ping, Pong) must have
// fin = true and at most 125 bytes of payload (section 5.5). `payload` must not point into `out`.
void appendFrame(QByteArray& out, WebSocketOpcode opcode, QByteArrayView payload, bool fin,
                 std::optional<quint32> maskKey);

// Appends a Close frame carrying `code` and `reason`. The reason is cut to the 123 bytes that fit
// a control frame, at a UTF-8 character boundary so the frame stays valid (section 5.5.1).
void appendCloseFrame(QByteArray& out, quint16 code, QByteArrayView reason,
                      std::optional<quint32> maskKey);

// A masking key from a CSPRNG (OpenSSL's RAND_bytes, drawn in batches per thread): RFC 6455
// section 10.3 wants keys that a script in the page cannot predict.
quint32 randomMaskKey();

// Server-to-client frames as a pure state machine: bytes in, events out, no sockets.
//
// Use: append() what the server sent, then call next() until it returns std::nullopt (more bytes
// needed). Text messages are reassembled and validated whole; binary messages are streamed as
// slices in the order their bytes arrive, so a large message is never buffered. After a Close or
// an Error event the decoder yields nothing more and ignores further input.
// Which end of the connection decodes: a client receives unmasked frames, a server masked ones
// (RFC 6455 section 5.1). The encoder side: pass a mask key as a client, std::nullopt as a server.
enum class WebSocketRole { Client, Server };

class WebSocketFrameDecoder {
public:
    explicit WebSocketFrameDecoder(WebSocketRole role = WebSocketRole::Client)
        : m_role(role)
    {}

    struct Event {
        enum class Type {
            // A complete text message; `payload` holds it, valid UTF-8.
            Text,
            // Bytes of a binary message in arrival order. `messageEnd` marks the slice that
            // completes the message (it may be empty when the final frame was).
            BinaryData,
            // A ping; answer with a Pong frame carrying the same `payload` (section 5.5.2).
            Ping,
            // A pong; `payload` holds its application data.
            Pong,
            // The server closed: `closeCode` (NoStatusReceived when it sent none) and `reason`.
            // Echo a Close frame, then end the connection (section 5.5.1).
            Close,
            // The server broke the protocol: send a Close frame with `closeCode` (ProtocolError,
            // InvalidPayload or MessageTooBig) and `reason`, then end the connection
            // (section 7.1.7).
            Error,
        };
        Type type = Type::Error;
        QByteArray payload;
        bool messageEnd = false;
        quint16 closeCode = 0;
        QByteArray reason;
    };

    static constexpr qsizetype kDefaultMaxTextMessageBytes = 1024 * 1024;
    static constexpr quint64 kDefaultMaxBinaryFrameBytes = 16 * 1024 * 1024;

    // Text messages are buffered whole, so their size is capped; binary frames are streamed, and
    // their cap only rejects absurd declared lengths. Exceeding either fails with MessageTooBig.
    void setMaxTextMessageBytes(qsizetype bytes);
    void setMaxBinaryFrameBytes(quint64 bytes);

    void append(QByteArrayView bytes);
    std::optional<Event> next();

    // Strict UTF-8 as RFC 3629 section 4 defines it: no overlong forms, no surrogates, nothing
    // above U+10FFFF, no truncated sequence at the end.
    static bool isValidUtf8(QByteArrayView bytes);

private:
    enum class State { Header, Payload, Done };
    enum class Message { None, Text, Binary };

    std::optional<Event> parseHeader();
    std::optional<Event> nextPayload();
    std::optional<Event> finishControlFrame();
    Event fail(quint16 closeCode, QByteArray reason);
    qsizetype available() const { return m_buffer.size() - m_offset; }
    QByteArray take(qsizetype length);
    void unmask(char* data, qsizetype length);

    WebSocketRole m_role;
    uchar m_maskKey[4] = {};
    quint64 m_maskPhase = 0;
    bool m_masked = false;

    qsizetype m_maxTextMessageBytes = kDefaultMaxTextMessageBytes;
    quint64 m_maxBinaryFrameBytes = kDefaultMaxBinaryFrameBytes;

    // Bytes before m_offset are consumed; append() drops them once they are half the buffer.
    QByteArray m_buffer;
    qsizetype m_offset = 0;
    State m_state = State::Header;

    // The frame whose payload is being read.
    WebSocketOpcode m_opcode = WebSocketOpcode::Continuation;
    bool m_fin = false;
    quint64 m_remaining = 0;

    // The data message in progress across fragments (section 5.4), and a text message's bytes.
    Message m_message = Message::None;
    QByteArray m_text;
};

} // namespace echw
