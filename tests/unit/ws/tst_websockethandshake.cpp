#include "TestValues.h"
#include "ws/WebSocketHandshake.h"

#include <QTest>

using echw::WebSocketUpgradeParams;
using echw::WebSocketUpgradeRequest;
using echw::WebSocketUpgradeResponseParser;
using Result = WebSocketUpgradeResponseParser::Result;
using Status = WebSocketUpgradeResponseParser::Result::Status;

namespace {

const QString kToken = QStringLiteral("s3cr3t-T0ken");
const QByteArray kTokenBytes = kToken.toUtf8();
// RFC 6455 section 1.3 and 4.2.2: the sample nonce and the answer it gets.
const QByteArray kSampleKey = "dGhlIHNhbXBsZSBub25jZQ==";
const QByteArray kSampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

WebSocketUpgradeRequest build(const WebSocketUpgradeParams& params)
{
    return echw::test::unwrap(echw::buildWebSocketUpgradeRequest(params));
}

WebSocketUpgradeParams params(const QString& host, quint16 port, const QString& path,
                              const QString& subprotocol)
{
    WebSocketUpgradeParams p;
    p.host = host;
    p.port = port;
    p.path = path;
    p.subprotocol = subprotocol;
    p.userAgent = "test/1";
    return p;
}

QByteArray header(const QByteArray& request, const QByteArray& name)
{
    for (const QByteArray& line : request.split('\n')) {
        if (line.startsWith(name + ": "))
            return line.sliced(name.size() + 2).chopped(1);
    }
    return {};
}

// The worker's answer when it accepts the token.
QByteArray acceptingResponse(const QByteArray& accept = kSampleAccept,
                             const QByteArray& protocol = kTokenBytes)
{
    QByteArray out = "HTTP/1.1 101 Switching Protocols\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: " +
                     accept + "\r\n";
    if (!protocol.isEmpty())
        out += "Sec-WebSocket-Protocol: " + protocol + "\r\n";
    return out + "\r\n";
}

Result parseResponse(const QByteArray& response, const QString& subprotocol = kToken)
{
    WebSocketUpgradeResponseParser parser(kSampleKey, subprotocol);
    return parser.append(response);
}

} // namespace

class TestWebSocketHandshake : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void computesAcceptForRfcSampleKey();
    void buildsUpgradeRequest();
    void namesPortInHostOnlyWhenNotDefault_data();
    void namesPortInHostOnlyWhenNotDefault();
    void omitsProtocolHeaderForEmptyToken();
    void percentEncodesPath_data();
    void percentEncodesPath();
    void sendsDefaultUserAgent();
    void drawsFreshKeyPerRequest();
    void refusesTokenThatCannotBeAHeaderValue_data();
    void refusesTokenThatCannotBeAHeaderValue();
    void refusesHostThatCannotBeAHeaderValue();

    void acceptsWorkerResponse();
    void acceptsResponseForTheBuiltRequest();
    void returnsBytesAfterTheHead();
    void acceptsResponseSplitAcrossAppends();
    void acceptsLenientButValidSpellings();
    void acceptsHeadAtTheSizeLimit();
    void acceptsNoSubprotocolAsATokenTheServerDoesNotCheck();
    void rejectsUnauthorizedAsRefusedToken();
    void rejectsOtherStatusesByName_data();
    void rejectsOtherStatusesByName();
    void rejectsBadSwitch_data();
    void rejectsBadSwitch();
    void rejectsHeadOverTheSizeLimit();
    void repeatsVerdictOnLaterAppends();
    void neverQuotesTheToken_data();
    void neverQuotesTheToken();
};

void TestWebSocketHandshake::computesAcceptForRfcSampleKey()
{
    QCOMPARE(WebSocketUpgradeResponseParser::acceptFor(kSampleKey), kSampleAccept);
}

