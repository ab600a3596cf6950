#include "http/HttpResponseReader.h"

#include <QTest>

using echw::HttpResponse;
using echw::HttpResponseReader;
using Status = HttpResponseReader::Status;

namespace {

const HttpResponseReader::Limits kSmallLimits{256, 64};

struct Outcome {
    Status status = Status::NeedMore;
    HttpResponse response;
    QString error;
};

Outcome readAll(const QByteArray& input, bool close = false,
                HttpResponseReader::Limits limits = kSmallLimits)
{
    HttpResponseReader reader(limits);
    Status status = reader.append(input);
    if (close)
        status = reader.finishInput();
    return {status, reader.response(), reader.error()};
}

} // namespace

class TestHttpResponseReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsBodies_data();
    void readsBodies();
    void readsTheSameWhenFedByteByByte_data();
    void readsTheSameWhenFedByteByByte();
    void keepsFieldsAndJoinsRepeatedOnes();
    void waitsForMoreBytes();
    void ignoresBytesAfterTheResponse();
    void fails_data();
    void fails();
    void failsWhenTheServerClosesEarly_data();
    void failsWhenTheServerClosesEarly();
    void usesDnsSizedLimitsByDefault();
};

void TestHttpResponseReader::readsBodies_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("content-length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello") << 200
        << QByteArray("hello");
    QTest::newRow("content-length zero")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") << 200 << QByteArray();
    QTest::newRow("identical content-length values")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nab")
        << 200 << QByteArray("ab");
    QTest::newRow("chunked")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\nhello\r\n1;name=value\r\n \r\nA\r\n0123456789\r\n0\r\n\r\n")
        << 200 << QByteArray("hello 0123456789");
    QTest::newRow("chunked with trailers and upper-case coding")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
                      "3\r\nabc\r\n0\r\nX-Trailer: yes\r\nOther: 1\r\n\r\n")
        << 200 << QByteArray("abc");
    QTest::newRow("no reason phrase")
        << QByteArray("HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx") << 200 << QByteArray("x");
    QTest::newRow("http/1.0") << QByteArray("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx") << 200
                              << QByteArray("x");
    QTest::newRow("interim responses skipped")
        << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nend")
        << 200 << QByteArray("end");
    QTest::newRow("204 has no body despite content-length")
        << QByteArray("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n") << 204
        << QByteArray();
    QTest::newRow("304 has no body")
        << QByteArray("HTTP/1.1 304 Not Modified\r\n\r\n") << 304 << QByteArray();
    QTest::newRow("error status with a body")
        << QByteArray("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy") << 503
        << QByteArray("busy");
    QTest::newRow("body exactly at the limit")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n") + QByteArray(64, 'b') << 200
        << QByteArray(64, 'b');
}

void TestHttpResponseReader::readsBodies()
{
    QFETCH(QByteArray, input);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    const Outcome outcome = readAll(input);
    QVERIFY2(outcome.status == Status::Complete, qPrintable(outcome.error));
    QCOMPARE(outcome.response.status, status);
    QCOMPARE(outcome.response.body, body);
}

void TestHttpResponseReader::readsTheSameWhenFedByteByByte_data()
{
    readsBodies_data();
}

void TestHttpResponseReader::readsTheSameWhenFedByteByByte()
{
    QFETCH(QByteArray, input);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    HttpResponseReader reader(kSmallLimits);
    for (qsizetype i = 0; i < input.size(); ++i) {
        const Status now = reader.append(input.sliced(i, 1));
        QCOMPARE(now, i + 1 == input.size() ? Status::Complete : Status::NeedMore);
    }
    QCOMPARE(reader.response().status, status);
    QCOMPARE(reader.response().body, body);
}

void TestHttpResponseReader::keepsFieldsAndJoinsRepeatedOnes()
{
    const Outcome outcome = readAll("HTTP/1.1 200 Fine Thanks\r\nContent-Type: "
                                    "application/dns-message\r\nVia: a\r\nvia: b\r\n"
                                    "Content-Length: 0\r\n\r\n");
    QCOMPARE(outcome.status, Status::Complete);
    QCOMPARE(outcome.response.reason, QByteArray("Fine Thanks"));
    QCOMPARE(outcome.response.field("content-type"), QByteArray("application/dns-message"));
    QCOMPARE(outcome.response.field("VIA"), QByteArray("a, b"));
    QCOMPARE(outcome.response.field("Server"), std::nullopt);
    QCOMPARE(outcome.response.fields.size(), 4);
}

void TestHttpResponseReader::waitsForMoreBytes()
{
    HttpResponseReader reader(kSmallLimits);
    QCOMPARE(reader.append("HTTP/1.1 200 OK\r\nContent-Le"), Status::NeedMore);
    QCOMPARE(reader.append("ngth: 4\r\n\r\nab"), Status::NeedMore);
    QCOMPARE(reader.status(), Status::NeedMore);
    QCOMPARE(reader.append("cd"), Status::Complete);
    QCOMPARE(reader.response().body, QByteArray("abcd"));
}

void TestHttpResponseReader::ignoresBytesAfterTheResponse()
{
    HttpResponseReader reader(kSmallLimits);
    QCOMPARE(reader.append("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 500"),
             Status::Complete);
    QCOMPARE(reader.append("more"), Status::Complete);
    QCOMPARE(reader.finishInput(), Status::Complete);
    QCOMPARE(reader.response().body, QByteArray("x"));
}

