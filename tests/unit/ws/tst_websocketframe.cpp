#include "TestValues.h"
#include "ws/WebSocketFrame.h"

#include <QRandomGenerator>
#include <QStringDecoder>
#include <QTest>

#include <algorithm>

using echw::WebSocketFrameDecoder;
using echw::WebSocketOpcode;
using echw::WebSocketRole;
namespace WebSocketCloseCode = echw::WebSocketCloseCode;
using Event = WebSocketFrameDecoder::Event;
using Type = WebSocketFrameDecoder::Event::Type;
namespace CloseCode = echw::WebSocketCloseCode;
using echw::test::bytes;

namespace {

// An unmasked server frame, written here byte by byte rather than with the code under test.
QByteArray serverFrame(int firstByte, const QByteArray& payload)
{
    QByteArray out = bytes({firstByte});
    const qsizetype size = payload.size();
    if (size <= 125) {
        out.append(char(size));
    } else if (size <= 0xFFFF) {
        out += bytes({126, int(size >> 8), int(size & 0xFF)});
    } else {
        out.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((quint64(size) >> shift) & 0xFF));
    }
    return out + payload;
}

QByteArray closePayload(int code, const QByteArray& reason = {})
{
    return bytes({code >> 8, code & 0xFF}) + reason;
}

QByteArray pattern(qsizetype size, int seed = 0)
{
    QByteArray out(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        out[i] = char((i * 131 + seed) & 0xFF);
    return out;
}

// What a client frame says, decoded independently of the encoder: header fields and the payload
// unmasked one byte at a time.
struct ClientFrame {
    bool fin = false;
    int opcode = -1;
    bool masked = false;
    QByteArray maskKey;
    QByteArray payload;
    qsizetype size = 0; // bytes the frame occupies
};

ClientFrame parseClientFrame(QByteArrayView wire)
{
    ClientFrame frame;
    const auto byte = [&](qsizetype i) {
        return quint64(uchar(wire[i]));
    };
    frame.fin = (byte(0) & 0x80) != 0;
    frame.opcode = int(byte(0) & 0x0F);
    frame.masked = (byte(1) & 0x80) != 0;
    quint64 length = byte(1) & 0x7F;
    qsizetype at = 2;
    if (length == 126) {
        length = (byte(2) << 8) | byte(3);
        at = 4;
    } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; ++i)
            length = (length << 8) | byte(2 + i);
        at = 10;
    }
    frame.maskKey = wire.sliced(at, 4).toByteArray();
    at += 4;
    frame.payload = wire.sliced(at, qsizetype(length)).toByteArray();
    for (qsizetype i = 0; i < frame.payload.size(); ++i)
        frame.payload[i] = char(frame.payload[i] ^ frame.maskKey[i % 4]);
    frame.size = at + qsizetype(length);
    return frame;
}

QList<Event> drain(WebSocketFrameDecoder& decoder)
{
    QList<Event> events;
    while (auto event = decoder.next())
        events.append(*event);
    return events;
}

QList<Event> decodeAll(const QByteArray& wire)
{
    WebSocketFrameDecoder decoder;
    decoder.append(wire);
    return drain(decoder);
}

// Joins the slices of each binary message, so streams cut differently compare equal.
QList<Event> joinBinarySlices(const QList<Event>& events)
{
    QList<Event> joined;
    bool inBinary = false;
    for (const Event& event : events) {
        if (event.type == Type::BinaryData && inBinary) {
            joined.last().payload += event.payload;
            joined.last().messageEnd = event.messageEnd;
        } else {
            joined.append(event);
        }
        if (event.type == Type::BinaryData)
            inBinary = !event.messageEnd;
    }
    return joined;
}

bool sameEvents(const QList<Event>& a, const QList<Event>& b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const Event& x, const Event& y) {
        return x.type == y.type && x.payload == y.payload && x.messageEnd == y.messageEnd &&
               x.closeCode == y.closeCode && x.reason == y.reason;
    });
}

// A code point in UTF-8, the textbook way.
QByteArray encodeCodePoint(char32_t cp)
{
    if (cp < 0x80)
        return bytes({int(cp)});
    if (cp < 0x800)
        return bytes({int(0xC0 | (cp >> 6)), int(0x80 | (cp & 0x3F))});
    if (cp < 0x10000)
        return bytes(
            {int(0xE0 | (cp >> 12)), int(0x80 | ((cp >> 6) & 0x3F)), int(0x80 | (cp & 0x3F))});
    return bytes({int(0xF0 | (cp >> 18)), int(0x80 | ((cp >> 12) & 0x3F)),
                  int(0x80 | ((cp >> 6) & 0x3F)), int(0x80 | (cp & 0x3F))});
}

} // namespace