void TestWebSocketHandshake::buildsUpgradeRequest()
{
    const auto request =
        build(params(QStringLiteral("worker.example.com"), 443, QStringLiteral("/tunnel"), kToken));

    QCOMPARE(request.key.size(), 24);
    QCOMPARE(QByteArray::fromBase64(request.key, QByteArray::AbortOnBase64DecodingErrors).size(),
             16);
    QCOMPARE(request.bytes, QByteArray("GET /tunnel HTTP/1.1\r\n"
                                       "Host: worker.example.com\r\n"
                                       "Upgrade: websocket\r\n"
                                       "Connection: Upgrade\r\n"
                                       "Sec-WebSocket-Key: " +
                                       request.key +
                                       "\r\n"
                                       "Sec-WebSocket-Version: 13\r\n"
                                       "Sec-WebSocket-Protocol: s3cr3t-T0ken\r\n"
                                       "User-Agent: test/1\r\n"
                                       "\r\n"));
}

void TestWebSocketHandshake::namesPortInHostOnlyWhenNotDefault_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("default port") << QStringLiteral("a.example") << 443 << QByteArray("a.example");
    QTest::newRow("other port") << QStringLiteral("a.example") << 8443
                                << QByteArray("a.example:8443");
    QTest::newRow("port 80") << QStringLiteral("a.example") << 80 << QByteArray("a.example:80");
    QTest::newRow("IPv4") << QStringLiteral("192.0.2.1") << 2053 << QByteArray("192.0.2.1:2053");
    QTest::newRow("IPv6 default port")
        << QStringLiteral("2001:db8::1") << 443 << QByteArray("[2001:db8::1]");
    QTest::newRow("IPv6 other port")
        << QStringLiteral("2001:db8::1") << 8443 << QByteArray("[2001:db8::1]:8443");
}

void TestWebSocketHandshake::namesPortInHostOnlyWhenNotDefault()
{
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QByteArray, expected);

    const auto request = build(params(host, quint16(port), QStringLiteral("/"), {}));
    QCOMPARE(header(request.bytes, "Host"), expected);
}

void TestWebSocketHandshake::omitsProtocolHeaderForEmptyToken()
{
    const auto request = build(params(QStringLiteral("a.example"), 443, QStringLiteral("/"), {}));
    QVERIFY(!request.bytes.contains("Sec-WebSocket-Protocol"));
    QVERIFY(request.bytes.startsWith("GET / HTTP/1.1\r\n"));
    QVERIFY(request.bytes.endsWith("\r\n\r\n"));
}

void TestWebSocketHandshake::percentEncodesPath_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("target");

    QTest::newRow("plain") << QStringLiteral("/ws?ed=2048") << QByteArray("/ws?ed=2048");
    QTest::newRow("empty") << QString() << QByteArray("/");
    QTest::newRow("no leading slash") << QStringLiteral("ws") << QByteArray("/ws");
    QTest::newRow("already encoded") << QStringLiteral("/a%20b") << QByteArray("/a%20b");
    QTest::newRow("space and non-ASCII")
        << QStringLiteral("/a b/\u00e9") << QByteArray("/a%20b/%C3%A9");
    QTest::newRow("line break") << QStringLiteral("/x\r\nHost: evil")
                                << QByteArray("/x%0D%0AHost:%20evil");
    QTest::newRow("hash") << QStringLiteral("/a#b") << QByteArray("/a%23b");
}

void TestWebSocketHandshake::percentEncodesPath()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, target);

    const auto request = build(params(QStringLiteral("a.example"), 443, path, {}));
    QCOMPARE(request.bytes.first(request.bytes.indexOf("\r\n")), "GET " + target + " HTTP/1.1");
}

void TestWebSocketHandshake::sendsDefaultUserAgent()
{
    WebSocketUpgradeParams p;
    p.host = QStringLiteral("a.example");
    const auto request = build(p);
    QCOMPARE(header(request.bytes, "User-Agent"), QByteArray("ech-workers/" ECHW_VERSION));
    QVERIFY(request.bytes.startsWith("GET / HTTP/1.1\r\n"));
}

