// The shared HTTP/1.1 framing layer of core/http on its own: head scanning (request and
// response), head parsing with body framing, and the chunked decoder, each fed in pieces. The
// first byte picks what the rest is read as. Whatever the cut, the verdict and the decoded
// bytes must be the same; a head found is within the limits and ends in CRLF CRLF; a decoder
// never produces more data than it consumed.

#include "FuzzSupport.h"
#include "http/ChunkedDecoder.h"
#include "http/HttpHead.h"
#include "http/HttpHeadScanner.h"

namespace {

using namespace echw::http;
using echw::fuzz::note;

// Small limits too, so that they are reached within the fuzzer's input sizes.
constexpr HeadLimits kSmallLimits{300, 8};

void describeFraming(QByteArray& transcript, const std::variant<BodyFraming, Error>& framing)
{
    if (const auto* error = std::get_if<Error>(&framing)) {
        note(transcript, "framing error", error->reason);
        return;
    }
    const BodyFraming body = std::get<BodyFraming>(framing);
    note(transcript, "framing", QByteArray::number(int(body.kind)));
    note(transcript, "length", QByteArray::number(body.length));
}

QByteArray scanHead(HeadScanner::Kind kind, const HeadLimits& limits,
                    const QList<QByteArrayView>& pieces)
{
    HeadScanner scanner(kind, limits);
    QByteArray pending;
    QByteArray transcript;
    for (const QByteArrayView piece : pieces) {
        pending.append(piece);
        if (scanner.scan(pending) != HeadScanner::Status::NeedMore)
            break;
    }
    if (scanner.status() == HeadScanner::Status::NeedMore) {
        ECHW_FUZZ_CHECK(pending.size() <= limits.maxBytes);
        note(transcript, "need more");
        return transcript;
    }
    if (scanner.status() == HeadScanner::Status::Failed) {
        note(transcript, "failed", scanner.error().reason);
        return transcript;
    }
    const QByteArrayView head =
        QByteArrayView(pending).sliced(scanner.headStart(), scanner.headLength());
    ECHW_FUZZ_CHECK(scanner.consumed() <= limits.maxBytes);
    ECHW_FUZZ_CHECK(head.endsWith("\r\n\r\n"));
    note(transcript, "head", head);
    if (kind == HeadScanner::Kind::Request) {
        const auto parsed = parseRequestHead(head);
        if (const auto* error = std::get_if<Error>(&parsed)) {
            note(transcript, "invalid", error->reason);
        } else {
            const auto& request = std::get<RequestHead>(parsed);
            ECHW_FUZZ_CHECK(request.framing.kind != BodyFraming::Kind::CloseDelimited);
            ECHW_FUZZ_CHECK(request.fields.size() <= limits.maxFields);
            note(transcript, "method", request.method);
            describeFraming(transcript, requestFraming(request.versionMinor, request.fields));
        }
    } else {
        const auto parsed = parseResponseHead(head);
        if (const auto* error = std::get_if<Error>(&parsed)) {
            note(transcript, "invalid", error->reason);
        } else {
            const auto& response = std::get<ResponseHead>(parsed);
            ECHW_FUZZ_CHECK(response.status >= 100 && response.status <= 599);
            for (const bool head : {false, true}) {
                const auto framing =
                    responseFraming(head, response.status, response.versionMinor, response.fields);
                if (head && std::holds_alternative<BodyFraming>(framing))
                    ECHW_FUZZ_CHECK(std::get<BodyFraming>(framing).kind == BodyFraming::Kind::None);
                describeFraming(transcript, framing);
            }
        }
    }
    return transcript;
}

QByteArray decodeChunked(const HeadLimits& limits, const QList<QByteArrayView>& pieces)
{
    ChunkedDecoder decoder(limits);
    QByteArray data;
    qsizetype consumed = 0;
    for (const QByteArrayView piece : pieces) {
        const qsizetype used = decoder.feed(piece, &data);
        ECHW_FUZZ_CHECK(used >= 0 && used <= piece.size());
        consumed += used;
        if (decoder.complete() || decoder.failed()) {
            // Once done, further input is left alone.
            ECHW_FUZZ_CHECK(decoder.feed("0\r\n\r\n", nullptr) == 0);
            break;
        }
        ECHW_FUZZ_CHECK(used == piece.size());
    }
    ECHW_FUZZ_CHECK(data.size() <= consumed);
    QByteArray transcript;
    note(transcript, "data", data);
    note(transcript, "consumed", QByteArray::number(consumed));
    note(transcript,
         decoder.complete() ? "complete"
         : decoder.failed() ? "failed"
                            : "need more",
         decoder.error().reason);
    return transcript;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView input = echw::fuzz::bytesOf(data, size);
    if (input.isEmpty())
        return 0;
    const QByteArrayView rest = input.sliced(1);
    switch (uchar(input[0]) % 3) {
    case 0:
        echw::fuzz::expectSplitIndependentFor(
            rest, {HeadLimits{}, kSmallLimits},
            [](const HeadLimits& limits, const QList<QByteArrayView>& pieces) {
                return scanHead(HeadScanner::Kind::Request, limits, pieces);
            });
        break;
    case 1:
        echw::fuzz::expectSplitIndependentFor(
            rest, {HeadLimits{}, kSmallLimits},
            [](const HeadLimits& limits, const QList<QByteArrayView>& pieces) {
                return scanHead(HeadScanner::Kind::Response, limits, pieces);
            });
        break;
    default:
        echw::fuzz::expectSplitIndependentFor(rest, {HeadLimits{}, kSmallLimits}, decodeChunked);
        break;
    }
    return 0;
}