class TestWebSocketFrame : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void serverRoleUnmasksClientFramesAcrossSlices();
    void serverRoleRejectsUnmaskedFrames();
    void serverFramesAreUnmaskedAndReadableByClient();
    void encodesRfcMaskedHelloExample();
    void encodesEachLengthForm_data();
    void encodesEachLengthForm();
    void encodesFinAndOpcode();
    void coalescesFramesIntoOneBuffer();
    void roundTripsRandomPayloadsThroughIndependentUnmasking();
    void encodesCloseCodeAndReason();
    void cutsLongCloseReasonAtCharacterBoundary();
    void drawsDifferentMaskKeys();

    void decodesRfcUnmaskedText();
    void reassemblesFragmentedText();
    void deliversPingInterleavedInFragmentedMessage();
    void decodesPong();
    void acceptsTextSplitInsideACharacterAcrossFragments();
    void streams256ByteBinaryWith16BitLength();
    void streams64KiBBinaryWith64BitLength();
    void streamsBinarySlicesAsBytesArrive();
    void streamsFragmentedBinaryMessage();
    void reportsEmptyBinaryMessage();
    void acceptsNonMinimalLengthEncoding();
    void decodesCloseWithCodeAndReason();
    void decodesEmptyCloseAsNoStatusReceived();
    void acceptsRegisteredCloseCodes_data();
    void acceptsRegisteredCloseCodes();
    void yieldsNothingAfterClose();
    void producesSameEventsHoweverInputIsSplit();
    void failsWithCloseCode_data();
    void failsWithCloseCode();
    void yieldsNothingAfterError();
    void appliesConfiguredTextLimitAcrossFragments();
    void appliesConfiguredBinaryFrameLimit();
    void survivesRandomMutations();

    void validatesUtf8_data();
    void validatesUtf8();
    void acceptsEveryScalarValueAndNoSurrogate();
    void agreesWithQtDecoderOnRandomBytes();
};

void TestWebSocketFrame::encodesRfcMaskedHelloExample()
{
    // RFC 6455 section 5.7: a single-frame masked text message.
    QByteArray out;
    echw::appendFrame(out, WebSocketOpcode::Text, "Hello", true, 0x37fa213d);
    QCOMPARE(out, bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
}

void TestWebSocketFrame::encodesEachLengthForm_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<QByteArray>("lengthBytes");

    QTest::newRow("0") << 0 << bytes({0x80});
    QTest::newRow("125") << 125 << bytes({0x80 | 125});
    QTest::newRow("126") << 126 << bytes({0x80 | 126, 0x00, 0x7E});
    QTest::newRow("65535") << 65535 << bytes({0x80 | 126, 0xFF, 0xFF});
    QTest::newRow("65536") << 65536 << bytes({0x80 | 127, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00});
}

void TestWebSocketFrame::encodesEachLengthForm()
{
    QFETCH(int, size);
    QFETCH(QByteArray, lengthBytes);

    const QByteArray payload = pattern(size);
    QByteArray out;
    echw::appendFrame(out, WebSocketOpcode::Binary, payload, true, 0x01020304);

    QCOMPARE(out.at(0), char(0x82));
    QCOMPARE(out.sliced(1, lengthBytes.size()), lengthBytes);
    QCOMPARE(out.sliced(1 + lengthBytes.size(), 4), bytes({1, 2, 3, 4}));
    QCOMPARE(out.size(), 1 + lengthBytes.size() + 4 + size);
    QCOMPARE(parseClientFrame(out).payload, payload);
}

void TestWebSocketFrame::encodesFinAndOpcode()
{
    QByteArray out;
    echw::appendFrame(out, WebSocketOpcode::Text, "Hel", false, 0);
    echw::appendFrame(out, WebSocketOpcode::Continuation, "lo", true, 0);
    echw::appendFrame(out, WebSocketOpcode::Ping, {}, true, 0);
    echw::appendFrame(out, WebSocketOpcode::Pong, "p", true, 0);
    // With a zero key the payload goes out as is.
    QCOMPARE(out, bytes({0x01, 0x83, 0,    0,    0, 0, 'H', 'e', 'l',  0x80, 0x82, 0, 0, 0, 0,
                         'l',  'o',  0x89, 0x80, 0, 0, 0,   0,   0x8A, 0x81, 0,    0, 0, 0, 'p'}));
}

