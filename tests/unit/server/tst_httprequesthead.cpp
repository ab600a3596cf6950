// The worker's request head parser: what it accepts, what it refuses and with which status,
// however the bytes are split.
#include "HttpRequestHead.h"
#include "http/HttpSyntax.h"

#include <QTest>

using namespace echw::server;
using Status = HttpRequestHeadParser::Result::Status;

class TestHttpRequestHead : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesHeads_data();
    void parsesHeads();
    void keepsBytesAfterTheHead();
    void refusesOversizedHeads();
    void refusesTooManyFields();
    void acceptsExactlyOneHundredFields();
    void splitsTargetsIntoPathAndQuery_data();
    void splitsTargetsIntoPathAndQuery();
    void joinsRepeatedFieldsAndFindsTokens();
};

void TestHttpRequestHead::parsesHeads_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("status");     // Status as int
    QTest::addColumn<int>("httpStatus"); // when Invalid
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("fields");

    const int complete = int(Status::Complete);
    const int needMore = int(Status::NeedMore);
    const int invalid = int(Status::Invalid);

    QTest::newRow("upgrade") << QByteArray("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
                                           "Connection: Upgrade\r\n\r\n")
                             << complete << 0 << QByteArray("GET") << QByteArray("/ws") << 3;
    QTest::newRow("http/1.0 without host") << QByteArray("GET / HTTP/1.0\r\n\r\n") << complete << 0
                                           << QByteArray("GET") << QByteArray("/") << 0;
    QTest::newRow("whitespace around values")
        << QByteArray("POST /dns-query HTTP/1.1\r\nHost:a\r\nContent-Length: \t5 \r\n\r\n")
        << complete << 0 << QByteArray("POST") << QByteArray("/dns-query") << 2;
    QTest::newRow("repeated equal content-length")
        << QByteArray(
               "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n")
        << complete << 0 << QByteArray("POST") << QByteArray("/") << 3;
    QTest::newRow("obs-text in a value")
        << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n") << complete << 0
        << QByteArray("GET") << QByteArray("/") << 2;
    QTest::newRow("http/1.2 is 1.x") << QByteArray("GET / HTTP/1.2\r\nHost: a\r\n\r\n") << complete
                                     << 0 << QByteArray("GET") << QByteArray("/") << 1;

    QTest::newRow("empty") << QByteArray() << needMore << 0 << QByteArray() << QByteArray() << 0;
    QTest::newRow("truncated line") << QByteArray("GET / HTTP/1.1\r\nHost: a\r") << needMore << 0
                                    << QByteArray() << QByteArray() << 0;
    QTest::newRow("truncated before blank line")
        << QByteArray("GET / HTTP/1.1\r\nHost: a\r\n") << needMore << 0 << QByteArray()
        << QByteArray() << 0;

    QTest::newRow("bare LF") << QByteArray("GET / HTTP/1.1\nHost: a\n\n") << invalid << 400
                             << QByteArray() << QByteArray() << 0;
    QTest::newRow("bare CR in value") << QByteArray("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n")
                                      << invalid << 400 << QByteArray() << QByteArray() << 0;
    QTest::newRow("NUL in value") << QByteArrayLiteral("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n")
                                  << invalid << 400 << QByteArray() << QByteArray() << 0;
    // RFC 9112 section 2.2: empty lines before the request line are ignored (core/http).
    QTest::newRow("empty line before the request line")
        << QByteArray("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n") << complete << 0 << QByteArray("GET")
        << QByteArray("/") << 1;
    QTest::newRow("double space") << QByteArray("GET  / HTTP/1.1\r\nHost: a\r\n\r\n") << invalid
                                  << 400 << QByteArray() << QByteArray() << 0;
    QTest::newRow("two parts") << QByteArray("GET HTTP/1.1\r\nHost: a\r\n\r\n") << invalid << 400
                               << QByteArray() << QByteArray() << 0;
    QTest::newRow("bad method") << QByteArray("G(T / HTTP/1.1\r\nHost: a\r\n\r\n") << invalid << 400
                                << QByteArray() << QByteArray() << 0;
    QTest::newRow("bad version") << QByteArray("GET / HTTP/11\r\nHost: a\r\n\r\n") << invalid << 400
                                 << QByteArray() << QByteArray() << 0;
    QTest::newRow("http/2") << QByteArray("GET / HTTP/2.0\r\nHost: a\r\n\r\n") << invalid << 505
                            << QByteArray() << QByteArray() << 0;
    QTest::newRow("missing host") << QByteArray("GET / HTTP/1.1\r\nX: y\r\n\r\n") << invalid << 400
                                  << QByteArray() << QByteArray() << 0;
    QTest::newRow("two hosts") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
                               << invalid << 400 << QByteArray() << QByteArray() << 0;
    QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n z\r\n\r\n")
                              << invalid << 400 << QByteArray() << QByteArray() << 0;
    QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : a\r\n\r\n")
                                        << invalid << 400 << QByteArray() << QByteArray() << 0;
    QTest::newRow("no colon") << QByteArray("GET / HTTP/1.1\r\nHost a\r\n\r\n") << invalid << 400
                              << QByteArray() << QByteArray() << 0;
    QTest::newRow("conflicting content-length")
        << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n") << invalid
        << 400 << QByteArray() << QByteArray() << 0;
    QTest::newRow("negative content-length")
        << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n") << invalid << 400
        << QByteArray() << QByteArray() << 0;
    QTest::newRow("content-length with transfer-encoding")
        << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n")
        << invalid << 400 << QByteArray() << QByteArray() << 0;
}

