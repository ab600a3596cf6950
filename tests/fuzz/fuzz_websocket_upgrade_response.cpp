// The worker's answer to the WebSocket opening handshake (RFC 6455 section 4.1), with and
// without a token as subprotocol, cut at every boundary. A refusal never quotes the token.

#include "FuzzSupport.h"
#include "ws/WebSocketHandshake.h"

namespace {

using Parser = echw::WebSocketUpgradeResponseParser;
using Status = Parser::Result::Status;
using echw::fuzz::note;

// The key of RFC 6455 section 1.3, whose accept value the seeds carry.
const QByteArray kKey = QByteArrayLiteral("dGhlIHNhbXBsZSBub25jZQ==");
const QString kToken = QStringLiteral("secret-token-7Q");

QByteArray run(const QString& subprotocol, const QList<QByteArrayView>& pieces)
{
    Parser parser(kKey, subprotocol);
    QByteArray transcript;
    qsizetype fed = 0;
    Parser::Result result;
    while (fed < pieces.size() && result.status == Status::NeedMore)
        result = parser.append(pieces[fed++]);
    note(transcript, "status", QByteArray::number(int(result.status)));
    switch (result.status) {
    case Status::NeedMore:
        break;
    case Status::Accepted:
        // What followed the head is the first frames, however the head was cut.
        note(transcript, "remaining", result.remaining + echw::fuzz::joined(pieces, fed));
        break;
    case Status::Rejected:
        ECHW_FUZZ_CHECK(!result.reason.isEmpty() && !result.reason.contains(kToken));
        note(transcript, "http status", QByteArray::number(result.httpStatus));
        note(transcript, "reason", result.reason.toUtf8());
        break;
    }
    // A verdict stands, without the bytes that came with it.
    if (result.status != Status::NeedMore) {
        const Parser::Result later = parser.append("\r\n");
        ECHW_FUZZ_CHECK(later.status == result.status && later.remaining.isEmpty());
    }
    return transcript;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    echw::fuzz::expectSplitIndependentFor(echw::fuzz::bytesOf(data, size), {QString(), kToken},
                                          run);
    return 0;
}