void TestWebSocketFrame::coalescesFramesIntoOneBuffer()
{
    QByteArray out = "already queued";
    const qsizetype queued = out.size();
    echw::appendFrame(out, WebSocketOpcode::Text, "CONNECT:example.com:443|", true, 0xdeadbeef);
    echw::appendFrame(out, WebSocketOpcode::Binary, pattern(300), true, 0x12345678);

    QCOMPARE(out.first(queued), QByteArray("already queued"));
    const ClientFrame text = parseClientFrame(QByteArrayView(out).sliced(queued));
    QCOMPARE(text.opcode, 0x1);
    QCOMPARE(text.payload, QByteArray("CONNECT:example.com:443|"));
    const ClientFrame binary = parseClientFrame(QByteArrayView(out).sliced(queued + text.size));
    QCOMPARE(binary.opcode, 0x2);
    QCOMPARE(binary.maskKey, bytes({0x12, 0x34, 0x56, 0x78}));
    QCOMPARE(binary.payload, pattern(300));
    QCOMPARE(queued + text.size + binary.size, out.size());
}

void TestWebSocketFrame::roundTripsRandomPayloadsThroughIndependentUnmasking()
{
    QRandomGenerator random(6455);
    for (int round = 0; round < 300; ++round) {
        // Small sizes cover every tail length of the word-wide masking; a few large ones
        // cover the 16- and 64-bit length forms.
        const qsizetype size = round < 64    ? round
                               : round < 290 ? random.bounded(70000)
                                             : random.bounded(200000);
        QByteArray payload(size, Qt::Uninitialized);
        for (qsizetype i = 0; i < size; ++i)
            payload[i] = char(random.bounded(256));
        const quint32 key = random.generate();
        const bool fin = random.bounded(2) == 1;

        // An odd-sized prefix so the payload starts at every alignment.
        QByteArray out(round % 8, 'x');
        echw::appendFrame(out, WebSocketOpcode::Binary, payload, fin, key);
        const ClientFrame frame = parseClientFrame(QByteArrayView(out).sliced(round % 8));
        QVERIFY(frame.masked);
        QCOMPARE(frame.fin, fin);
        QCOMPARE(frame.opcode, 0x2);
        QCOMPARE(frame.maskKey, bytes({int(key >> 24), int((key >> 16) & 0xFF),
                                       int((key >> 8) & 0xFF), int(key & 0xFF)}));
        QCOMPARE(frame.size + round % 8, out.size());
        QCOMPARE(frame.payload, payload);
    }
}

void TestWebSocketFrame::encodesCloseCodeAndReason()
{
    QByteArray out;
    echw::appendCloseFrame(out, CloseCode::ProtocolError, "masked frame", 0x0badf00d);
    const ClientFrame frame = parseClientFrame(out);
    QVERIFY(frame.fin);
    QCOMPARE(frame.opcode, 0x8);
    QCOMPARE(frame.payload, closePayload(1002, "masked frame"));
    QCOMPARE(frame.size, out.size());
}

void TestWebSocketFrame::cutsLongCloseReasonAtCharacterBoundary()
{
    // 122 ASCII bytes and a 2-byte character: 124 bytes, one more than fits after the code.
    const QByteArray reason = QByteArray(122, 'a') + "\xc3\xa9";
    QByteArray out;
    echw::appendCloseFrame(out, CloseCode::Normal, reason, 0);
    const ClientFrame frame = parseClientFrame(out);
    QCOMPARE(frame.payload, closePayload(1000, QByteArray(122, 'a')));

    out.clear();
    echw::appendCloseFrame(out, CloseCode::Normal, QByteArray(200, 'b'), 0);
    QCOMPARE(parseClientFrame(out).payload, closePayload(1000, QByteArray(123, 'b')));
}

void TestWebSocketFrame::drawsDifferentMaskKeys()
{
    const quint32 first = echw::randomMaskKey();
    bool differs = false;
    for (int i = 0; i < 8 && !differs; ++i)
        differs = echw::randomMaskKey() != first;
    QVERIFY(differs);
}

void TestWebSocketFrame::decodesRfcUnmaskedText()
{
    // RFC 6455 section 5.7: a single-frame unmasked text message.
    const auto events = decodeAll(bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::Text);
    QCOMPARE(events[0].payload, QByteArray("Hello"));
}

void TestWebSocketFrame::reassemblesFragmentedText()
{
    // RFC 6455 section 5.7: a fragmented unmasked text message.
    WebSocketFrameDecoder decoder;
    decoder.append(bytes({0x01, 0x03, 0x48, 0x65, 0x6c}));
    QVERIFY(!decoder.next());
    decoder.append(bytes({0x80, 0x02, 0x6c, 0x6f}));
    const auto events = drain(decoder);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::Text);
    QCOMPARE(events[0].payload, QByteArray("Hello"));
}