void TestHttpRequestHead::parsesHeads()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, status);
    QFETCH(int, httpStatus);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(int, fields);

    // Whole, and one byte at a time: the verdict must not depend on how the bytes arrive.
    for (const bool byByte : {false, true}) {
        HttpRequestHeadParser parser;
        HttpRequestHeadParser::Result result;
        if (byByte) {
            for (qsizetype i = 0; i < bytes.size() && result.status == Status::NeedMore; ++i)
                result = parser.append(bytes.sliced(i, 1));
        } else {
            result = parser.append(bytes);
        }
        QCOMPARE(int(result.status), status);
        if (result.status == Status::Invalid) {
            QCOMPARE(result.httpStatus, httpStatus);
            QVERIFY(!result.reason.isEmpty());
        }
        if (result.status == Status::Complete) {
            QCOMPARE(result.head.method, method);
            QCOMPARE(result.head.target, target);
            QCOMPARE(result.head.fields.size(), fields);
            QVERIFY(result.remaining.isEmpty());
        }
    }
}

void TestHttpRequestHead::keepsBytesAfterTheHead()
{
    HttpRequestHeadParser parser;
    auto result =
        parser.append("POST /dns-query HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nab");
    QCOMPARE(result.status, Status::Complete);
    QCOMPARE(result.remaining, QByteArray("ab"));
    QCOMPARE(result.head.contentLength(), std::optional<qint64>(3));
    QCOMPARE(result.head.field("content-length"), std::optional<QByteArray>("3"));
    // Later input does not change the verdict or repeat the bytes.
    result = parser.append("c");
    QCOMPARE(result.status, Status::Complete);
    QVERIFY(result.remaining.isEmpty());
}

void TestHttpRequestHead::refusesOversizedHeads()
{
    {
        HttpRequestHeadParser parser;
        const QByteArray line = "GET /" + QByteArray(HttpRequestHeadParser::kMaxHeadBytes, 'a');
        const auto result = parser.append(line);
        QCOMPARE(result.status, Status::Invalid);
        QCOMPARE(result.httpStatus, 414);
    }
    {
        HttpRequestHeadParser parser;
        QByteArray head = "GET / HTTP/1.1\r\nHost: a\r\n";
        while (head.size() < HttpRequestHeadParser::kMaxHeadBytes)
            head += "X-Filler: " + QByteArray(100, 'x') + "\r\n";
        head += "\r\n";
        HttpRequestHeadParser::Result result;
        for (qsizetype i = 0; i < head.size() && result.status == Status::NeedMore; i += 1000)
            result = parser.append(
                QByteArrayView(head).sliced(i, std::min<qsizetype>(1000, head.size() - i)));
        QCOMPARE(result.status, Status::Invalid);
        QCOMPARE(result.httpStatus, 431);
    }
}

void TestHttpRequestHead::refusesTooManyFields()
{
    QByteArray head = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < HttpRequestHeadParser::kMaxFields; ++i)
        head += "X: y\r\n";
    head += "\r\n";
    HttpRequestHeadParser parser;
    const auto result = parser.append(head);
    QCOMPARE(result.status, Status::Invalid);
    QCOMPARE(result.httpStatus, 431);
}

void TestHttpRequestHead::acceptsExactlyOneHundredFields()
{
    QByteArray head = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int i = 1; i < HttpRequestHeadParser::kMaxFields; ++i)
        head += "X: y\r\n";
    head += "\r\n";
    HttpRequestHeadParser parser;
    const auto result = parser.append(head);
    QCOMPARE(result.status, Status::Complete);
    QCOMPARE(result.head.fields.size(), HttpRequestHeadParser::kMaxFields);
}

void TestHttpRequestHead::splitsTargetsIntoPathAndQuery_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("query");
    QTest::newRow("origin") << QByteArray("/dns-query?dns=AAAB") << QByteArray("/dns-query")
                            << QByteArray("dns=AAAB");
    QTest::newRow("root") << QByteArray("/") << QByteArray("/") << QByteArray();
    QTest::newRow("absolute") << QByteArray("https://example.com/a/b?x=1") << QByteArray("/a/b")
                              << QByteArray("x=1");
    QTest::newRow("absolute without path")
        << QByteArray("http://example.com") << QByteArray("/") << QByteArray();
    QTest::newRow("asterisk") << QByteArray("*") << QByteArray("*") << QByteArray();
    QTest::newRow("authority") << QByteArray("example.com:443") << QByteArray() << QByteArray();
}

void TestHttpRequestHead::splitsTargetsIntoPathAndQuery()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, query);
    HttpRequestHead head;
    head.target = target;
    QCOMPARE(head.path(), path);
    QCOMPARE(head.query(), query);
}

void TestHttpRequestHead::joinsRepeatedFieldsAndFindsTokens()
{
    HttpRequestHeadParser parser;
    const auto result =
        parser.append("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n"
                      "connection: Upgrade\r\nSec-WebSocket-Protocol: a, ,b\r\n\r\n");
    QCOMPARE(result.status, Status::Complete);
    const HttpRequestHead& head = result.head;
    QCOMPARE(head.field("Connection"), std::optional<QByteArray>("keep-alive, Upgrade"));
    QVERIFY(head.fieldHasToken("CONNECTION", "upgrade"));
    QVERIFY(!head.fieldHasToken("Connection", "close"));
    QVERIFY(!head.fieldHasToken("Upgrade", "websocket"));
    QCOMPARE(head.fieldCount("connection"), 2);
    const QByteArray protocols = head.field("Sec-WebSocket-Protocol").value_or(QByteArray());
    const auto elements = echw::http::splitList(protocols);
    QCOMPARE(elements.size(), 2);
    QCOMPARE(elements.at(0), "a");
    QCOMPARE(elements.at(1), "b");
    QCOMPARE(head.field("Missing"), std::nullopt);
}

QTEST_GUILESS_MAIN(TestHttpRequestHead)
#include "tst_httprequesthead.moc"
