// WebSocket frames (RFC 6455 section 5) as one end receives them: built as two targets, the
// client decoding the worker's unmasked frames and (ECHW_FUZZ_SERVER_ROLE) the worker server
// decoding a client's masked frames. Small message limits put MessageTooBig within reach. Every
// split must decode to the same messages, and what was decoded, encoded again by the other end
// (in fragments, so reassembly and the masking key's phase are covered), must decode the same.

#include "FuzzSupport.h"
#include "ws/WebSocketFrame.h"

#include <QStringDecoder>

namespace {

using echw::WebSocketFrameDecoder;
using echw::WebSocketOpcode;
using Event = WebSocketFrameDecoder::Event;

#ifdef ECHW_FUZZ_SERVER_ROLE
constexpr echw::WebSocketRole kRole = echw::WebSocketRole::Server;
// The client's frames the server decodes are masked; the worker answers unmasked.
const std::optional<quint32> kPeerMask = 0x1f2e3d4cU;
#else
constexpr echw::WebSocketRole kRole = echw::WebSocketRole::Client;
const std::optional<quint32> kPeerMask;
#endif

constexpr qsizetype kMaxTextBytes = 300;
constexpr quint64 kMaxBinaryFrameBytes = 600;
constexpr qsizetype kFragmentBytes = 100;

// A whole message or control frame as decoded; binary slices are joined to their message.
struct Decoded {
    Event::Type type = Event::Type::Error;
    QByteArray payload;
    quint16 closeCode = 0;

    friend bool operator==(const Decoded&, const Decoded&) = default;
};

struct Outcome {
    QList<Decoded> messages;
    QByteArray partialBinary; // a binary message still open when the input ended
    std::optional<Decoded> error;
};

Outcome decode(const QList<QByteArrayView>& pieces)
{
    WebSocketFrameDecoder decoder(kRole);
    decoder.setMaxTextMessageBytes(kMaxTextBytes);
    decoder.setMaxBinaryFrameBytes(kMaxBinaryFrameBytes);
    Outcome outcome;
    for (const QByteArrayView piece : pieces) {
        decoder.append(piece);
        while (auto event = decoder.next()) {
            switch (event->type) {
            case Event::Type::BinaryData:
                outcome.partialBinary.append(event->payload);
                if (event->messageEnd)
                    outcome.messages.append(
                        {event->type, std::exchange(outcome.partialBinary, {})});
                break;
            case Event::Type::Text:
                ECHW_FUZZ_CHECK(event->payload.size() <= kMaxTextBytes);
                ECHW_FUZZ_CHECK(WebSocketFrameDecoder::isValidUtf8(event->payload));
                outcome.messages.append({event->type, event->payload});
                break;
            case Event::Type::Ping:
            case Event::Type::Pong:
                ECHW_FUZZ_CHECK(event->payload.size() <= 125);
                outcome.messages.append({event->type, event->payload});
                break;
            case Event::Type::Close:
                ECHW_FUZZ_CHECK(event->reason.size() <= 123);
                outcome.messages.append({event->type, event->reason, event->closeCode});
                ECHW_FUZZ_CHECK(!decoder.next());
                return outcome;
            case Event::Type::Error:
                outcome.error = Decoded{event->type, event->reason, event->closeCode};
                ECHW_FUZZ_CHECK(!decoder.next());
                return outcome;
            }
        }
    }
    return outcome;
}

QByteArray transcriptOf(const Outcome& outcome)
{
    QByteArray transcript;
    for (const Decoded& message : outcome.messages) {
        echw::fuzz::note(transcript, QByteArray::number(int(message.type)), message.payload);
        echw::fuzz::note(transcript, "code", QByteArray::number(message.closeCode));
    }
    echw::fuzz::note(transcript, "partial binary", outcome.partialBinary);
    if (outcome.error) {
        echw::fuzz::note(transcript, "error", outcome.error->payload);
        echw::fuzz::note(transcript, "code", QByteArray::number(outcome.error->closeCode));
    }
    return transcript;
}

void appendFragmented(QByteArray& out, WebSocketOpcode opcode, QByteArrayView payload)
{
    qsizetype at = 0;
    do {
        const qsizetype size = std::min(kFragmentBytes, payload.size() - at);
        const bool last = at + size == payload.size();
        echw::appendFrame(out, at == 0 ? opcode : WebSocketOpcode::Continuation,
                          payload.sliced(at, size), last, kPeerMask);
        at += size;
    } while (at < payload.size());
}

QByteArray encode(const QList<Decoded>& messages)
{
    QByteArray out;
    for (const Decoded& message : messages) {
        switch (message.type) {
        case Event::Type::Text:
            appendFragmented(out, WebSocketOpcode::Text, message.payload);
            break;
        case Event::Type::BinaryData:
            appendFragmented(out, WebSocketOpcode::Binary, message.payload);
            break;
        case Event::Type::Ping:
            echw::appendFrame(out, WebSocketOpcode::Ping, message.payload, true, kPeerMask);
            break;
        case Event::Type::Pong:
            echw::appendFrame(out, WebSocketOpcode::Pong, message.payload, true, kPeerMask);
            break;
        case Event::Type::Close:
            if (message.closeCode == echw::WebSocketCloseCode::NoStatusReceived)
                echw::appendFrame(out, WebSocketOpcode::Close, {}, true, kPeerMask);
            else
                echw::appendCloseFrame(out, message.closeCode, message.payload, kPeerMask);
            break;
        case Event::Type::Error:
            break;
        }
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView input = echw::fuzz::bytesOf(data, size);
    echw::fuzz::expectSplitIndependent(
        input, [](const QList<QByteArrayView>& pieces) { return transcriptOf(decode(pieces)); });

    const Outcome outcome = decode({input});
    const QByteArray encoded = encode(outcome.messages);
    const Outcome again = decode({encoded});
    ECHW_FUZZ_CHECK(!again.error && again.partialBinary.isEmpty());
    ECHW_FUZZ_CHECK(again.messages == outcome.messages);

    // The decoder's own UTF-8 check against Qt's strict decoder, on the raw bytes.
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString decoded = utf8(input);
    ECHW_FUZZ_CHECK(WebSocketFrameDecoder::isValidUtf8(input) == !utf8.hasError());
    return 0;
}