void TestWebSocketFrame::deliversPingInterleavedInFragmentedMessage()
{
    // Section 5.4: control frames may come between the fragments of a message.
    const auto events = decodeAll(serverFrame(0x01, "CONN") + serverFrame(0x89, "are you there") +
                                  serverFrame(0x80, "ECTED"));
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[0].type, Type::Ping);
    QCOMPARE(events[0].payload, QByteArray("are you there"));
    QCOMPARE(events[1].type, Type::Text);
    QCOMPARE(events[1].payload, QByteArray("CONNECTED"));
}

void TestWebSocketFrame::decodesPong()
{
    const auto events = decodeAll(bytes({0x8a, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::Pong);
    QCOMPARE(events[0].payload, QByteArray("Hello"));
}

void TestWebSocketFrame::acceptsTextSplitInsideACharacterAcrossFragments()
{
    // U+20AC is E2 82 AC; validity is judged on the whole message, not per fragment.
    const auto events =
        decodeAll(serverFrame(0x01, bytes({0xE2})) + serverFrame(0x00, bytes({0x82})) +
                  serverFrame(0x80, bytes({0xAC})));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::Text);
    QCOMPARE(events[0].payload, bytes({0xE2, 0x82, 0xAC}));
}

void TestWebSocketFrame::streams256ByteBinaryWith16BitLength()
{
    // RFC 6455 section 5.7: 256 bytes binary message in a single unmasked frame.
    const QByteArray payload = pattern(256);
    const QByteArray wire = bytes({0x82, 0x7E, 0x01, 0x00}) + payload;
    const auto events = decodeAll(wire);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::BinaryData);
    QVERIFY(events[0].messageEnd);
    QCOMPARE(events[0].payload, payload);
}

void TestWebSocketFrame::streams64KiBBinaryWith64BitLength()
{
    // RFC 6455 section 5.7: 64 KiB binary message in a single unmasked frame.
    const QByteArray payload = pattern(65536, 7);
    const QByteArray wire = bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}) + payload;
    const auto events = decodeAll(wire);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::BinaryData);
    QVERIFY(events[0].messageEnd);
    QCOMPARE(events[0].payload, payload);
}

void TestWebSocketFrame::streamsBinarySlicesAsBytesArrive()
{
    const QByteArray payload = pattern(10000);
    const QByteArray wire = serverFrame(0x82, payload);
    WebSocketFrameDecoder decoder;

    decoder.append(QByteArrayView(wire).first(4 + 3000));
    auto events = drain(decoder);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::BinaryData);
    QVERIFY(!events[0].messageEnd);
    QCOMPARE(events[0].payload, payload.first(3000));

    decoder.append(QByteArrayView(wire).sliced(4 + 3000));
    events = drain(decoder);
    QCOMPARE(events.size(), 1);
    QVERIFY(events[0].messageEnd);
    QCOMPARE(events[0].payload, payload.sliced(3000));
}

void TestWebSocketFrame::streamsFragmentedBinaryMessage()
{
    const auto events =
        decodeAll(serverFrame(0x02, "abc") + serverFrame(0x8A, "pong") + serverFrame(0x00, "de") +
                  serverFrame(0x80, "f") + serverFrame(0x82, "g"));
    QCOMPARE(events.size(), 5);
    QCOMPARE(events[0].type, Type::BinaryData);
    QCOMPARE(events[0].payload, QByteArray("abc"));
    QVERIFY(!events[0].messageEnd);
    QCOMPARE(events[1].type, Type::Pong);
    QCOMPARE(events[2].payload, QByteArray("de"));
    QVERIFY(!events[2].messageEnd);
    QCOMPARE(events[3].payload, QByteArray("f"));
    QVERIFY(events[3].messageEnd);
    QCOMPARE(events[4].type, Type::BinaryData);
    QCOMPARE(events[4].payload, QByteArray("g"));
    QVERIFY(events[4].messageEnd);
}

void TestWebSocketFrame::reportsEmptyBinaryMessage()
{
    // An empty first fragment says nothing; an empty final one still ends the message.
    const auto events = decodeAll(bytes({0x82, 0x00, 0x02, 0x00, 0x00, 0x01, 'x', 0x80, 0x00}));
    QCOMPARE(events.size(), 3);
    QCOMPARE(events[0].type, Type::BinaryData);
    QVERIFY(events[0].payload.isEmpty());
    QVERIFY(events[0].messageEnd);
    QCOMPARE(events[1].payload, QByteArray("x"));
    QVERIFY(!events[1].messageEnd);
    QVERIFY(events[2].payload.isEmpty());
    QVERIFY(events[2].messageEnd);
}