void TestWebSocketHandshake::drawsFreshKeyPerRequest()
{
    const auto p = params(QStringLiteral("a.example"), 443, QStringLiteral("/"), {});
    QVERIFY(build(p).key != build(p).key);
}

void TestWebSocketHandshake::refusesTokenThatCannotBeAHeaderValue_data()
{
    QTest::addColumn<QString>("token");
    QTest::newRow("CRLF") << QStringLiteral("abc\r\nX-Injected: 1");
    QTest::newRow("space") << QStringLiteral("abc def");
    QTest::newRow("non-ASCII") << QStringLiteral("abc\u00e9");
    QTest::newRow("NUL") << QString(QChar(0)) + QStringLiteral("abc");
}

void TestWebSocketHandshake::refusesTokenThatCannotBeAHeaderValue()
{
    QFETCH(QString, token);
    const auto result = echw::buildWebSocketUpgradeRequest(
        params(QStringLiteral("a.example"), 443, QStringLiteral("/"), token));
    const auto* error = std::get_if<QString>(&result);
    QVERIFY(error);
    QVERIFY(!error->contains(QStringLiteral("abc")));
}

void TestWebSocketHandshake::refusesHostThatCannotBeAHeaderValue()
{
    for (const QString& host :
         {QString(), QStringLiteral("a.example\r\nX: 1"), QStringLiteral("a.example/path")}) {
        const auto result =
            echw::buildWebSocketUpgradeRequest(params(host, 443, QStringLiteral("/"), kToken));
        const auto* error = std::get_if<QString>(&result);
        QVERIFY(error);
        QVERIFY(!error->contains(kToken));
    }
}

void TestWebSocketHandshake::acceptsWorkerResponse()
{
    const Result result = parseResponse(acceptingResponse());
    QCOMPARE(result.status, Status::Accepted);
    QVERIFY(result.remaining.isEmpty());
    QVERIFY(result.reason.isEmpty());
}

void TestWebSocketHandshake::acceptsResponseForTheBuiltRequest()
{
    const auto request =
        build(params(QStringLiteral("a.example"), 443, QStringLiteral("/"), kToken));
    WebSocketUpgradeResponseParser parser(request.key, kToken);
    const Result result =
        parser.append(acceptingResponse(WebSocketUpgradeResponseParser::acceptFor(request.key)));
    QCOMPARE(result.status, Status::Accepted);
}

void TestWebSocketHandshake::returnsBytesAfterTheHead()
{
    const QByteArray frames = QByteArray("\x81\x09") + "CONNECTED" + QByteArray("\x82\x00", 2);
    const Result result = parseResponse(acceptingResponse() + frames);
    QCOMPARE(result.status, Status::Accepted);
    QCOMPARE(result.remaining, frames);
}

void TestWebSocketHandshake::acceptsResponseSplitAcrossAppends()
{
    const QByteArray head = acceptingResponse();
    const QByteArray frames = "\x81\x02hi";
    const QByteArray wire = head + frames;

    WebSocketUpgradeResponseParser byteByByte(kSampleKey, kToken);
    for (qsizetype i = 0; i < head.size() - 1; ++i)
        QCOMPARE(byteByByte.append(wire.sliced(i, 1)).status, Status::NeedMore);
    const Result last = byteByByte.append(wire.sliced(head.size() - 1));
    QCOMPARE(last.status, Status::Accepted);
    QCOMPARE(last.remaining, frames);

    // The head's last CRLF split between two appends.
    WebSocketUpgradeResponseParser split(kSampleKey, kToken);
    QCOMPARE(split.append(wire.first(head.size() - 1)).status, Status::NeedMore);
    const Result result = split.append(wire.sliced(head.size() - 1));
    QCOMPARE(result.status, Status::Accepted);
    QCOMPARE(result.remaining, frames);
}

