// A request head sent to the worker server (RFC 9112 sections 3 and 5), cut at every boundary,
// then routed as the server does. What the server answers must read as intended by the
// client's own parsers: a 101 must pass the client's handshake check, anything else must be a
// complete HTTP response with the status the router chose.

#include "FuzzSupport.h"
#include "HttpRequestHead.h"
#include "RequestRouter.h"
#include "http/HttpResponseReader.h"
#include "http/HttpSyntax.h"
#include "ws/WebSocketHandshake.h"

#include <algorithm>

namespace {

using echw::server::HttpRequestHeadParser;
using Status = HttpRequestHeadParser::Result::Status;
using echw::fuzz::note;

// A valid ECHConfigList: the 2-byte list length, then one entry of version 0xfe0d with four
// bytes of contents (the answer builder only checks this shape).
const QByteArray kEchConfigList = QByteArrayLiteral("\x00\x08\xfe\x0d\x00\x04\x01\x02\x03\x04");
const QString kPublicName = QStringLiteral("public.example");

QByteArray describe(const echw::server::HttpRequestHead& head)
{
    QByteArray transcript;
    note(transcript, "method", head.method);
    note(transcript, "target", head.target);
    note(transcript, "minor", QByteArray::number(head.versionMinor));
    for (const auto& field : head.fields.list()) {
        note(transcript, "name", field.name);
        note(transcript, "value", field.value);
    }
    return transcript;
}

void checkHead(const echw::server::HttpRequestHead& head)
{
    ECHW_FUZZ_CHECK(head.fieldCount("Host") <= 1);
    ECHW_FUZZ_CHECK(head.versionMinor >= 0 && head.versionMinor <= 9);
    const QByteArray path = head.path();
    ECHW_FUZZ_CHECK(path.isEmpty() || path.startsWith('/') || path == "*");
    ECHW_FUZZ_CHECK(!path.contains('?'));
    if (const auto length = head.contentLength())
        ECHW_FUZZ_CHECK(*length >= 0 && !head.hasTransferEncoding());
    head.query();
}

void checkResponse(const echw::server::HttpResponse& response)
{
    echw::HttpResponseReader reader;
    ECHW_FUZZ_CHECK(reader.append(response.serialize()) ==
                    echw::HttpResponseReader::Status::Complete);
    ECHW_FUZZ_CHECK(reader.response().status == response.status);
    ECHW_FUZZ_CHECK(reader.response().body == response.body);
}

void route(const echw::server::HttpRequestHead& head, const QByteArray& token)
{
    const auto routed = echw::server::routeRequest(head, {token, true});
    if (const auto* response = std::get_if<echw::server::HttpResponse>(&routed)) {
        checkResponse(*response);
    } else if (const auto* upgrade = std::get_if<echw::server::WebSocketUpgrade>(&routed)) {
        // The subprotocol the server selected: the token, or the client's first offer.
        QByteArray selected = token;
        if (selected.isEmpty()) {
            const QByteArray offers = head.field("Sec-WebSocket-Protocol").value_or(QByteArray());
            const auto offered = echw::http::splitList(offers);
            selected = offered.isEmpty() ? QByteArray() : offered.first().toByteArray();
        }
        // A client only ever offers visible ASCII (buildWebSocketUpgradeRequest refuses more).
        if (!std::all_of(selected.begin(), selected.end(), echw::http::isVisibleAscii))
            return;
        echw::WebSocketUpgradeResponseParser client(*head.field("Sec-WebSocket-Key"),
                                                    QString::fromLatin1(selected));
        const auto result = client.append(upgrade->response);
        ECHW_FUZZ_CHECK(result.status ==
                        echw::WebSocketUpgradeResponseParser::Result::Status::Accepted);
        ECHW_FUZZ_CHECK(result.remaining.isEmpty());
    } else if (const auto* query = std::get_if<echw::server::DnsQuery>(&routed)) {
        checkResponse(echw::server::answerDnsQuery(query->query, kPublicName, kEchConfigList));
    } else {
        const auto& body = std::get<echw::server::DnsQueryBody>(routed);
        ECHW_FUZZ_CHECK(body.length > 0 && body.length <= echw::server::kMaxDnsQueryBytes);
    }
}

QByteArray run(const QList<QByteArrayView>& pieces)
{
    HttpRequestHeadParser parser;
    HttpRequestHeadParser::Result result;
    qsizetype fed = 0;
    while (fed < pieces.size() && result.status == Status::NeedMore)
        result = parser.append(pieces[fed++]);
    QByteArray transcript;
    note(transcript, "status", QByteArray::number(int(result.status)));
    if (result.status == Status::Complete) {
        note(transcript, "head", describe(result.head));
        note(transcript, "remaining", result.remaining + echw::fuzz::joined(pieces, fed));
    } else if (result.status == Status::Invalid) {
        ECHW_FUZZ_CHECK(result.httpStatus >= 400 && result.httpStatus < 600);
        note(transcript, "http status", QByteArray::number(result.httpStatus));
        note(transcript, "reason", result.reason.toUtf8());
    }
    if (result.status != Status::NeedMore) {
        const auto later = parser.append("\r\n");
        ECHW_FUZZ_CHECK(later.status == result.status && later.remaining.isEmpty());
    }
    return transcript;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView input = echw::fuzz::bytesOf(data, size);
    echw::fuzz::expectSplitIndependent(input, run);

    const auto result = HttpRequestHeadParser().append(input);
    if (result.status != Status::Complete)
        return 0;
    checkHead(result.head);
    for (const QByteArray& token : {QByteArray(), QByteArrayLiteral("secret-token-7Q")})
        route(result.head, token);
    return 0;
}
