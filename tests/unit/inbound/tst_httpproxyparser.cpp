#include "inbound/HttpProxyParser.h"

#include <QTest>

using namespace echw;
using namespace Qt::StringLiterals;

namespace {

using Event = HttpProxyParser::Event;
using Type = Event::Type;

// One line per event, so that QCOMPARE on lists shows which event differs and how.
QByteArray describe(const Event& event)
{
    switch (event.type) {
    case Type::Connect:
        return "Connect " + event.target.toString().toLatin1();
    case Type::RequestHead:
        return "RequestHead " + event.target.toString().toLatin1() + '\n' + event.head;
    case Type::Body:
        return "Body " + event.body;
    case Type::MessageEnd:
        return QByteArrayLiteral("MessageEnd");
    case Type::Error:
        return "Error " + QByteArray::number(event.status) + ' ' + event.reason;
    }
    return {};
}

QList<Event> drain(HttpProxyParser& parser)
{
    QList<Event> events;
    while (auto event = parser.next())
        events.append(std::move(*event));
    return events;
}

// Body slicing depends on how bytes arrive; everything else must not.
QList<QByteArray> coalesced(const QList<Event>& events)
{
    QList<QByteArray> out;
    bool previousWasBody = false;
    for (const Event& event : events) {
        if (event.type == Type::Body && previousWasBody)
            out.last().append(event.body);
        else
            out.append(describe(event));
        previousWasBody = event.type == Type::Body;
    }
    return out;
}

QList<Event> feedAll(const QByteArray& input)
{
    HttpProxyParser parser;
    parser.append(input);
    return drain(parser);
}

QList<Event> feedInPieces(const QByteArray& input, qsizetype pieceSize)
{
    HttpProxyParser parser;
    QList<Event> events;
    for (qsizetype i = 0; i < input.size(); i += pieceSize) {
        parser.append(QByteArrayView(input).sliced(i, std::min(pieceSize, input.size() - i)));
        events.append(drain(parser));
    }
    return events;
}

QList<Event> feedSplitAt(const QByteArray& input, qsizetype at)
{
    HttpProxyParser parser;
    parser.append(QByteArrayView(input).first(at));
    QList<Event> events = drain(parser);
    parser.append(QByteArrayView(input).sliced(at));
    events.append(drain(parser));
    return events;
}

QList<Type> typesOf(const QList<Event>& events)
{
    QList<Type> types;
    for (const Event& event : events)
        types.append(event.type);
    return types;
}

QByteArray repeatedHeaders(int count)
{
    QByteArray headers;
    for (int i = 0; i < count; ++i)
        headers += "X-Field-" + QByteArray::number(i) + ": value\r\n";
    return headers;
}

const QByteArray kChunkedRequest = QByteArrayLiteral("POST http://upload.example/put HTTP/1.1\r\n"
                                                     "Transfer-Encoding: chunked\r\n"
                                                     "\r\n");
const QByteArray kChunkedBody = QByteArrayLiteral("5;name=value\r\n"
                                                  "hello\r\n"
                                                  "00A ; q=\"x;y\" ;flag\r\n"
                                                  "0123456789\r\n"
                                                  "1f\r\n"
                                                  "abcdefghijklmnopqrstuvwxyz01234\r\n"
                                                  "0;last\r\n"
                                                  "X-Checksum: abc\r\n"
                                                  "X-Other: 1\r\n"
                                                  "\r\n");

const ProxyCredentials kCredentials(QByteArrayLiteral("alice"), QByteArrayLiteral("s3cret:x"));

QByteArray basic(const QByteArray& userAndPassword)
{
    return userAndPassword.toBase64();
}

QList<Event> feedWithCredentials(const QByteArray& input, qsizetype pieceSize)
{
    HttpProxyParser parser(kCredentials);
    QList<Event> events;
    for (qsizetype i = 0; i < input.size(); i += pieceSize) {
        parser.append(QByteArrayView(input).sliced(i, std::min(pieceSize, input.size() - i)));
        events.append(drain(parser));
    }
    return events;
}

} // namespace

class TestHttpProxyParser : public QObject {
    Q_OBJECT

private:
    static void expectError(const QByteArray& input, int status)
    {
        HttpProxyParser parser;
        parser.append(input);
        const QList<Event> events = drain(parser);
        QVERIFY2(!events.isEmpty(), "no event at all");
        const Event& last = events.last();
        QVERIFY2(last.type == Type::Error && last.status == status, describe(last).constData());
        QVERIFY(!last.reason.isEmpty());
        QVERIFY(parser.failed());
        QVERIFY(!parser.idle());
        QVERIFY(!parser.next());
        for (qsizetype i = 0; i + 1 < events.size(); ++i)
            QVERIFY(events[i].type != Type::Error);
    }

    static void addErrorRows(const QList<std::pair<const char*, QByteArray>>& rows, int status)
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("status");
        for (const auto& [name, input] : rows)
            QTest::newRow(name) << input << status;
    }

