// What the worker makes of a request head: the WebSocket handshake checks of RFC 6455 section
// 4.2.1 and the token, the DoH endpoint, and the reference worker's answers to anything else.
#include "RequestRouter.h"
#include "TestValues.h"
#include "ech/DnsMessage.h"
#include "tls/TlsCredentials.h"
#include "ws/WebSocketHandshake.h"

#include <QTest>

using namespace echw;
using echw::test::errorOf;
using namespace echw::server;

namespace {

const QByteArray kKey = QByteArrayLiteral("dGhlIHNhbXBsZSBub25jZQ==");

HttpRequestHead parseHead(const QByteArray& bytes)
{
    HttpRequestHeadParser parser;
    auto result = parser.append(bytes);
    if (result.status != HttpRequestHeadParser::Result::Status::Complete)
        qFatal("test request does not parse: %s", qPrintable(result.reason));
    return result.head;
}

QByteArray upgradeRequest(const QByteArray& extraFields, const QByteArray& key = kKey)
{
    QByteArray request = "GET /any/path HTTP/1.1\r\nHost: worker.test\r\nUpgrade: websocket\r\n"
                         "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Version: 13\r\n";
    if (!key.isEmpty())
        request += "Sec-WebSocket-Key: " + key + "\r\n";
    return request + extraFields + "\r\n";
}

int statusOf(const Route& route)
{
    if (std::holds_alternative<WebSocketUpgrade>(route))
        return 101;
    if (auto* response = std::get_if<HttpResponse>(&route))
        return response->status;
    return 0;
}

std::optional<QByteArray> fieldOf(const HttpResponse& response, QByteArrayView name)
{
    for (const HttpField& field : response.fields) {
        if (QByteArrayView(field.name).compare(name, Qt::CaseInsensitive) == 0)
            return field.value;
    }
    return std::nullopt;
}

} // namespace

class TestRequestRouter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void checksTheOpeningHandshake_data();
    void checksTheOpeningHandshake();
    void answers101WithAcceptAndEchoedToken();
    void selectsNoSubprotocolWithoutToken();
    void answers101WithoutSubprotocolWhenNoneOffered();
    void refusesUnsupportedVersionWith426NamingVersion13();
    void answersRootAndRefusesOtherPaths();
    void decodesDohGetAndPost();
    void refusesBadDohRequests_data();
    void refusesBadDohRequests();
    void leavesDnsQueryPathAloneWithoutDoh();
    void answersDnsQueryWithTheEchConfig();
    void serializesResponsesWithLengthAndClose();
};

void TestRequestRouter::checksTheOpeningHandshake_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<int>("status");

    QTest::newRow("valid") << upgradeRequest({}) << QByteArray() << 101;
    QTest::newRow("upgrade token case-insensitive")
        << upgradeRequest({}).replace("Upgrade: websocket", "Upgrade: WebSocket") << QByteArray()
        << 101;
    QTest::newRow("POST") << upgradeRequest({}).replace("GET ", "POST ") << QByteArray() << 400;
    QTest::newRow("HTTP/1.0") << upgradeRequest({}).replace("HTTP/1.1", "HTTP/1.0") << QByteArray()
                              << 400;
    QTest::newRow("no connection upgrade")
        << upgradeRequest({}).replace("keep-alive, Upgrade", "keep-alive") << QByteArray() << 400;
    QTest::newRow("missing key") << upgradeRequest({}, QByteArray()) << QByteArray() << 400;
    QTest::newRow("short key") << upgradeRequest({}, "c2hvcnQ=") << QByteArray() << 400;
    QTest::newRow("key not base64")
        << upgradeRequest({}, "!!!!!!!!!!!!!!!!!!!!!!==") << QByteArray() << 400;
    QTest::newRow("two keys") << upgradeRequest("Sec-WebSocket-Key: " + kKey + "\r\n")
                              << QByteArray() << 400;
    QTest::newRow("token matches")
        << upgradeRequest("Sec-WebSocket-Protocol: secret\r\n") << QByteArray("secret") << 101;
    QTest::newRow("token among offers")
        << upgradeRequest("Sec-WebSocket-Protocol: chat, secret\r\n") << QByteArray("secret")
        << 101;
    QTest::newRow("token in second field")
        << upgradeRequest("Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: secret\r\n")
        << QByteArray("secret") << 101;
    QTest::newRow("token mismatch")
        << upgradeRequest("Sec-WebSocket-Protocol: secreT\r\n") << QByteArray("secret") << 401;
    QTest::newRow("token prefix") << upgradeRequest("Sec-WebSocket-Protocol: secre\r\n")
                                  << QByteArray("secret") << 401;
    QTest::newRow("token missing") << upgradeRequest({}) << QByteArray("secret") << 401;
}

