// What a local HTTP proxy client sends (RFC 9112): request heads, CONNECT, keep-alive requests
// one after another, Content-Length and chunked bodies, without and with credentials; cut at
// every boundary. Each rewritten head must also be one the worker's strict parser accepts,
// since origins read it after us.

#include "FuzzSupport.h"
#include "HttpRequestHead.h"
#include "inbound/HttpProxyParser.h"

namespace {

using echw::HttpProxyParser;
using Event = HttpProxyParser::Event;
using echw::fuzz::note;

const echw::ProxyCredentials kCredentials(QByteArrayLiteral("user"), QByteArrayLiteral("pass"));

void checkForwardedHead(const Event& event)
{
    const QByteArray& head = event.head;
    ECHW_FUZZ_CHECK(head.endsWith("\r\n\r\n"));
    echw::server::HttpRequestHeadParser parser;
    const auto parsed = parser.append(head);
    // The rewrite can add a few bytes (a Host line) to a head that was at the shared limit.
    if (head.size() > echw::server::HttpRequestHeadParser::kMaxHeadBytes)
        return;
    ECHW_FUZZ_CHECK(parsed.status == echw::server::HttpRequestHeadParser::Result::Status::Complete);
    ECHW_FUZZ_CHECK(parsed.head.target.startsWith('/'));
    ECHW_FUZZ_CHECK(parsed.head.fieldCount("Host") == 1);
    // Fields meant for the proxy never travel on.
    for (const auto& field : parsed.head.fields.list())
        ECHW_FUZZ_CHECK(!field.name.toLower().startsWith("proxy-"));
}

QByteArray run(const echw::ProxyCredentials& credentials, const QList<QByteArrayView>& pieces)
{
    HttpProxyParser parser(credentials);
    QByteArray transcript;
    // Body slices depend on how the bytes arrived; what counts is the bytes of each message.
    QByteArray body;
    qsizetype bodyTotal = 0;
    const auto flushBody = [&] {
        if (!body.isEmpty())
            note(transcript, "body", std::exchange(body, {}));
    };
    qsizetype fed = 0;
    while (fed < pieces.size()) {
        parser.append(pieces[fed++]);
        while (auto event = parser.next()) {
            if (event->type != Event::Type::Body)
                flushBody();
            switch (event->type) {
            case Event::Type::Connect:
                note(transcript, "connect", event->target.toString().toUtf8());
                note(transcript, "remaining",
                     parser.takeRemaining() + echw::fuzz::joined(pieces, fed));
                ECHW_FUZZ_CHECK(!parser.next());
                return transcript;
            case Event::Type::RequestHead:
                checkForwardedHead(*event);
                note(transcript, "target", event->target.toString().toUtf8());
                note(transcript, "head", event->head);
                break;
            case Event::Type::Body:
                ECHW_FUZZ_CHECK(!event->body.isEmpty());
                bodyTotal += event->body.size();
                body.append(event->body);
                break;
            case Event::Type::MessageEnd:
                note(transcript, "end");
                break;
            case Event::Type::Error:
                ECHW_FUZZ_CHECK(parser.failed() && event->status >= 400 && event->status < 600);
                ECHW_FUZZ_CHECK(
                    !HttpProxyParser::errorResponse(event->status, event->reason).isEmpty());
                note(transcript, "error", QByteArray::number(event->status));
                note(transcript, "reason", event->reason);
                ECHW_FUZZ_CHECK(!parser.next());
                return transcript;
            }
        }
    }
    flushBody();
    ECHW_FUZZ_CHECK(bodyTotal <= echw::fuzz::joined(pieces, 0).size());
    note(transcript, "idle", parser.idle() ? "yes" : "no");
    return transcript;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    echw::fuzz::expectSplitIndependentFor(echw::fuzz::bytesOf(data, size),
                                          {echw::ProxyCredentials(), kCredentials}, run);
    return 0;
}