void TestWebSocketFrame::acceptsNonMinimalLengthEncoding()
{
    const auto events = decodeAll(
        bytes({0x81, 0x7E, 0x00, 0x02, 'h', 'i', 0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0x01, 'z'}));
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[0].payload, QByteArray("hi"));
    QCOMPARE(events[1].payload, QByteArray("z"));
}

void TestWebSocketFrame::decodesCloseWithCodeAndReason()
{
    const auto events = decodeAll(serverFrame(0x88, closePayload(1000, "bye \xe2\x82\xac")));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::Close);
    QCOMPARE(events[0].closeCode, CloseCode::Normal);
    QCOMPARE(events[0].reason, QByteArray("bye \xe2\x82\xac"));
}

void TestWebSocketFrame::decodesEmptyCloseAsNoStatusReceived()
{
    const auto events = decodeAll(bytes({0x88, 0x00}));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::Close);
    QCOMPARE(events[0].closeCode, CloseCode::NoStatusReceived);
    QVERIFY(events[0].reason.isEmpty());
}

void TestWebSocketFrame::acceptsRegisteredCloseCodes_data()
{
    QTest::addColumn<int>("code");
    for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000,
                     3999, 4000, 4999})
        QTest::addRow("%d", code) << code;
}

void TestWebSocketFrame::acceptsRegisteredCloseCodes()
{
    QFETCH(int, code);
    const auto events = decodeAll(serverFrame(0x88, closePayload(code)));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::Close);
    QCOMPARE(int(events[0].closeCode), code);
}

void TestWebSocketFrame::yieldsNothingAfterClose()
{
    WebSocketFrameDecoder decoder;
    decoder.append(serverFrame(0x88, closePayload(1000)) + serverFrame(0x81, "late"));
    QCOMPARE(drain(decoder).size(), 1);
    decoder.append(serverFrame(0x81, "later"));
    QVERIFY(!decoder.next());
}

void TestWebSocketFrame::producesSameEventsHoweverInputIsSplit()
{
    const QByteArray wire = serverFrame(0x81, "CONNECTED") + serverFrame(0x82, pattern(70000)) +
                            serverFrame(0x01, "ERR") + serverFrame(0x89, "ping") +
                            serverFrame(0x80, "OR:refused") + serverFrame(0x02, pattern(300, 1)) +
                            serverFrame(0x8A, {}) + serverFrame(0x80, pattern(200, 2)) +
                            serverFrame(0x88, closePayload(1000, "done"));
    const auto whole = decodeAll(wire);
    QCOMPARE(whole.size(), 8);
    QCOMPARE(whole.last().type, Type::Close);

    WebSocketFrameDecoder byteByByte;
    QList<Event> byteEvents;
    for (char c : wire) {
        byteByByte.append(QByteArrayView(&c, 1));
        byteEvents += drain(byteByByte);
    }
    QVERIFY(sameEvents(joinBinarySlices(byteEvents), joinBinarySlices(whole)));

    QRandomGenerator random(1);
    for (int round = 0; round < 50; ++round) {
        WebSocketFrameDecoder chunked;
        QList<Event> chunkEvents;
        for (qsizetype at = 0; at < wire.size();) {
            const qsizetype size = std::min(wire.size() - at, qsizetype(random.bounded(1, 20000)));
            chunked.append(QByteArrayView(wire).sliced(at, size));
            chunkEvents += drain(chunked);
            at += size;
        }
        QVERIFY(sameEvents(joinBinarySlices(chunkEvents), joinBinarySlices(whole)));
    }
}