void TestWebSocketHandshake::acceptsLenientButValidSpellings()
{
    const QByteArray response = "HTTP/1.1 101 \r\n"
                                "upgrade:WebSocket\r\n"
                                "CONNECTION: keep-alive , upgrade\t\r\n"
                                "sec-websocket-accept:   " +
                                kSampleAccept +
                                "\r\n"
                                "Sec-WebSocket-Protocol: " +
                                kTokenBytes +
                                "\r\n"
                                "Server: cloudflare\r\n"
                                "Sec-WebSocket-Extensions:\r\n"
                                "\r\n";
    const Result result = parseResponse(response);
    QCOMPARE(result.status, Status::Accepted);
    QVERIFY(result.remaining.isEmpty());
}

// RFC 6455 section 4.1: without Sec-WebSocket-Protocol the server selected no subprotocol. The
// deployed worker without a token answers so whatever the client offers.
void TestWebSocketHandshake::acceptsNoSubprotocolAsATokenTheServerDoesNotCheck()
{
    const Result unchecked = parseResponse(acceptingResponse(kSampleAccept, {}), kToken);
    QCOMPARE(unchecked.status, Status::Accepted);
    QVERIFY(unchecked.tokenUnchecked);

    const Result confirmed = parseResponse(acceptingResponse(), kToken);
    QCOMPARE(confirmed.status, Status::Accepted);
    QVERIFY(!confirmed.tokenUnchecked);

    const Result noToken = parseResponse(acceptingResponse(kSampleAccept, {}), QString());
    QCOMPARE(noToken.status, Status::Accepted);
    QVERIFY(!noToken.tokenUnchecked);
}

void TestWebSocketHandshake::acceptsHeadAtTheSizeLimit()
{
    const QByteArray base = acceptingResponse();
    const qsizetype padding = WebSocketUpgradeResponseParser::kMaxHeadBytes - base.size();
    // "X-Pad: " + value + "\r\n" fills the head to exactly the limit.
    const QByteArray response =
        base.chopped(2) + "X-Pad: " + QByteArray(padding - 9, 'p') + "\r\n\r\n";
    QCOMPARE(response.size(), WebSocketUpgradeResponseParser::kMaxHeadBytes);
    QCOMPARE(parseResponse(response + "frames").status, Status::Accepted);
}

void TestWebSocketHandshake::rejectsUnauthorizedAsRefusedToken()
{
    const Result result = parseResponse("HTTP/1.1 401 Unauthorized\r\n"
                                        "Content-Length: 12\r\n\r\nUnauthorized");
    QCOMPARE(result.status, Status::Rejected);
    QCOMPARE(result.httpStatus, 401);
    QCOMPARE(result.reason, QStringLiteral("the worker refused the token (HTTP 401)"));
    QVERIFY(result.remaining.isEmpty());
}

void TestWebSocketHandshake::rejectsOtherStatusesByName_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("reason");

    const auto row = [](const char* name, int status, const char* statusText) {
        QTest::newRow(name) << QByteArray("HTTP/1.1 " + QByteArray::number(status) +
                                          " whatever the server says\r\n\r\n")
                            << status
                            << QStringLiteral("the server answered HTTP %1 instead of switching "
                                              "to WebSocket")
                                   .arg(QLatin1StringView(statusText));
    };
    row("200: a web page, not the worker", 200, "200 OK");
    row("403", 403, "403 Forbidden");
    row("404", 404, "404 Not Found");
    row("426: the upgrade was lost on the way", 426, "426 Upgrade Required");
    row("502", 502, "502 Bad Gateway");
    row("522: Cloudflare timed out", 522, "522 Connection Timed Out");
    row("unknown status", 418, "418");
}

void TestWebSocketHandshake::rejectsOtherStatusesByName()
{
    QFETCH(QByteArray, response);
    QFETCH(int, status);
    QFETCH(QString, reason);

    const Result result = parseResponse(response);
    QCOMPARE(result.status, Status::Rejected);
    QCOMPARE(result.httpStatus, status);
    QCOMPARE(result.reason, reason);
}

