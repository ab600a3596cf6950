// The same hostile inputs through every reader of HTTP/1.1 heads and bodies in the project:
// the proxy's request parser, the worker server's request head, the metrics endpoint, the
// response reader (DoH over the tunnel) and the WebSocket client's upgrade check. They share
// core/http, so each must give the verdict the row expects; a reader that accepted what
// another refuses would be a way to smuggle a message past one of them.

#include "HttpRequestHead.h"
#include "http/HttpResponseReader.h"
#include "inbound/HttpProxyParser.h"
#include "metrics/MetricsServer.h"
#include "ws/WebSocketHandshake.h"

#include <QTest>

using namespace echw;

namespace {

enum class Verdict { Accepted, Rejected, Incomplete };

const char* nameOf(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Accepted:
        return "accepted";
    case Verdict::Rejected:
        return "rejected";
    case Verdict::Incomplete:
        return "incomplete";
    }
    return "?";
}

QByteArray request(QByteArrayView target, QByteArrayView fields, QByteArrayView body = {})
{
    return "POST " + target.toByteArray() + " HTTP/1.1\r\nHost: example.com\r\n" +
           fields.toByteArray() + "\r\n" + body.toByteArray();
}

Verdict proxyVerdict(QByteArrayView fields, QByteArrayView body)
{
    HttpProxyParser parser;
    parser.append(request("http://example.com/", fields, body));
    while (auto event = parser.next()) {
        if (event->type == HttpProxyParser::Event::Type::Error)
            return Verdict::Rejected;
        if (event->type == HttpProxyParser::Event::Type::MessageEnd)
            return Verdict::Accepted;
    }
    return Verdict::Incomplete;
}

Verdict serverVerdict(QByteArrayView fields)
{
    server::HttpRequestHeadParser parser;
    switch (parser.append(request("/dns-query", fields)).status) {
    case server::HttpRequestHeadParser::Result::Status::Complete:
        return Verdict::Accepted;
    case server::HttpRequestHeadParser::Result::Status::Invalid:
        return Verdict::Rejected;
    case server::HttpRequestHeadParser::Result::Status::NeedMore:
        break;
    }
    return Verdict::Incomplete;
}

Verdict metricsVerdict(QByteArrayView fields)
{
    const QByteArray answer =
        MetricsServer::respond(request("/metrics", fields), [] { return QByteArray(); });
    // 405 (POST is not served there) means the head itself was fine.
    const QByteArray status = answer.mid(9, 3);
    return status == "405" ? Verdict::Accepted : Verdict::Rejected;
}

Verdict readerVerdict(QByteArrayView fields, QByteArrayView body)
{
    HttpResponseReader reader;
    switch (
        reader.append("HTTP/1.1 200 OK\r\n" + fields.toByteArray() + "\r\n" + body.toByteArray())) {
    case HttpResponseReader::Status::Complete:
        return Verdict::Accepted;
    case HttpResponseReader::Status::Failed:
        return Verdict::Rejected;
    case HttpResponseReader::Status::NeedMore:
        break;
    }
    return Verdict::Incomplete;
}

Verdict upgradeVerdict(QByteArrayView fields)
{
    const QByteArray key = QByteArrayLiteral("dGhlIHNhbXBsZSBub25jZQ==");
    WebSocketUpgradeResponseParser parser(key, QString());
    const QByteArray head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                            "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                            WebSocketUpgradeResponseParser::acceptFor(key) + "\r\n" +
                            fields.toByteArray() + "\r\n";
    switch (parser.append(head).status) {
    case WebSocketUpgradeResponseParser::Result::Status::Accepted:
        return Verdict::Accepted;
    case WebSocketUpgradeResponseParser::Result::Status::Rejected:
        return Verdict::Rejected;
    case WebSocketUpgradeResponseParser::Result::Status::NeedMore:
        break;
    }
    return Verdict::Incomplete;
}

QByteArray repeatedFields(int count)
{
    QByteArray fields;
    for (int i = 0; i < count; ++i)
        fields += "X-N" + QByteArray::number(i) + ": v\r\n";
    return fields;
}

} // namespace

Q_DECLARE_METATYPE(Verdict)

class TestHostileFraming : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyReaderGivesTheSameVerdict_data();
    void everyReaderGivesTheSameVerdict();
};