void TestWebSocketFrame::failsWithCloseCode_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<int>("closeCode");

    const int protocolError = CloseCode::ProtocolError;
    const int invalidPayload = CloseCode::InvalidPayload;
    const int tooBig = CloseCode::MessageTooBig;

    QTest::newRow("masked frame") << bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d,
                                            0x51, 0x58})
                                  << protocolError;
    QTest::newRow("masked, header only") << bytes({0x82, 0xFF}) << protocolError;
    QTest::newRow("RSV1") << serverFrame(0xC1, "Hello") << protocolError;
    QTest::newRow("RSV2") << serverFrame(0xA1, "Hello") << protocolError;
    QTest::newRow("RSV3") << serverFrame(0x91, "Hello") << protocolError;
    for (int opcode : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF})
        QTest::addRow("reserved opcode %x", opcode)
            << serverFrame(0x80 | opcode, {}) << protocolError;
    QTest::newRow("ping of 126 bytes") << serverFrame(0x89, pattern(126)) << protocolError;
    QTest::newRow("close with 64-bit length") << bytes({0x88, 0x7F}) << protocolError;
    QTest::newRow("fragmented ping") << serverFrame(0x09, "x") << protocolError;
    QTest::newRow("fragmented close") << serverFrame(0x08, closePayload(1000)) << protocolError;
    QTest::newRow("continuation without message") << serverFrame(0x80, "x") << protocolError;
    QTest::newRow("continuation after finished message")
        << serverFrame(0x81, "a") + serverFrame(0x00, "b") << protocolError;
    QTest::newRow("text inside fragmented text")
        << serverFrame(0x01, "a") + serverFrame(0x81, "b") << protocolError;
    QTest::newRow("binary inside fragmented text")
        << serverFrame(0x01, "a") + serverFrame(0x82, "b") << protocolError;
    QTest::newRow("text inside fragmented binary")
        << serverFrame(0x02, "a") + serverFrame(0x01, "b") << protocolError;
    QTest::newRow("64-bit length with top bit")
        << bytes({0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0}) << protocolError;
    QTest::newRow("1-byte close payload") << serverFrame(0x88, bytes({0x03})) << protocolError;
    for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535})
        QTest::addRow("close code %d", code)
            << serverFrame(0x88, closePayload(code)) << protocolError;

    QTest::newRow("overlong text") << serverFrame(0x81, bytes({0xC0, 0x80})) << invalidPayload;
    QTest::newRow("surrogate in text")
        << serverFrame(0x81, bytes({0xED, 0xA0, 0x80})) << invalidPayload;
    QTest::newRow("truncated character at message end")
        << serverFrame(0x01, "ok") + serverFrame(0x80, bytes({0xE2, 0x82})) << invalidPayload;
    QTest::newRow("invalid close reason")
        << serverFrame(0x88, closePayload(1000, bytes({0xC3, 0x28}))) << invalidPayload;

    QTest::newRow("text over 1 MiB declared")
        << bytes({0x81, 0x7F, 0, 0, 0, 0, 0, 0x10, 0x00, 0x01}) << tooBig;
    QTest::newRow("fragmented text over 1 MiB")
        << serverFrame(0x01, QByteArray(600000, 'a')) +
               bytes({0x00, 0x7F, 0, 0, 0, 0, 0, 0x08, 0x00, 0x00})
        << tooBig;
    QTest::newRow("binary frame over 16 MiB declared")
        << bytes({0x82, 0x7F, 0, 0, 0, 0, 0x01, 0x00, 0x00, 0x01}) << tooBig;
    QTest::newRow("binary continuation over 16 MiB declared")
        << serverFrame(0x02, "a") + bytes({0x80, 0x7F, 0, 0, 0, 0, 0x01, 0x00, 0x00, 0x01})
        << tooBig;
}

void TestWebSocketFrame::failsWithCloseCode()
{
    QFETCH(QByteArray, wire);
    QFETCH(int, closeCode);

    const auto events = decodeAll(wire);
    QVERIFY(!events.isEmpty());
    // Data that was valid before the fault may be delivered first; the fault ends the stream.
    const Event& last = events.last();
    QCOMPARE(last.type, Type::Error);
    QCOMPARE(int(last.closeCode), closeCode);
    QVERIFY(!last.reason.isEmpty());
    // The reason goes into our Close frame, which holds 123 bytes after the code.
    QVERIFY(last.reason.size() <= 123);
    QVERIFY(WebSocketFrameDecoder::isValidUtf8(last.reason));
}

void TestWebSocketFrame::yieldsNothingAfterError()
{
    WebSocketFrameDecoder decoder;
    decoder.append(serverFrame(0xC1, "x") + serverFrame(0x81, "valid"));
    const auto events = drain(decoder);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::Error);
    decoder.append(serverFrame(0x81, "still valid"));
    QVERIFY(!decoder.next());
}

void TestWebSocketFrame::appliesConfiguredTextLimitAcrossFragments()
{
    WebSocketFrameDecoder decoder;
    decoder.setMaxTextMessageBytes(10);
    decoder.append(serverFrame(0x01, "12345") + serverFrame(0x80, "67890"));
    auto events = drain(decoder);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::Text);

    decoder.append(serverFrame(0x01, "12345") + serverFrame(0x80, "678901"));
    events = drain(decoder);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::Error);
    QCOMPARE(events[0].closeCode, CloseCode::MessageTooBig);
}

void TestWebSocketFrame::appliesConfiguredBinaryFrameLimit()
{
    WebSocketFrameDecoder decoder;
    decoder.setMaxBinaryFrameBytes(100);
    decoder.append(serverFrame(0x02, pattern(100)) + serverFrame(0x80, pattern(100)));
    auto events = drain(decoder);
    QCOMPARE(events.size(), 2);
    QVERIFY(events[1].messageEnd);

    // Only the header of the oversized frame is needed to refuse it.
    decoder.append(bytes({0x82, 101}));
    events = drain(decoder);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::Error);
    QCOMPARE(events[0].closeCode, CloseCode::MessageTooBig);
}