void TestWebSocketHandshake::rejectsBadSwitch_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<QString>("subprotocol");
    QTest::addColumn<int>("status");

    const QByteArray good = acceptingResponse();
    const auto without = [&](const QByteArray& line) {
        QByteArray copy = good;
        copy.replace(line + "\r\n", "");
        return copy;
    };
    const auto replaced = [&](const QByteArray& line, const QByteArray& with) {
        QByteArray copy = good;
        copy.replace(line, with);
        return copy;
    };
    const QString token = kToken;

    QTest::newRow("missing accept")
        << without("Sec-WebSocket-Accept: " + kSampleAccept) << token << 101;
    QTest::newRow("accept of another key")
        << acceptingResponse(WebSocketUpgradeResponseParser::acceptFor("AAAAAAAAAAAAAAAAAAAAAA=="))
        << token << 101;
    QTest::newRow("accept in other case")
        << acceptingResponse(kSampleAccept.toLower()) << token << 101;
    QTest::newRow("accept twice") << replaced("\r\n\r\n", "\r\nSec-WebSocket-Accept: " +
                                                              kSampleAccept + "\r\n\r\n")
                                  << token << 101;
    QTest::newRow("missing Upgrade") << without("Upgrade: websocket") << token << 101;
    QTest::newRow("Upgrade: h2c") << replaced("Upgrade: websocket", "Upgrade: h2c") << token << 101;
    QTest::newRow("missing Connection") << without("Connection: Upgrade") << token << 101;
    QTest::newRow("Connection: keep-alive")
        << replaced("Connection: Upgrade", "Connection: keep-alive") << token << 101;
    QTest::newRow("Connection: upgraded")
        << replaced("Connection: Upgrade", "Connection: upgraded") << token << 101;
    QTest::newRow("empty subprotocol")
        << acceptingResponse(kSampleAccept, {})
               .replace("\r\n\r\n", "\r\nSec-WebSocket-Protocol:\r\n\r\n")
        << token << 101;
    QTest::newRow("other subprotocol") << acceptingResponse(kSampleAccept, "other") << token << 101;
    QTest::newRow("subprotocol in other case")
        << acceptingResponse(kSampleAccept, kTokenBytes.toUpper()) << token << 101;
    QTest::newRow("subprotocol list")
        << acceptingResponse(kSampleAccept, kTokenBytes + ", chat") << token << 101;
    QTest::newRow("subprotocol not requested") << good << QString() << 101;
    QTest::newRow("extension") << replaced("\r\n\r\n",
                                           "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n"
                                           "\r\n")
                               << token << 101;
    QTest::newRow("HTTP/1.0") << replaced("HTTP/1.1", "HTTP/1.0") << token << 101;
    QTest::newRow("space before colon")
        << replaced("Upgrade: websocket", "Upgrade : websocket") << token << 101;
    QTest::newRow("folded header")
        << replaced("Connection: Upgrade", "Connection:\r\n Upgrade") << token << 101;
    QTest::newRow("line without colon")
        << replaced("\r\n\r\n", "\r\nnonsense\r\n\r\n") << token << 101;
    QTest::newRow("not HTTP") << QByteArray("SSH-2.0-OpenSSH_9.6\r\n\r\n") << token << 0;
    QTest::newRow("status not a number")
        << QByteArray("HTTP/1.1 1O1 Switching\r\n\r\n") << token << 0;
    QTest::newRow("status too long") << QByteArray("HTTP/1.1 1010 Switching\r\n\r\n") << token << 0;
    QTest::newRow("empty first line") << QByteArray("\r\n") + good << token << 0;
}

void TestWebSocketHandshake::rejectsBadSwitch()
{
    QFETCH(QByteArray, response);
    QFETCH(QString, subprotocol);
    QFETCH(int, status);

    const Result result = parseResponse(response, subprotocol);
    QCOMPARE(result.status, Status::Rejected);
    QCOMPARE(result.httpStatus, status);
    QVERIFY(!result.reason.isEmpty());
    QVERIFY(result.remaining.isEmpty());
}