private Q_SLOTS:
    void rewritesAbsoluteFormRequest_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("kind");

        const int domain = int(TargetAddress::Kind::Domain);
        const int ipv4 = int(TargetAddress::Kind::IPv4);
        const int ipv6 = int(TargetAddress::Kind::IPv6);

        QTest::newRow("simple GET")
            << QByteArrayLiteral("GET http://example.com/index.html?q=1 HTTP/1.1\r\n"
                                 "Host: example.com\r\nAccept: */*\r\n\r\n")
            << QByteArrayLiteral("GET /index.html?q=1 HTTP/1.1\r\n"
                                 "Host: example.com\r\nAccept: */*\r\n\r\n")
            << u"example.com:80"_s << domain;
        QTest::newRow("Proxy-* fields dropped")
            << QByteArrayLiteral("GET http://example.com/ HTTP/1.1\r\n"
                                 "Proxy-Connection: keep-alive\r\n"
                                 "User-Agent: test\r\n"
                                 "proxy-authorization: Basic dXNlcjpwYXNz\r\n"
                                 "X-Proxy-Id: kept\r\n"
                                 "PROXY-Whatever: 1\r\n\r\n")
            << QByteArrayLiteral("GET / HTTP/1.1\r\nHost: example.com\r\n"
                                 "User-Agent: test\r\nX-Proxy-Id: kept\r\n\r\n")
            << u"example.com:80"_s << domain;
        QTest::newRow("Host fields replaced by the URI authority")
            << QByteArrayLiteral("GET http://real.example/a HTTP/1.1\r\n"
                                 "Accept: */*\r\nHost: evil.example\r\nhost: other.example\r\n\r\n")
            << QByteArrayLiteral("GET /a HTTP/1.1\r\nHost: real.example\r\nAccept: */*\r\n\r\n")
            << u"real.example:80"_s << domain;
        QTest::newRow("Host added when missing")
            << QByteArrayLiteral("GET http://example.com/ HTTP/1.0\r\n\r\n")
            << QByteArrayLiteral("GET / HTTP/1.0\r\nHost: example.com\r\n\r\n")
            << u"example.com:80"_s << domain;
        QTest::newRow("non-80 port kept in Host")
            << QByteArrayLiteral("GET http://example.com:8080/x HTTP/1.1\r\n\r\n")
            << QByteArrayLiteral("GET /x HTTP/1.1\r\nHost: example.com:8080\r\n\r\n")
            << u"example.com:8080"_s << domain;
        QTest::newRow("explicit port 80 omitted from Host")
            << QByteArrayLiteral("GET http://example.com:80/x HTTP/1.1\r\n\r\n")
            << QByteArrayLiteral("GET /x HTTP/1.1\r\nHost: example.com\r\n\r\n")
            << u"example.com:80"_s << domain;
        QTest::newRow("IPv6 literal with port")
            << QByteArrayLiteral("GET http://[::1]:8080/v6 HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n")
            << QByteArrayLiteral("GET /v6 HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n") << u"[::1]:8080"_s
            << ipv6;
        QTest::newRow("IPv6 literal on port 80")
            << QByteArrayLiteral("GET http://[2001:db8::1]/ HTTP/1.1\r\n\r\n")
            << QByteArrayLiteral("GET / HTTP/1.1\r\nHost: [2001:db8::1]\r\n\r\n")
            << u"[2001:db8::1]:80"_s << ipv6;
        QTest::newRow("IPv4 literal")
            << QByteArrayLiteral("PUT http://127.0.0.1:3128/p HTTP/1.1\r\n\r\n")
            << QByteArrayLiteral("PUT /p HTTP/1.1\r\nHost: 127.0.0.1:3128\r\n\r\n")
            << u"127.0.0.1:3128"_s << ipv4;
        QTest::newRow("empty path becomes /")
            << QByteArrayLiteral("GET http://example.com HTTP/1.1\r\n\r\n")
            << QByteArrayLiteral("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            << u"example.com:80"_s << domain;
        QTest::newRow("query without path")
            << QByteArrayLiteral("GET http://example.com?a=b HTTP/1.1\r\n\r\n")
            << QByteArrayLiteral("GET /?a=b HTTP/1.1\r\nHost: example.com\r\n\r\n")
            << u"example.com:80"_s << domain;
        QTest::newRow("fragment dropped")
            << QByteArrayLiteral("GET http://example.com/page?x=1#top HTTP/1.1\r\n\r\n")
            << QByteArrayLiteral("GET /page?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
            << u"example.com:80"_s << domain;
        QTest::newRow("scheme and host case-insensitive")
            << QByteArrayLiteral("GET HTTP://Example.COM/Path HTTP/1.1\r\n\r\n")
            << QByteArrayLiteral("GET /Path HTTP/1.1\r\nHost: example.com\r\n\r\n")
            << u"example.com:80"_s << domain;
        QTest::newRow("field lines kept byte-exact")
            << QByteArrayLiteral(
                   "GET http://example.com/ HTTP/1.1\r\n"
                   "x-MiXeD:   spaced  value \t\r\nEmpty:\r\nUtf8: caf\xc3\xa9\r\n\r\n")
            << QByteArrayLiteral(
                   "GET / HTTP/1.1\r\nHost: example.com\r\n"
                   "x-MiXeD:   spaced  value \t\r\nEmpty:\r\nUtf8: caf\xc3\xa9\r\n\r\n")
            << u"example.com:80"_s << domain;
        QTest::newRow("leading empty lines ignored")
            << QByteArrayLiteral("\r\n\r\nGET http://example.com/ HTTP/1.1\r\n\r\n")
            << QByteArrayLiteral("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            << u"example.com:80"_s << domain;
    }

    void rewritesAbsoluteFormRequest()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, head);
        QFETCH(QString, target);
        QFETCH(int, kind);

        const QList<Event> events = feedAll(input);
        QCOMPARE(typesOf(events), (QList<Type>{Type::RequestHead, Type::MessageEnd}));
        QCOMPARE(events[0].head, head);
        QCOMPARE(events[0].target.toString(), target);
        QCOMPARE(int(events[0].target.kind), kind);
    }

    void acceptsEveryListedMethod_data()
    {
        QTest::addColumn<QByteArray>("method");
        for (const char* method :
             {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"})
            QTest::newRow(method) << QByteArray(method);
    }

    void acceptsEveryListedMethod()
    {
        QFETCH(QByteArray, method);
        const QList<Event> events = feedAll(method + " http://example.com/ HTTP/1.1\r\n\r\n");
        QCOMPARE(typesOf(events), (QList<Type>{Type::RequestHead, Type::MessageEnd}));
        QVERIFY(events[0].head.startsWith(method + " / HTTP/1.1\r\n"));
    }

    void connectYieldsTargetAndRemainingBytes()
    {
        HttpProxyParser parser;
        parser.append("CONNECT Example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"
                      "Proxy-Authorization: Basic eDp5\r\n\r\n\x16\x03\x01tls");
        const QList<Event> events = drain(parser);
        QCOMPARE(coalesced(events), QList<QByteArray>{"Connect example.com:443"});
        QCOMPARE(events[0].target.kind, TargetAddress::Kind::Domain);
        QVERIFY(!parser.idle());
        QVERIFY(!parser.failed());
        QCOMPARE(parser.takeRemaining(), QByteArrayLiteral("\x16\x03\x01tls"));
        QVERIFY(!parser.next());
        parser.append("more");
        QVERIFY(!parser.next());
        QCOMPARE(parser.takeRemaining(), QByteArrayLiteral("more"));
        QCOMPARE(parser.takeRemaining(), QByteArray());
    }

    void connectWithoutTrailingBytesLeavesNothingRemaining()
    {
        HttpProxyParser parser;
        parser.append("CONNECT [2001:db8::1]:8443 HTTP/1.0\r\n\r\n");
        const QList<Event> events = drain(parser);
        QCOMPARE(coalesced(events), QList<QByteArray>{"Connect [2001:db8::1]:8443"});
        QCOMPARE(events[0].target.kind, TargetAddress::Kind::IPv6);
        QCOMPARE(parser.takeRemaining(), QByteArray());
    }

    void connectIgnoresBodyFraming()
    {
        // CONNECT has no content (RFC 9110 9.3.6); what follows is the tunnel, whatever the
        // framing headers claim.
        HttpProxyParser parser;
        parser.append("CONNECT example.com:443 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcdef");
        QCOMPARE(coalesced(drain(parser)), QList<QByteArray>{"Connect example.com:443"});
        QCOMPARE(parser.takeRemaining(), QByteArrayLiteral("abcdef"));
    }

    void rejectsConnectWithContradictoryFramingWith400()
    {
        // The framing rules of core/http hold for every head, CONNECT included: one rule, so no
        // two readers of the same head can disagree about it.
        expectError("CONNECT example.com:443 HTTP/1.1\r\nContent-Length: 3\r\n"
                    "Transfer-Encoding: chunked\r\n\r\nabcdef",
                    400);
    }

    void rejectsInvalidConnectTarget_data()
    {
        addErrorRows({{"no port", "CONNECT example.com HTTP/1.1\r\n\r\n"},
                      {"port zero", "CONNECT example.com:0 HTTP/1.1\r\n\r\n"},
                      {"port too large", "CONNECT example.com:65536 HTTP/1.1\r\n\r\n"},
                      {"empty host", "CONNECT :443 HTTP/1.1\r\n\r\n"},
                      {"unclosed bracket", "CONNECT [::1:443 HTTP/1.1\r\n\r\n"},
                      {"unbracketed IPv6", "CONNECT ::1:443 HTTP/1.1\r\n\r\n"},
                      {"userinfo", "CONNECT user@example.com:443 HTTP/1.1\r\n\r\n"},
                      {"absolute URI", "CONNECT http://example.com:443/ HTTP/1.1\r\n\r\n"}},
                     400);
    }

    void rejectsInvalidConnectTarget() { runErrorRow(); }

    void parsesKeepAliveRequestsToDifferentHosts()
    {
        HttpProxyParser parser;
        parser.append("POST http://one.example/a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
                      "GET http://two.example:8080/b HTTP/1.1\r\nConnection: keep-alive\r\n\r\n");
        QCOMPARE(coalesced(drain(parser)),
                 (QList<QByteArray>{"RequestHead one.example:80\nPOST /a HTTP/1.1\r\n"
                                    "Host: one.example\r\nContent-Length: 5\r\n\r\n",
                                    "Body hello", "MessageEnd",
                                    "RequestHead two.example:8080\nGET /b HTTP/1.1\r\n"
                                    "Host: two.example:8080\r\nConnection: keep-alive\r\n\r\n",
                                    "MessageEnd"}));
        QVERIFY(parser.idle());
    }

    void streamsContentLengthBodyAcrossAppends()
    {
        HttpProxyParser parser;
        parser.append("POST http://example.com/ HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
        QCOMPARE(typesOf(drain(parser)), (QList<Type>{Type::RequestHead, Type::Body}));
        QVERIFY(!parser.idle());
        parser.append("defg");
        QCOMPARE(coalesced(drain(parser)), QList<QByteArray>{"Body defg"});
        QVERIFY(!parser.idle());
        parser.append("hijGET http://next.example/ HTTP/1.1\r\n\r\n");
        QCOMPARE(coalesced(drain(parser)),
                 (QList<QByteArray>{"Body hij", "MessageEnd",
                                    "RequestHead next.example:80\nGET / HTTP/1.1\r\n"
                                    "Host: next.example\r\n\r\n",
                                    "MessageEnd"}));
        QVERIFY(parser.idle());
    }

    void acceptsRepeatedIdenticalContentLength()
    {
        const QList<Event> events =
            feedAll("POST http://example.com/ HTTP/1.1\r\nContent-Length: 3\r\n"
                    "Content-Length: 3, 003\r\n\r\nxyz");
        QCOMPARE(coalesced(events).mid(1), (QList<QByteArray>{"Body xyz", "MessageEnd"}));
    }

    void treatsZeroContentLengthAsNoBody()
    {
        const QList<Event> events =
            feedAll("POST http://example.com/ HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        QCOMPARE(typesOf(events), (QList<Type>{Type::RequestHead, Type::MessageEnd}));
    }

    void forwardsChunkedBodyInWireFormAtEverySplit()
    {
        const QByteArray next = QByteArrayLiteral("GET http://after.example/ HTTP/1.1\r\n\r\n");
        const QByteArray input = kChunkedRequest + kChunkedBody + next;
        const QList<QByteArray> expected = coalesced(feedAll(input));
        QCOMPARE(expected,
                 (QList<QByteArray>{"RequestHead upload.example:80\nPOST /put HTTP/1.1\r\n"
                                    "Host: upload.example\r\nTransfer-Encoding: chunked\r\n\r\n",
                                    "Body " + kChunkedBody, "MessageEnd",
                                    "RequestHead after.example:80\nGET / HTTP/1.1\r\n"
                                    "Host: after.example\r\n\r\n",
                                    "MessageEnd"}));
        for (qsizetype at = 0; at <= input.size(); ++at)
            QCOMPARE(coalesced(feedSplitAt(input, at)), expected);
    }

    void acceptsChunkedAsFinalOfSeveralCodings()
    {
        const QList<Event> events =
            feedAll("POST http://example.com/ HTTP/1.1\r\nTransfer-Encoding: gzip\r\n"
                    "Transfer-Encoding: , Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        QCOMPARE(coalesced(events).mid(1),
                 (QList<QByteArray>{"Body 3\r\nabc\r\n0\r\n\r\n", "MessageEnd"}));
    }

    void streamsHundredMegabyteBodyInBoundedSlices()
    {
        constexpr qsizetype total = 100 * 1024 * 1024;
        constexpr qsizetype piece = 64 * 1024;
        QByteArray slice(piece, Qt::Uninitialized);
        for (qsizetype i = 0; i < piece; ++i)
            slice[i] = char(i * 7);

        HttpProxyParser parser;
        parser.append("PUT http://example.com/big HTTP/1.1\r\nContent-Length: " +
                      QByteArray::number(total) + "\r\n\r\n");
        QCOMPARE(typesOf(drain(parser)), QList<Type>{Type::RequestHead});

        qsizetype received = 0;
        int messageEnds = 0;
        for (qsizetype sent = 0; sent < total; sent += piece) {
            parser.append(slice);
            const QList<Event> events = drain(parser);
            for (const Event& event : events) {
                if (event.type == Type::MessageEnd) {
                    ++messageEnds;
                    continue;
                }
                QCOMPARE(event.type, Type::Body);
                QVERIFY(event.body.size() <= piece);
                received += event.body.size();
            }
            // Every appended byte comes straight out: nothing piles up in the parser.
            QCOMPARE(received, sent + piece);
        }
        QCOMPARE(received, total);
        QCOMPARE(messageEnds, 1);
        QVERIFY(parser.idle());
    }

    void byteByByteFeedingMatchesOneShot_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::newRow("pipelined requests")
            << QByteArray("\r\nPOST http://a.example/x HTTP/1.1\r\nContent-Length: 4\r\n"
                          "Proxy-Connection: close\r\n\r\nbody" +
                          kChunkedRequest + kChunkedBody +
                          "GET http://[::1]:81/ HTTP/1.0\nHost: x\n\n"
                          "CONNECT b.example:443 HTTP/1.1\r\n\r\ntunnel bytes");
        QTest::newRow("ends in an error")
            << QByteArrayLiteral("GET http://a.example/ HTTP/1.1\r\n\r\n"
                                 "POST http://a.example/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
                                 "\r\n4\r\nabcd\r\nzz\r\n");
    }

    void byteByByteFeedingMatchesOneShot()
    {
        QFETCH(QByteArray, input);
        QCOMPARE(coalesced(feedInPieces(input, 1)), coalesced(feedAll(input)));
    }

    void waitsForMoreBytesOnTruncatedInput_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("eventCount");
        QTest::newRow("partial request line") << QByteArrayLiteral("GET http://exam") << 0;
        QTest::newRow("request line only")
            << QByteArrayLiteral("GET http://example.com/ HTTP/1.1\r\n") << 0;
        QTest::newRow("partial header")
            << QByteArrayLiteral("GET http://example.com/ HTTP/1.1\r\nAcc") << 0;
        QTest::newRow("missing final LF")
            << QByteArrayLiteral("GET http://example.com/ HTTP/1.1\r\nA: b\r\n\r") << 0;
        QTest::newRow("partial body")
            << QByteArrayLiteral("POST http://example.com/ HTTP/1.1\r\nContent-Length: 9\r\n\r\nab")
            << 2;
        QTest::newRow("body not started")
            << QByteArrayLiteral("POST http://example.com/ HTTP/1.1\r\nContent-Length: 9\r\n\r\n")
            << 1;
        QTest::newRow("partial chunk size line") << kChunkedRequest + "1a;ext=" << 2;
        QTest::newRow("partial chunk data") << kChunkedRequest + "5\r\nhel" << 2;
        QTest::newRow("last chunk without final CRLF") << kChunkedRequest + "0\r\nTrailer: 1\r\n"
                                                       << 2;
        QTest::newRow("partial CONNECT")
            << QByteArrayLiteral("CONNECT example.com:443 HTTP/1.1") << 0;
    }

    void waitsForMoreBytesOnTruncatedInput()
    {
        QFETCH(QByteArray, input);
        QFETCH(int, eventCount);
        HttpProxyParser parser;
        parser.append(input);
        const QList<Event> events = drain(parser);
        QCOMPARE(events.size(), eventCount);
        QVERIFY(!typesOf(events).contains(Type::Error));
        QVERIFY(!typesOf(events).contains(Type::MessageEnd));
        QVERIFY(!parser.failed());
        QVERIFY(!parser.idle());
    }

    void acceptsHeadAtTheSizeLimit()
    {
        const QByteArray start = QByteArrayLiteral("GET http://example.com/ HTTP/1.1\r\nX-Pad: ");
        const qsizetype padding = HttpProxyParser::kMaxHeadBytes - start.size() - 4;
        const QByteArray input = start + QByteArray(padding, 'p') + "\r\n\r\n";
        QCOMPARE(input.size(), HttpProxyParser::kMaxHeadBytes);
        QCOMPARE(typesOf(feedAll(input)), (QList<Type>{Type::RequestHead, Type::MessageEnd}));
    }

    void rejectsOversizedHeadWith431_data()
    {
        const QByteArray start = QByteArrayLiteral("GET http://example.com/ HTTP/1.1\r\nX-Pad: ");
        const qsizetype padding = HttpProxyParser::kMaxHeadBytes - start.size() - 3;
        addErrorRows({{"one byte over the limit", start + QByteArray(padding, 'p') + "\r\n\r\n"},
                      {"unterminated header line", start + QByteArray(100000, 'p')}},
                     431);
    }

    void rejectsOversizedHeadWith431() { runErrorRow(); }

    void rejectsOversizedRequestLineWith414()
    {
        // RFC 9112 section 3: a request line that alone passes the head limit is a URI too long.
        expectError("GET http://example.com/" + QByteArray(100000, 'a'), 414);
    }

    void rejectsBareLineFeedsWith400_data()
    {
        // core/http takes CRLF only (see HttpHeadScanner.h for why).
        addErrorRows({{"request line", "GET http://example.com/ HTTP/1.1\n\r\n"},
                      {"field line", "GET http://example.com/ HTTP/1.1\r\nA: b\n\r\n"},
                      {"final line", "GET http://example.com/ HTTP/1.1\r\nA: b\r\n\n"}},
                     400);
    }

    void rejectsBareLineFeedsWith400() { runErrorRow(); }

    void rejectsOversizedHeadBeforeItEnds()
    {
        // The limit applies while the head is still arriving, so an endless head cannot grow
        // the buffer without bound.
        HttpProxyParser parser;
        parser.append("GET http://example.com/ HTTP/1.1\r\nX-Pad: ");
        const QByteArray piece(1024, 'p');
        std::optional<Event> event;
        for (int i = 0; i < 100 && !event; ++i) {
            parser.append(piece);
            event = parser.next();
        }
        QVERIFY(event);
        QCOMPARE(event->type, Type::Error);
        QCOMPARE(event->status, 431);
    }

    void acceptsMaximumHeaderCount()
    {
        const QByteArray input = "GET http://example.com/ HTTP/1.1\r\n" +
                                 repeatedHeaders(HttpProxyParser::kMaxHeaderCount) + "\r\n";
        QCOMPARE(typesOf(feedAll(input)), (QList<Type>{Type::RequestHead, Type::MessageEnd}));
    }

    void rejectsTooManyHeadersWith431_data()
    {
        addErrorRows({{"one header too many",
                       "GET http://example.com/ HTTP/1.1\r\n" +
                           repeatedHeaders(HttpProxyParser::kMaxHeaderCount + 1) + "\r\n"},
                      {"unterminated", "GET http://example.com/ HTTP/1.1\r\n" +
                                           repeatedHeaders(HttpProxyParser::kMaxHeaderCount + 1)}},
                     431);
    }

    void rejectsTooManyHeadersWith431() { runErrorRow(); }

    void rejectsMalformedRequestLine_data()
    {
        addErrorRows({{"double space", "GET  http://example.com/ HTTP/1.1\r\n\r\n"},
                      {"missing version", "GET http://example.com/\r\n\r\n"},
                      {"missing target", "GET HTTP/1.1\r\n\r\n"},
                      {"empty target", "GET  HTTP/1.1\r\n\r\n"},
                      {"extra word", "GET http://example.com/ HTTP/1.1 x\r\n\r\n"},
                      {"trailing space", "GET http://example.com/ HTTP/1.1 \r\n\r\n"},
                      {"lower-case version", "GET http://example.com/ http/1.1\r\n\r\n"},
                      {"short version", "GET http://example.com/ HTTP/1\r\n\r\n"},
                      {"two-digit version", "GET http://example.com/ HTTP/10.1\r\n\r\n"},
                      {"leading space", " GET http://example.com/ HTTP/1.1\r\n\r\n"},
                      {"tab separator", "GET\thttp://example.com/ HTTP/1.1\r\n\r\n"},
                      {"non-token method", "GE(T http://example.com/ HTTP/1.1\r\n\r\n"},
                      {"control char in target", "GET http://example.com/\x01 HTTP/1.1\r\n\r\n"},
                      {"non-ASCII target", "GET http://example.com/\xc3\xa9 HTTP/1.1\r\n\r\n"},
                      {"bare CR", "GET http://example.com/ HTTP/1.1\rX: y\r\n\r\n"},
                      {"TLS bytes", "\x16\x03\x01\x02\x05\r\n\r\n"}},
                     400);
    }

    void rejectsMalformedRequestLine() { runErrorRow(); }

    void rejectsMalformedHeaderLine_data()
    {
        const QByteArray start = QByteArrayLiteral("GET http://example.com/ HTTP/1.1\r\n");
        addErrorRows({{"no colon", start + "NoColon\r\n\r\n"},
                      {"space before colon", start + "Host : example.com\r\n\r\n"},
                      {"tab before colon", start + "Accept\t: */*\r\n\r\n"},
                      {"empty name", start + ": value\r\n\r\n"},
                      {"non-token name", start + "Bad/Name: value\r\n\r\n"},
                      {"obs-fold with space", start + "X-A: one\r\n two\r\n\r\n"},
                      {"obs-fold with tab", start + "X-A: one\r\n\ttwo\r\n\r\n"},
                      {"control char in value", start + "X-A: a\x01z\r\n\r\n"},
                      {"NUL in value", start + QByteArray("X-A: a\0z\r\n\r\n", 12)},
                      {"bare CR in value", start + "X-A: a\rb\r\n\r\n"},
                      {"DEL in value", start + "X-A: a\x7fz\r\n\r\n"}},
                     400);
    }

    void rejectsMalformedHeaderLine() { runErrorRow(); }

    void rejectsUnknownMethodWith405_data()
    {
        addErrorRows({{"BREW", "BREW http://example.com/ HTTP/1.1\r\n\r\n"},
                      {"lower-case get", "get http://example.com/ HTTP/1.1\r\n\r\n"},
                      {"PROPFIND", "PROPFIND http://example.com/ HTTP/1.1\r\n\r\n"}},
                     405);
    }

    void rejectsUnknownMethodWith405() { runErrorRow(); }

    void rejectsNonProxyRequestTarget_data()
    {
        addErrorRows({{"origin-form", "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n"},
                      {"asterisk-form", "OPTIONS * HTTP/1.1\r\n\r\n"},
                      {"authority-form for GET", "GET example.com:80 HTTP/1.1\r\n\r\n"},
                      {"relative scheme", "GET //example.com/ HTTP/1.1\r\n\r\n"}},
                     400);
    }

    void rejectsNonProxyRequestTarget() { runErrorRow(); }

    void rejectsNonHttpScheme_data()
    {
        addErrorRows({{"https", "GET https://example.com/ HTTP/1.1\r\n\r\n"},
                      {"ftp", "GET ftp://example.com/file HTTP/1.1\r\n\r\n"},
                      {"ws", "GET ws://example.com/ HTTP/1.1\r\n\r\n"},
                      {"empty scheme", "GET ://example.com/ HTTP/1.1\r\n\r\n"},
                      {"httpx", "GET httpx://example.com/ HTTP/1.1\r\n\r\n"}},
                     400);
    }

    void rejectsNonHttpScheme() { runErrorRow(); }

    void rejectsInvalidUriAuthority_data()
    {
        addErrorRows({{"userinfo", "GET http://user:pw@example.com/ HTTP/1.1\r\n\r\n"},
                      {"empty host", "GET http:///path HTTP/1.1\r\n\r\n"},
                      {"empty port", "GET http://example.com:/ HTTP/1.1\r\n\r\n"},
                      {"port zero", "GET http://example.com:0/ HTTP/1.1\r\n\r\n"},
                      {"port too large", "GET http://example.com:65536/ HTTP/1.1\r\n\r\n"},
                      {"non-digit port", "GET http://example.com:8o/ HTTP/1.1\r\n\r\n"},
                      {"percent-encoded host", "GET http://ex%61mple.com/ HTTP/1.1\r\n\r\n"},
                      {"unbracketed IPv6", "GET http://::1/ HTTP/1.1\r\n\r\n"},
                      {"unclosed bracket", "GET http://[::1/ HTTP/1.1\r\n\r\n"}},
                     400);
    }

    void rejectsInvalidUriAuthority() { runErrorRow(); }

    void rejectsUnsupportedHttpVersionWith505_data()
    {
        addErrorRows({{"HTTP/2.0", "GET http://example.com/ HTTP/2.0\r\n\r\n"},
                      {"HTTP/0.9", "GET http://example.com/ HTTP/0.9\r\n\r\n"},
                      {"HTTP/1.2", "GET http://example.com/ HTTP/1.2\r\n\r\n"},
                      {"CONNECT HTTP/3.0", "CONNECT example.com:443 HTTP/3.0\r\n\r\n"}},
                     505);
    }

    void rejectsUnsupportedHttpVersionWith505() { runErrorRow(); }

    void rejectsTransferEncodingWithContentLength_data()
    {
        const QByteArray start = QByteArrayLiteral("POST http://example.com/ HTTP/1.1\r\n");
        addErrorRows({{"TE then CL", start + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"
                                             "\r\n0\r\n\r\n"},
                      {"CL then TE", start + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"
                                             "\r\n0\r\n\r\n"},
                      {"mixed case names", start + "content-length: 5\r\ntransfer-encoding: x, "
                                                   "chunked\r\n\r\n0\r\n\r\n"}},
                     400);
    }

    void rejectsTransferEncodingWithContentLength() { runErrorRow(); }

    void rejectsTransferEncodingNotEndingInChunked_data()
    {
        const QByteArray start = QByteArrayLiteral("POST http://example.com/ HTTP/1.1\r\n");
        addErrorRows({{"gzip only", start + "Transfer-Encoding: gzip\r\n\r\n"},
                      {"chunked then gzip", start + "Transfer-Encoding: chunked, gzip\r\n\r\n"},
                      {"chunked twice", start + "Transfer-Encoding: chunked, chunked\r\n\r\n"},
                      {"chunked twice across fields",
                       start + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"},
                      {"chunked with parameter", start + "Transfer-Encoding: chunked;x=1\r\n\r\n"},
                      {"empty value", start + "Transfer-Encoding:\r\n\r\n"},
                      {"HTTP/1.0 chunked", "POST http://example.com/ HTTP/1.0\r\n"
                                           "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"}},
                     400);
    }

    void rejectsTransferEncodingNotEndingInChunked() { runErrorRow(); }

    void rejectsInvalidContentLength_data()
    {
        const QByteArray start = QByteArrayLiteral("POST http://example.com/ HTTP/1.1\r\n");
        addErrorRows(
            {{"conflicting fields", start + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n"},
             {"conflicting list", start + "Content-Length: 5, 6\r\n\r\n"},
             {"non-digit", start + "Content-Length: 5a\r\n\r\n"},
             {"negative", start + "Content-Length: -1\r\n\r\n"},
             {"plus sign", start + "Content-Length: +5\r\n\r\n"},
             {"hex", start + "Content-Length: 0x10\r\n\r\n"},
             {"empty", start + "Content-Length: \r\n\r\n"},
             {"only commas", start + "Content-Length: ,\r\n\r\n"},
             {"inner space", start + "Content-Length: 1 2\r\n\r\n"},
             {"overflow", start + "Content-Length: 99999999999999999999\r\n\r\n"}},
            400);
    }

    void rejectsInvalidContentLength() { runErrorRow(); }

    void rejectsInvalidChunkFraming_data()
    {
        const QByteArray tooLongExtension = "1;" + QByteArray(5000, 'e') + "\r\nx\r\n0\r\n\r\n";
        addErrorRows(
            {{"non-hex size", kChunkedRequest + "zz\r\n"},
             {"empty size", kChunkedRequest + "\r\n"},
             {"negative size", kChunkedRequest + "-1\r\n"},
             {"size with 0x prefix", kChunkedRequest + "0x5\r\n"},
             {"seventeen hex digits", kChunkedRequest + "00000000000000001\r\nx\r\n0\r\n\r\n"},
             {"size above 2^53", kChunkedRequest + "20000000000001\r\n"},
             {"64-bit overflow", kChunkedRequest + "ffffffffffffffff\r\n"},
             {"space inside size", kChunkedRequest + "1 2\r\n"},
             {"trailing space without extension", kChunkedRequest + "1 \r\nx\r\n0\r\n\r\n"},
             {"bare LF after size", kChunkedRequest + "1\nx\r\n0\r\n\r\n"},
             {"bare CR after size", kChunkedRequest + "1\rx\r\n0\r\n\r\n"},
             {"data longer than size", kChunkedRequest + "1\r\nxy\r\n0\r\n\r\n"},
             {"bare LF after data", kChunkedRequest + "1\r\nx\n0\r\n\r\n"},
             {"control char in extension", kChunkedRequest + "1;a\x01\r\nx\r\n0\r\n\r\n"},
             {"size line too long", kChunkedRequest + tooLongExtension},
             {"obs-fold in trailer", kChunkedRequest + "0\r\nA: b\r\n c\r\n\r\n"},
             {"bare LF in trailer", kChunkedRequest + "0\r\nA: b\n\r\n"},
             {"bare LF at end", kChunkedRequest + "0\r\n\n"}},
            400);
    }

    void rejectsInvalidChunkFraming() { runErrorRow(); }

    void rejectsOversizedTrailersWith431_data()
    {
        addErrorRows({{"too many trailer fields",
                       kChunkedRequest + "0\r\n" +
                           repeatedHeaders(HttpProxyParser::kMaxHeaderCount + 1) + "\r\n"},
                      {"trailer section too large",
                       kChunkedRequest + "0\r\nX-Pad: " + QByteArray(70000, 'p') + "\r\n\r\n"}},
                     431);
    }

    void rejectsOversizedTrailersWith431() { runErrorRow(); }

    void idleTracksMessageBoundaries()
    {
        HttpProxyParser parser;
        QVERIFY(parser.idle());
        parser.append("G");
        QVERIFY(!parser.idle());
        QVERIFY(!parser.next());
        parser.append("ET http://example.com/ HTTP/1.1\r\nContent-Length: 2\r\n\r\n");
        QCOMPARE(parser.next().value().type, Type::RequestHead);
        QVERIFY(!parser.idle());
        parser.append("ok");
        QCOMPARE(parser.next().value().type, Type::Body);
        QVERIFY(!parser.idle());
        QCOMPARE(parser.next().value().type, Type::MessageEnd);
        QVERIFY(parser.idle());
        QVERIFY(!parser.next());
        QVERIFY(parser.idle());
        parser.append("\r\n");
        QVERIFY(!parser.idle());
    }

    void staysFailedAfterError()
    {
        HttpProxyParser parser;
        parser.append("BREW http://example.com/ HTTP/1.1\r\n\r\n");
        QCOMPARE(parser.next().value().status, 405);
        QVERIFY(parser.failed());
        parser.append("GET http://example.com/ HTTP/1.1\r\n\r\n");
        QVERIFY(!parser.next());
        QVERIFY(parser.failed());
        QVERIFY(!parser.idle());
    }

    void acceptsMatchingProxyAuthorization_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("expected");
        const QByteArray token = basic("alice:s3cret:x");
        QTest::newRow("CONNECT") << "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n"
                                    "Proxy-Authorization: Basic " +
                                        token + "\r\n\r\n"
                                 << QByteArray("Connect a.example:443");
        QTest::newRow("absolute form, field dropped")
            << "GET http://a.example/x HTTP/1.1\r\nProxy-Authorization: Basic " + token +
                   "\r\nAccept: */*\r\n\r\n"
            << QByteArray("RequestHead a.example:80\nGET /x HTTP/1.1\r\nHost: a.example\r\n"
                          "Accept: */*\r\n\r\n");
        QTest::newRow("scheme in lower case")
            << "CONNECT a.example:443 HTTP/1.1\r\nproxy-authorization: basic " + token + "\r\n\r\n"
            << QByteArray("Connect a.example:443");
        QTest::newRow("scheme in upper case, spaces around the token")
            << "CONNECT a.example:443 HTTP/1.1\r\nProxy-Authorization:  BASIC   " + token +
                   "  \r\n\r\n"
            << QByteArray("Connect a.example:443");
    }

    void acceptsMatchingProxyAuthorization()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, expected);
        for (qsizetype pieceSize : {input.size(), qsizetype(1), qsizetype(7)}) {
            const QList<Event> events = feedWithCredentials(input, pieceSize);
            QVERIFY(!events.isEmpty());
            QCOMPARE(describe(events.first()), expected);
        }
    }

    void rejectsMissingOrWrongProxyAuthorizationWith407_data()
    {
        QTest::addColumn<QByteArray>("field");
        QTest::newRow("missing") << QByteArray();
        QTest::newRow("wrong password") << "Proxy-Authorization: Basic " + basic("alice:s3cret:y");
        QTest::newRow("wrong user") << "Proxy-Authorization: Basic " + basic("bob:s3cret:x");
        QTest::newRow("password cut at its colon")
            << "Proxy-Authorization: Basic " + basic("alice:s3cret");
        QTest::newRow("no colon") << "Proxy-Authorization: Basic " + basic("alices3cret:x");
        QTest::newRow("empty credentials") << "Proxy-Authorization: Basic " + basic(":");
        QTest::newRow("scheme only") << QByteArray("Proxy-Authorization: Basic");
        QTest::newRow("no space after the scheme")
            << "Proxy-Authorization: Basic" + basic("alice:s3cret:x");
        QTest::newRow("other scheme") << "Proxy-Authorization: Bearer " + basic("alice:s3cret:x");
        QTest::newRow("not base64") << QByteArray("Proxy-Authorization: Basic !!!!");
        QTest::newRow("base64 with garbage inside")
            << "Proxy-Authorization: Basic " + basic("alice:s3cret:x").insert(4, '*');
        QTest::newRow("plain text instead of base64")
            << QByteArray("Proxy-Authorization: Basic alice:s3cret:x");
        QTest::newRow("right one twice")
            << "Proxy-Authorization: Basic " + basic("alice:s3cret:x") +
                   "\r\nProxy-Authorization: Basic " + basic("alice:s3cret:x");
        QTest::newRow("wrong one after the right one")
            << "Proxy-Authorization: Basic " + basic("alice:s3cret:x") +
                   "\r\nProxy-Authorization: Basic " + basic("bob:x");
        QTest::newRow("in Authorization instead")
            << "Authorization: Basic " + basic("alice:s3cret:x");
    }

    void rejectsMissingOrWrongProxyAuthorizationWith407()
    {
        QFETCH(QByteArray, field);
        const QByteArray fieldLine = field.isEmpty() ? QByteArray() : field + "\r\n";
        for (const QByteArray& requestLine : {QByteArray("CONNECT a.example:443 HTTP/1.1\r\n"),
                                              QByteArray("GET http://a.example/ HTTP/1.1\r\n")}) {
            const QByteArray input = requestLine + fieldLine + "\r\n";
            for (qsizetype pieceSize : {input.size(), qsizetype(1)}) {
                const QList<Event> events = feedWithCredentials(input, pieceSize);
                QCOMPARE(events.size(), 1);
                QCOMPARE(describe(events[0]),
                         QByteArray("Error 407 proxy authentication required"));
            }
        }
    }

    void requiresProxyAuthorizationOnEveryKeepAliveRequest()
    {
        const QByteArray authorized = "GET http://a.example/1 HTTP/1.1\r\n"
                                      "Proxy-Authorization: Basic " +
                                      basic("alice:s3cret:x") + "\r\n\r\n";
        const QByteArray anonymous = "GET http://a.example/2 HTTP/1.1\r\n\r\n";
        const QList<Event> events = feedWithCredentials(authorized + authorized + anonymous, 1);
        QCOMPARE(typesOf(events), (QList<Type>{Type::RequestHead, Type::MessageEnd,
                                               Type::RequestHead, Type::MessageEnd, Type::Error}));
        QCOMPARE(events.last().status, 407);
    }

    void ignoresProxyAuthorizationWithoutCredentials()
    {
        const QList<Event> events = feedAll("GET http://a.example/ HTTP/1.1\r\n"
                                            "Proxy-Authorization: Basic !!!!\r\n\r\n");
        QCOMPARE(typesOf(events), (QList<Type>{Type::RequestHead, Type::MessageEnd}));
    }

    void formatsErrorResponse_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("reason");
        QTest::addColumn<QByteArray>("response");
        QTest::newRow("400") << 400 << QByteArrayLiteral("malformed request line")
                             << QByteArrayLiteral("HTTP/1.1 400 Bad Request\r\n"
                                                  "Content-Type: text/plain; charset=utf-8\r\n"
                                                  "Content-Length: 23\r\n"
                                                  "Connection: close\r\n"
                                                  "\r\n"
                                                  "malformed request line\n");
        QTest::newRow("405 lists allowed methods")
            << 405 << QByteArrayLiteral("method not allowed")
            << QByteArrayLiteral("HTTP/1.1 405 Method Not Allowed\r\n"
                                 "Content-Type: text/plain; charset=utf-8\r\n"
                                 "Content-Length: 19\r\n"
                                 "Connection: close\r\n"
                                 "Allow: GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, "
                                 "PATCH\r\n"
                                 "\r\n"
                                 "method not allowed\n");
        QTest::newRow("407 names the Basic scheme")
            << 407 << QByteArrayLiteral("proxy authentication required")
            << QByteArrayLiteral("HTTP/1.1 407 Proxy Authentication Required\r\n"
                                 "Content-Type: text/plain; charset=utf-8\r\n"
                                 "Content-Length: 30\r\n"
                                 "Connection: close\r\n"
                                 "Proxy-Authenticate: Basic realm=\"ech-workers\"\r\n"
                                 "\r\n"
                                 "proxy authentication required\n");
        QTest::newRow("431") << 431 << QByteArrayLiteral("x")
                             << QByteArrayLiteral("HTTP/1.1 431 Request Header Fields Too Large\r\n"
                                                  "Content-Type: text/plain; charset=utf-8\r\n"
                                                  "Content-Length: 2\r\n"
                                                  "Connection: close\r\n"
                                                  "\r\n"
                                                  "x\n");
        QTest::newRow("505") << 505 << QByteArray()
                             << QByteArrayLiteral("HTTP/1.1 505 HTTP Version Not Supported\r\n"
                                                  "Content-Type: text/plain; charset=utf-8\r\n"
                                                  "Content-Length: 1\r\n"
                                                  "Connection: close\r\n"
                                                  "\r\n"
                                                  "\n");
        QTest::newRow("502") << 502 << QByteArrayLiteral("upstream failed")
                             << QByteArrayLiteral("HTTP/1.1 502 Bad Gateway\r\n"
                                                  "Content-Type: text/plain; charset=utf-8\r\n"
                                                  "Content-Length: 16\r\n"
                                                  "Connection: close\r\n"
                                                  "\r\n"
                                                  "upstream failed\n");
    }

    void formatsErrorResponse()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, reason);
        QFETCH(QByteArray, response);
        QCOMPARE(HttpProxyParser::errorResponse(status, reason), response);
    }

private:
    static void runErrorRow()
    {
        QFETCH(QByteArray, input);
        QFETCH(int, status);
        expectError(input, status);
    }
};

QTEST_APPLESS_MAIN(TestHttpProxyParser)
#include "tst_httpproxyparser.moc"