void TestWebSocketFrame::survivesRandomMutations()
{
    const QByteArray seedStream =
        serverFrame(0x81, "CONNECTED") + serverFrame(0x01, "ERR") + serverFrame(0x89, "ping") +
        serverFrame(0x80, "OR:x \xc3\xa9") + serverFrame(0x82, pattern(300)) +
        serverFrame(0x02, "ab") + serverFrame(0x00, "cd") + serverFrame(0x80, {}) +
        serverFrame(0x8A, "pong") + serverFrame(0x88, closePayload(1000, "bye"));
    QRandomGenerator random(20240601);
    for (int round = 0; round < 20000; ++round) {
        QByteArray wire = seedStream;
        const int mutations = random.bounded(1, 5);
        for (int m = 0; m < mutations; ++m) {
            const qsizetype at = random.bounded(int(wire.size()));
            switch (random.bounded(4)) {
            case 0:
                wire[at] = char(wire[at] ^ (1 << random.bounded(8)));
                break;
            case 1:
                wire[at] = char(random.bounded(256));
                break;
            case 2:
                wire.insert(at, char(random.bounded(256)));
                break;
            default:
                wire.remove(at, 1);
                break;
            }
        }

        WebSocketFrameDecoder decoder;
        decoder.setMaxTextMessageBytes(64);
        decoder.setMaxBinaryFrameBytes(1024);
        bool ended = false;
        for (qsizetype at = 0; at < wire.size();) {
            const qsizetype size = std::min(wire.size() - at, qsizetype(random.bounded(1, 64)));
            decoder.append(QByteArrayView(wire).sliced(at, size));
            at += size;
            while (auto event = decoder.next()) {
                QVERIFY2(!ended, "event after Close or Error");
                if (event->type == Type::Error) {
                    QVERIFY(event->closeCode == CloseCode::ProtocolError ||
                            event->closeCode == CloseCode::InvalidPayload ||
                            event->closeCode == CloseCode::MessageTooBig);
                    ended = true;
                } else if (event->type == Type::Close) {
                    ended = true;
                } else if (event->type == Type::Text) {
                    QVERIFY(WebSocketFrameDecoder::isValidUtf8(event->payload));
                    QVERIFY(event->payload.size() <= 64);
                } else if (event->type == Type::Ping || event->type == Type::Pong) {
                    QVERIFY(event->payload.size() <= 125);
                }
            }
        }
    }
}

void TestWebSocketFrame::validatesUtf8_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("valid");

    QTest::newRow("empty") << QByteArray() << true;
    QTest::newRow("ASCII") << QByteArray("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n") << true;
    QTest::newRow("NUL") << bytes({0x00}) << true;
    QTest::newRow("2-byte") << bytes({0xC3, 0xA9}) << true;
    QTest::newRow("3-byte") << bytes({0xE2, 0x82, 0xAC}) << true;
    QTest::newRow("4-byte") << bytes({0xF0, 0x9F, 0x98, 0x80}) << true;
    QTest::newRow("U+10FFFF") << bytes({0xF4, 0x8F, 0xBF, 0xBF}) << true;
    QTest::newRow("U+FFFF") << bytes({0xEF, 0xBF, 0xBF}) << true;
    QTest::newRow("U+D7FF") << bytes({0xED, 0x9F, 0xBF}) << true;
    QTest::newRow("U+E000") << bytes({0xEE, 0x80, 0x80}) << true;
    QTest::newRow("BOM") << bytes({0xEF, 0xBB, 0xBF, 'a'}) << true;
    QTest::newRow("multibyte after 8 ASCII") << QByteArray("abcdefgh\xc3\xa9") << true;

    QTest::newRow("lone continuation") << bytes({0x80}) << false;
    QTest::newRow("continuation after ASCII run") << QByteArray("abcdefgh\x80") << false;
    QTest::newRow("overlong NUL") << bytes({0xC0, 0x80}) << false;
    QTest::newRow("overlong C1") << bytes({0xC1, 0xBF}) << false;
    QTest::newRow("overlong 3-byte") << bytes({0xE0, 0x9F, 0xBF}) << false;
    QTest::newRow("overlong 4-byte") << bytes({0xF0, 0x8F, 0xBF, 0xBF}) << false;
    QTest::newRow("high surrogate") << bytes({0xED, 0xA0, 0x80}) << false;
    QTest::newRow("low surrogate") << bytes({0xED, 0xBF, 0xBF}) << false;
    QTest::newRow("CESU-8 pair") << bytes({0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80}) << false;
    QTest::newRow("U+110000") << bytes({0xF4, 0x90, 0x80, 0x80}) << false;
    QTest::newRow("F5 lead") << bytes({0xF5, 0x80, 0x80, 0x80}) << false;
    QTest::newRow("FF") << bytes({0xFF}) << false;
    QTest::newRow("truncated 2-byte") << bytes({0xC3}) << false;
    QTest::newRow("truncated 4-byte") << bytes({0xF0, 0x9F, 0x98}) << false;
    QTest::newRow("ASCII inside a sequence") << bytes({0xE2, 0x41, 0xAC}) << false;
    QTest::newRow("TLS ClientHello start")
        << bytes({0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03}) << false;
}