void TestWebSocketHandshake::rejectsHeadOverTheSizeLimit()
{
    const QByteArray base = acceptingResponse();
    const qsizetype padding = WebSocketUpgradeResponseParser::kMaxHeadBytes - base.size();
    const QByteArray response =
        base.chopped(2) + "X-Pad: " + QByteArray(padding - 8, 'p') + "\r\n\r\n";
    QCOMPARE(response.size(), WebSocketUpgradeResponseParser::kMaxHeadBytes + 1);
    QCOMPARE(parseResponse(response).status, Status::Rejected);

    // A server that never ends its head is cut off once the limit is passed.
    WebSocketUpgradeResponseParser parser(kSampleKey, kToken);
    QCOMPARE(parser.append("HTTP/1.1 101 Switching Protocols\r\nX-Endless: ").status,
             Status::NeedMore);
    Result result;
    for (int i = 0; i < 100 && result.status == Status::NeedMore; ++i)
        result = parser.append(QByteArray(1000, 'x'));
    QCOMPARE(result.status, Status::Rejected);
    QCOMPARE(result.httpStatus, 0);
    QVERIFY(result.reason.contains(
        QStringLiteral("%1 KiB").arg(WebSocketUpgradeResponseParser::kMaxHeadBytes / 1024)));
}

void TestWebSocketHandshake::repeatsVerdictOnLaterAppends()
{
    WebSocketUpgradeResponseParser accepted(kSampleKey, kToken);
    QCOMPARE(accepted.append(acceptingResponse() + "frames").remaining, QByteArray("frames"));
    const Result again = accepted.append("more");
    QCOMPARE(again.status, Status::Accepted);
    QVERIFY(again.remaining.isEmpty());

    WebSocketUpgradeResponseParser rejected(kSampleKey, kToken);
    QCOMPARE(rejected.append("HTTP/1.1 401 Unauthorized\r\n\r\n").status, Status::Rejected);
    const Result still = rejected.append(acceptingResponse());
    QCOMPARE(still.status, Status::Rejected);
    QCOMPARE(still.httpStatus, 401);
}

void TestWebSocketHandshake::neverQuotesTheToken_data()
{
    QTest::addColumn<QByteArray>("response");

    // Servers that repeat the token wherever they can; none of it may reach the reason.
    QTest::newRow("reason phrase") << "HTTP/1.1 403 " + kTokenBytes + "\r\n\r\n";
    QTest::newRow("401 with token body")
        << "HTTP/1.1 401 " + kTokenBytes + "\r\n\r\n" + kTokenBytes;
    QTest::newRow("token as upgrade") << "HTTP/1.1 101 OK\r\nUpgrade: " + kTokenBytes + "\r\n\r\n";
    QTest::newRow("token altered") << acceptingResponse(kSampleAccept, kTokenBytes + "x");
    QTest::newRow("token twice") << acceptingResponse(kSampleAccept,
                                                      kTokenBytes + ", " + kTokenBytes);
    QTest::newRow("token as accept") << acceptingResponse(kTokenBytes);
    QTest::newRow("token as extension") << acceptingResponse().replace(
        "\r\n\r\n", "\r\nSec-WebSocket-Extensions: " + kTokenBytes + "\r\n\r\n");
    QTest::newRow("token as header name")
        << acceptingResponse().replace("\r\n\r\n", "\r\n" + kTokenBytes + " : x\r\n\r\n");
    QTest::newRow("token as status line") << kTokenBytes + "\r\n\r\n";
}

void TestWebSocketHandshake::neverQuotesTheToken()
{
    QFETCH(QByteArray, response);
    const Result result = parseResponse(response);
    QCOMPARE(result.status, Status::Rejected);
    QVERIFY(!result.reason.isEmpty());
    QVERIFY2(!result.reason.contains(kToken), qPrintable(result.reason));
    QVERIFY(!result.reason.contains(QStringLiteral("s3cr3t")));
}

QTEST_APPLESS_MAIN(TestWebSocketHandshake)
#include "tst_websockethandshake.moc"