void TestHttpResponseReader::fails_data()
{
    QTest::addColumn<QByteArray>("input");
    const QByteArray ok = "HTTP/1.1 200 OK\r\n";

    QTest::newRow("not http") << QByteArray("SSH-2.0-OpenSSH\r\n\r\n");
    // core/http takes CRLF only (see HttpHeadScanner.h for why).
    QTest::newRow("bare LF line ends") << QByteArray("HTTP/1.1 200 OK\nContent-Length: 2\n\nok");
    QTest::newRow("http/2 status line") << QByteArray("HTTP/2 200 OK\r\n\r\n");
    QTest::newRow("empty status line") << QByteArray("\r\n");
    QTest::newRow("two-digit status") << QByteArray("HTTP/1.1 20 OK\r\n\r\n");
    QTest::newRow("status without space") << QByteArray("HTTP/1.1 200OK\r\n\r\n");
    QTest::newRow("status below 100") << QByteArray("HTTP/1.1 099 Low\r\n\r\n");
    QTest::newRow("status above 599") << QByteArray("HTTP/1.1 600 High\r\n\r\n");
    QTest::newRow("control byte in reason") << QByteArray("HTTP/1.1 200 O\x01K\r\n\r\n");
    QTest::newRow("switching protocols") << QByteArray("HTTP/1.1 101 Switching\r\n\r\n");
    QTest::newRow("folded field") << ok + "A: b\r\n c\r\nContent-Length: 0\r\n\r\n";
    QTest::newRow("space before colon") << ok + "Content-Length : 0\r\n\r\n";
    QTest::newRow("no colon") << ok + "Content-Length 0\r\n\r\n";
    QTest::newRow("NUL in value") << ok + QByteArrayLiteral("X: a\0b\r\nContent-Length: 0\r\n\r\n");
    QTest::newRow("no framing") << ok + "Content-Type: text/plain\r\n\r\nbody";
    QTest::newRow("transfer-encoding and content-length")
        << ok + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    QTest::newRow("gzip coding") << ok + "Transfer-Encoding: gzip\r\n\r\n";
    QTest::newRow("gzip then chunked") << ok + "Transfer-Encoding: gzip, chunked\r\n\r\n";
    QTest::newRow("content-length not a number") << ok + "Content-Length: abc\r\n\r\n";
    QTest::newRow("content-length with a sign") << ok + "Content-Length: +5\r\n\r\nhello";
    QTest::newRow("negative content-length") << ok + "Content-Length: -1\r\n\r\n";
    QTest::newRow("empty content-length") << ok + "Content-Length:\r\n\r\n";
    QTest::newRow("differing content-lengths")
        << ok + "Content-Length: 2\r\nContent-Length: 3\r\n\r\nabc";
    QTest::newRow("huge content-length") << ok + "Content-Length: 99999999999999999999\r\n\r\n";
    QTest::newRow("content-length over the limit") << ok + "Content-Length: 65\r\n\r\n";
    QTest::newRow("chunked over the limit")
        << ok + "Transfer-Encoding: chunked\r\n\r\n40\r\n" + QByteArray(64, 'a') + "\r\n1\r\n";
    QTest::newRow("huge chunk size")
        << ok + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffffffff\r\n";
    QTest::newRow("chunk size not hex") << ok + "Transfer-Encoding: chunked\r\n\r\nzz\r\n";
    QTest::newRow("chunk size missing") << ok + "Transfer-Encoding: chunked\r\n\r\n;ext\r\n";
    QTest::newRow("chunk size with junk") << ok + "Transfer-Encoding: chunked\r\n\r\n5 x\r\n";
    QTest::newRow("chunk data longer than its size")
        << ok + "Transfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n";
    QTest::newRow("malformed trailer")
        << ok + "Transfer-Encoding: chunked\r\n\r\n0\r\nno colon here\r\n\r\n";
    QTest::newRow("head over the limit") << ok + "X: " + QByteArray(300, 'a') + "\r\n\r\n";
    QTest::newRow("head over the limit without a line end") << ok + QByteArray(300, 'a');
    QTest::newRow("chunk size line over its 4 KiB limit")
        << ok + "Transfer-Encoding: chunked\r\n\r\n1;" + QByteArray(5000, 'e') + "\r\n";
}

void TestHttpResponseReader::fails()
{
    QFETCH(QByteArray, input);
    const Outcome outcome = readAll(input);
    QCOMPARE(outcome.status, Status::Failed);
    QVERIFY(!outcome.error.isEmpty());
    QCOMPARE(outcome.response.status, 0);
}

void TestHttpResponseReader::failsWhenTheServerClosesEarly_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::newRow("nothing") << QByteArray();
    QTest::newRow("inside the head") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n");
    QTest::newRow("inside a content-length body")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab");
    QTest::newRow("before the last chunk")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n");
    QTest::newRow("inside the trailers")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\r\n");
}

void TestHttpResponseReader::failsWhenTheServerClosesEarly()
{
    QFETCH(QByteArray, input);
    const Outcome outcome = readAll(input, true);
    QCOMPARE(outcome.status, Status::Failed);
    QVERIFY(!outcome.error.isEmpty());
}

void TestHttpResponseReader::usesDnsSizedLimitsByDefault()
{
    // application/dns-message is at most 65535 bytes (RFC 8484 section 6).
    const QByteArray body(65535, 'd');
    HttpResponseReader reader;
    QCOMPARE(reader.append("HTTP/1.1 200 OK\r\nContent-Length: 65535\r\n\r\n" + body),
             Status::Complete);
    QCOMPARE(reader.response().body.size(), body.size());
    HttpResponseReader tooLarge;
    QCOMPARE(tooLarge.append("HTTP/1.1 200 OK\r\nContent-Length: 65537\r\n\r\n"), Status::Failed);
}

QTEST_APPLESS_MAIN(TestHttpResponseReader)
#include "tst_httpresponsereader.moc"