void TestWebSocketFrame::validatesUtf8()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, valid);
    QCOMPARE(WebSocketFrameDecoder::isValidUtf8(text), valid);
}

void TestWebSocketFrame::acceptsEveryScalarValueAndNoSurrogate()
{
    for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
        const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        if (WebSocketFrameDecoder::isValidUtf8(encodeCodePoint(cp)) == surrogate)
            QFAIL(qPrintable(QStringLiteral("wrong verdict for U+%1").arg(quint32(cp), 0, 16)));
    }
}

void TestWebSocketFrame::agreesWithQtDecoderOnRandomBytes()
{
    // Bytes near the edges of the UTF-8 ranges, so that most strings are close calls.
    const QByteArray alphabet =
        bytes({0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
               0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF});
    QRandomGenerator random(3629);
    for (int round = 0; round < 50000; ++round) {
        QByteArray text;
        const int size = random.bounded(13);
        for (int i = 0; i < size; ++i)
            text.append(alphabet[random.bounded(int(alphabet.size()))]);
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString decoded = decoder.decode(text);
        if (WebSocketFrameDecoder::isValidUtf8(text) == decoder.hasError())
            QFAIL(qPrintable(
                QStringLiteral("disagreement on %1").arg(QString::fromLatin1(text.toHex(' ')))));
    }
}

void TestWebSocketFrame::serverRoleUnmasksClientFramesAcrossSlices()
{
    QByteArray payload(70000, Qt::Uninitialized);
    for (qsizetype i = 0; i < payload.size(); ++i)
        payload[i] = char(i * 7 + 3);
    QByteArray wire;
    appendFrame(wire, WebSocketOpcode::Text, "CONNECT:a.example:443|", true, 0x01020304u);
    appendFrame(wire, WebSocketOpcode::Binary, payload, true, 0xdeadbeefu);

    // Odd slice sizes so the key phase changes between slices.
    WebSocketFrameDecoder decoder(WebSocketRole::Server);
    QByteArray text;
    QByteArray binary;
    for (qsizetype at = 0; at < wire.size(); at += 4093) {
        decoder.append(
            QByteArrayView(wire).sliced(at, std::min<qsizetype>(4093, wire.size() - at)));
        while (auto event = decoder.next()) {
            QVERIFY(event->type != WebSocketFrameDecoder::Event::Type::Error);
            if (event->type == WebSocketFrameDecoder::Event::Type::Text)
                text = event->payload;
            else
                binary += event->payload;
        }
    }
    QCOMPARE(text, QByteArray("CONNECT:a.example:443|"));
    QCOMPARE(binary, payload);
}

void TestWebSocketFrame::serverRoleRejectsUnmaskedFrames()
{
    WebSocketFrameDecoder decoder(WebSocketRole::Server);
    decoder.append(QByteArray::fromHex("810548656c6c6f"));
    const auto event = decoder.next();
    QVERIFY(event);
    QCOMPARE(event->type, WebSocketFrameDecoder::Event::Type::Error);
    QCOMPARE(event->closeCode, WebSocketCloseCode::ProtocolError);
}

void TestWebSocketFrame::serverFramesAreUnmaskedAndReadableByClient()
{
    QByteArray wire;
    appendFrame(wire, WebSocketOpcode::Text, "Hello", true, std::nullopt);
    QCOMPARE(wire, QByteArray::fromHex("810548656c6c6f"));
    WebSocketFrameDecoder decoder;
    decoder.append(wire);
    const auto event = decoder.next();
    QVERIFY(event);
    QCOMPARE(event->type, WebSocketFrameDecoder::Event::Type::Text);
    QCOMPARE(event->payload, QByteArray("Hello"));
}

QTEST_APPLESS_MAIN(TestWebSocketFrame)
#include "tst_websocketframe.moc"