void TestRequestRouter::checksTheOpeningHandshake()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, token);
    QFETCH(int, status);
    const Route route = routeRequest(parseHead(request), RouterConfig{token, false});
    QCOMPARE(statusOf(route), status);
    if (auto* response = std::get_if<HttpResponse>(&route))
        QVERIFY(!response->body.contains("secret"));
}

void TestRequestRouter::answers101WithAcceptAndEchoedToken()
{
    const Route route =
        routeRequest(parseHead(upgradeRequest("Sec-WebSocket-Protocol: chat, secret\r\n")),
                     RouterConfig{"secret", false});
    const auto* upgrade = std::get_if<WebSocketUpgrade>(&route);
    QVERIFY(upgrade);
    // The client's own parser is the judge of the response.
    WebSocketUpgradeResponseParser client(kKey, QStringLiteral("secret"));
    const auto verdict = client.append(upgrade->response);
    QCOMPARE(verdict.status, WebSocketUpgradeResponseParser::Result::Status::Accepted);
    // RFC 6455 section 1.3's example key and accept value.
    QVERIFY(upgrade->response.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
}

// As the deployed worker without a token: the offer is not echoed, and the client's parser
// accepts that as a token nobody checks.
void TestRequestRouter::selectsNoSubprotocolWithoutToken()
{
    const Route route = routeRequest(
        parseHead(upgradeRequest("Sec-WebSocket-Protocol: anything, else\r\n")), RouterConfig{});
    const auto* upgrade = std::get_if<WebSocketUpgrade>(&route);
    QVERIFY(upgrade);
    QVERIFY(!upgrade->response.contains("Sec-WebSocket-Protocol"));
    WebSocketUpgradeResponseParser client(kKey, QStringLiteral("anything"));
    const auto verdict = client.append(upgrade->response);
    QCOMPARE(verdict.status, WebSocketUpgradeResponseParser::Result::Status::Accepted);
    QVERIFY(verdict.tokenUnchecked);
}

void TestRequestRouter::answers101WithoutSubprotocolWhenNoneOffered()
{
    const Route route = routeRequest(parseHead(upgradeRequest({})), RouterConfig{});
    const auto* upgrade = std::get_if<WebSocketUpgrade>(&route);
    QVERIFY(upgrade);
    QVERIFY(!upgrade->response.contains("Sec-WebSocket-Protocol"));
    WebSocketUpgradeResponseParser client(kKey, QString());
    QCOMPARE(client.append(upgrade->response).status,
             WebSocketUpgradeResponseParser::Result::Status::Accepted);
}

void TestRequestRouter::refusesUnsupportedVersionWith426NamingVersion13()
{
    const QByteArray request =
        upgradeRequest({}).replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8");
    const Route route = routeRequest(parseHead(request), RouterConfig{});
    const auto* response = std::get_if<HttpResponse>(&route);
    QVERIFY(response);
    QCOMPARE(response->status, 426);
    QCOMPARE(fieldOf(*response, "Sec-WebSocket-Version"), std::optional<QByteArray>("13"));
}

void TestRequestRouter::answersRootAndRefusesOtherPaths()
{
    Route route = routeRequest(parseHead("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), RouterConfig{});
    auto* response = std::get_if<HttpResponse>(&route);
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->body, QByteArray("WebSocket Proxy Server"));

    route = routeRequest(parseHead("GET /x HTTP/1.1\r\nHost: a\r\n\r\n"), RouterConfig{});
    response = std::get_if<HttpResponse>(&route);
    QVERIFY(response);
    QCOMPARE(response->status, 426);
    QCOMPARE(fieldOf(*response, "Upgrade"), std::optional<QByteArray>("websocket"));
}

void TestRequestRouter::decodesDohGetAndPost()
{
    const QByteArray query = buildDnsQuery(u"public.test", DnsType::Https);
    const QByteArray encoded =
        query.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    Route route =
        routeRequest(parseHead("GET /dns-query?ct&dns=" + encoded + " HTTP/1.1\r\nHost: a\r\n\r\n"),
                     RouterConfig{{}, true});
    const auto* get = std::get_if<DnsQuery>(&route);
    QVERIFY(get);
    QCOMPARE(get->query, query);

    route = routeRequest(parseHead("POST /dns-query HTTP/1.1\r\nHost: a\r\nContent-Type: "
                                   "application/dns-message\r\nContent-Length: 33\r\n\r\n"),
                         RouterConfig{{}, true});
    const auto* post = std::get_if<DnsQueryBody>(&route);
    QVERIFY(post);
    QCOMPARE(post->length, 33);
}

void TestRequestRouter::refusesBadDohRequests_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::newRow("no parameter") << QByteArray("GET /dns-query HTTP/1.1\r\nHost: a\r\n\r\n")
                                  << 400;
    QTest::newRow("not base64url")
        << QByteArray("GET /dns-query?dns=%%% HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
    QTest::newRow("two parameters")
        << QByteArray("GET /dns-query?dns=AAAA&dns=AAAA HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
    QTest::newRow("wrong type") << QByteArray(
                                       "POST /dns-query HTTP/1.1\r\nHost: a\r\nContent-Type: "
                                       "text/plain\r\nContent-Length: 3\r\n\r\n")
                                << 415;
    QTest::newRow("no length") << QByteArray("POST /dns-query HTTP/1.1\r\nHost: a\r\nContent-Type: "
                                             "application/dns-message\r\n\r\n")
                               << 411;
    QTest::newRow("chunked") << QByteArray("POST /dns-query HTTP/1.1\r\nHost: a\r\nContent-Type: "
                                           "application/dns-message\r\nTransfer-Encoding: "
                                           "chunked\r\n\r\n")
                             << 411;
    QTest::newRow("too long") << QByteArray(
                                     "POST /dns-query HTTP/1.1\r\nHost: a\r\nContent-Type: "
                                     "application/dns-message\r\nContent-Length: 4097\r\n\r\n")
                              << 413;
    QTest::newRow("PUT") << QByteArray("PUT /dns-query HTTP/1.1\r\nHost: a\r\n\r\n") << 405;
}

void TestRequestRouter::refusesBadDohRequests()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QCOMPARE(statusOf(routeRequest(parseHead(request), RouterConfig{{}, true})), status);
}

void TestRequestRouter::leavesDnsQueryPathAloneWithoutDoh()
{
    const Route route = routeRequest(
        parseHead("GET /dns-query?dns=AAAA HTTP/1.1\r\nHost: a\r\n\r\n"), RouterConfig{});
    QCOMPARE(statusOf(route), 426);
}

void TestRequestRouter::answersDnsQueryWithTheEchConfig()
{
    const auto pem = generateEchPem(QStringLiteral("public.test"));
    QVERIFY(std::holds_alternative<QByteArray>(pem));
    const QByteArray configs = echConfigListFromPem(std::get<QByteArray>(pem));

    const HttpResponse response = answerDnsQuery(buildDnsQuery(u"public.test", DnsType::Https),
                                                 QStringLiteral("public.test"), configs);
    QCOMPARE(response.status, 200);
    QCOMPARE(fieldOf(response, "Content-Type"),
             std::optional<QByteArray>("application/dns-message"));
    QCOMPARE(fieldOf(response, "Cache-Control"), std::optional<QByteArray>("max-age=300"));
    const auto found = extractEchConfig(response.body, u"public.test");
    QVERIFY2(std::holds_alternative<EchLookupResult>(found), qPrintable(errorOf(found)));
    QCOMPARE(std::get<EchLookupResult>(found).echConfigList, configs);

    QCOMPARE(answerDnsQuery("not a dns message", QStringLiteral("public.test"), configs).status,
             400);
}

void TestRequestRouter::serializesResponsesWithLengthAndClose()
{
    HttpResponse response = HttpResponse::text(200, "hello");
    QCOMPARE(response.serialize(), QByteArray("HTTP/1.1 200 OK\r\n"
                                              "Content-Type: text/plain; charset=utf-8\r\n"
                                              "Connection: close\r\nContent-Length: 5\r\n\r\n"
                                              "hello"));
    QVERIFY(response.serialize(true).endsWith("Content-Length: 5\r\n\r\n"));
}

QTEST_GUILESS_MAIN(TestRequestRouter)
#include "tst_requestrouter.moc"