void TestHostileFraming::everyReaderGivesTheSameVerdict_data()
{
    QTest::addColumn<QByteArray>("fields");
    QTest::addColumn<QByteArray>("body");
    // The head alone (what the server, the metrics endpoint and the upgrade check read), and
    // the whole message (what the proxy and the response reader read).
    QTest::addColumn<Verdict>("head");
    QTest::addColumn<Verdict>("message");
    // Whether the row means the same for a response; "chunked, identity" does not (a response
    // whose final coding is not chunked is read to the close, RFC 9112 section 6.3 rule 4).
    QTest::addColumn<bool>("responseShaped");

    const auto A = Verdict::Accepted;
    const auto R = Verdict::Rejected;
    const auto I = Verdict::Incomplete;
    const QByteArray chunked = "Transfer-Encoding: chunked\r\n";
    const QByteArray chunkedBody = "5\r\nhello\r\n0\r\n\r\n";

    QTest::newRow("plain Content-Length")
        << QByteArray("Content-Length: 5\r\n") << QByteArray("hello") << A << A << true;
    QTest::newRow("plain chunked") << chunked << chunkedBody << A << A << true;
    QTest::newRow("CL then TE") << "Content-Length: 5\r\n" + chunked << chunkedBody << R << R
                                << true;
    QTest::newRow("TE then CL") << chunked + "Content-Length: 5\r\n"
                                << chunkedBody << R << R << true;
    QTest::newRow("duplicate identical CL")
        << QByteArray("Content-Length: 5\r\nContent-Length: 5\r\n") << QByteArray("hello") << A << A
        << true;
    QTest::newRow("duplicate conflicting CL")
        << QByteArray("Content-Length: 5\r\nContent-Length: 6\r\n") << QByteArray("hello") << R << R
        << true;
    QTest::newRow("CL list of identical values")
        << QByteArray("Content-Length: 5, 5\r\n") << QByteArray("hello") << A << A << true;
    QTest::newRow("CL list of different values")
        << QByteArray("Content-Length: 5, 6\r\n") << QByteArray("hello") << R << R << true;
    QTest::newRow("CL with plus sign")
        << QByteArray("Content-Length: +5\r\n") << QByteArray("hello") << R << R << true;
    QTest::newRow("CL in hex") << QByteArray("Content-Length: 0x5\r\n") << QByteArray("hello") << R
                               << R << true;
    QTest::newRow("CL negative") << QByteArray("Content-Length: -1\r\n") << QByteArray() << R << R
                                 << true;
    QTest::newRow("CL overflow") << QByteArray("Content-Length: 99999999999999999999\r\n")
                                 << QByteArray() << R << R << true;
    QTest::newRow("TE chunked, identity")
        << QByteArray("Transfer-Encoding: chunked, identity\r\n") << chunkedBody << R << R << false;
    QTest::newRow("TE chunked twice")
        << QByteArray("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n") << chunkedBody
        << R << R << true;
    QTest::newRow("TE with obs-fold")
        << QByteArray("Transfer-Encoding:\r\n chunked\r\n") << chunkedBody << R << R << true;
    QTest::newRow("TE with space before colon")
        << QByteArray("Transfer-Encoding : chunked\r\n") << chunkedBody << R << R << true;
    QTest::newRow("bare LF") << QByteArray("X-A: b\nContent-Length: 5\r\n") << QByteArray("hello")
                             << R << R << true;
    QTest::newRow("bare CR") << QByteArray("X-A: b\rContent-Length: 5\r\n") << QByteArray("hello")
                             << R << R << true;
    QTest::newRow("NUL in field") << QByteArrayLiteral("X-A: b\0c\r\nContent-Length: 5\r\n")
                                  << QByteArray("hello") << R << R << true;
    QTest::newRow("space before colon")
        << QByteArray("X-A : b\r\nContent-Length: 5\r\n") << QByteArray("hello") << R << R << true;
    QTest::newRow("over-long head") << "X-Pad: " + QByteArray(70000, 'p') + "\r\n"
                                    << QByteArray() << R << R << true;
    QTest::newRow("too many lines") << repeatedFields(101) << QByteArray() << R << R << true;
    QTest::newRow("many lines within the limit") << repeatedFields(90) + "Content-Length: 0\r\n"
                                                 << QByteArray() << A << A << true;
    QTest::newRow("chunk size overflow")
        << chunked << QByteArray("10000000000000000\r\nx\r\n0\r\n\r\n") << A << R << true;
    QTest::newRow("chunk size with plus")
        << chunked << QByteArray("+5\r\nhello\r\n0\r\n\r\n") << A << R << true;
    QTest::newRow("chunk size with 0x")
        << chunked << QByteArray("0x5\r\nhello\r\n0\r\n\r\n") << A << R << true;
    QTest::newRow("chunk extensions")
        << chunked << QByteArray("5;name=value;x\r\nhello\r\n0;last\r\n\r\n") << A << A << true;
    QTest::newRow("chunk size line with bare LF")
        << chunked << QByteArray("5\nhello\r\n0\r\n\r\n") << A << R << true;
    QTest::newRow("missing final CRLF")
        << chunked << QByteArray("5\r\nhello\r\n0\r\n") << A << I << true;
    QTest::newRow("trailer fields")
        << chunked << QByteArray("5\r\nhello\r\n0\r\nX-Checksum: 1\r\nX-B: 2\r\n\r\n") << A << A
        << true;
    QTest::newRow("trailer with obs-fold")
        << chunked << QByteArray("5\r\nhello\r\n0\r\nX-T: 1\r\n 2\r\n\r\n") << A << R << true;
    QTest::newRow("trailer with space before colon")
        << chunked << QByteArray("5\r\nhello\r\n0\r\nX-T : 1\r\n\r\n") << A << R << true;
}

void TestHostileFraming::everyReaderGivesTheSameVerdict()
{
    QFETCH(QByteArray, fields);
    QFETCH(QByteArray, body);
    QFETCH(Verdict, head);
    QFETCH(Verdict, message);
    QFETCH(bool, responseShaped);

    const auto check = [](const char* reader, Verdict actual, Verdict expected) {
        QVERIFY2(actual == expected,
                 qPrintable(QStringLiteral("%1: %2, expected %3")
                                .arg(QLatin1StringView(reader), QLatin1StringView(nameOf(actual)),
                                     QLatin1StringView(nameOf(expected)))));
    };
    check("proxy request parser", proxyVerdict(fields, body), message);
    check("server request head", serverVerdict(fields), head);
    check("metrics request", metricsVerdict(fields), head);
    if (!responseShaped)
        return;
    check("response reader", readerVerdict(fields, body), message);
    check("WebSocket upgrade response", upgradeVerdict(fields), head);
}

QTEST_GUILESS_MAIN(TestHostileFraming)
#include "tst_hostileframing.moc"
