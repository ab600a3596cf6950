#include "http/HttpResponseTracker.h"

#include <QTest>

using echw::http::HeadLimits;
using echw::http::ResponseTracker;

class TestHttpResponseTracker : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void countsResponsesAtEverySplit_data();
    void countsResponsesAtEverySplit();
    void goesOpaqueWhenFramingIsLost_data();
    void goesOpaqueWhenFramingIsLost();
    void endsAResponseReadToTheClose();
};

void TestHttpResponseTracker::countsResponsesAtEverySplit_data()
{
    QTest::addColumn<QList<bool>>("headRequests");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<qsizetype>("outstanding");

    QTest::newRow("length then chunked")
        << QList<bool>{false, false}
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        << qsizetype(0);
    QTest::newRow("interim responses do not answer")
        << QList<bool>{false}
        << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n")
        << qsizetype(1);
    QTest::newRow("interim then final")
        << QList<bool>{false}
        << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")
        << qsizetype(0);
    QTest::newRow("HEAD has no body despite Content-Length")
        << QList<bool>{true, false}
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"
                      "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n")
        << qsizetype(0);
    QTest::newRow("body still coming")
        << QList<bool>{false, false} << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab")
        << qsizetype(2);
}

void TestHttpResponseTracker::countsResponsesAtEverySplit()
{
    QFETCH(QList<bool>, headRequests);
    QFETCH(QByteArray, bytes);
    QFETCH(qsizetype, outstanding);
    for (qsizetype at = 0; at <= bytes.size(); ++at) {
        ResponseTracker tracker;
        for (const bool head : headRequests)
            tracker.expect(head);
        tracker.observe(QByteArrayView(bytes).first(at));
        tracker.observe(QByteArrayView(bytes).sliced(at));
        QCOMPARE(tracker.outstanding(), outstanding);
        QVERIFY(!tracker.opaque());
    }
}

void TestHttpResponseTracker::goesOpaqueWhenFramingIsLost_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("close-delimited body") << QByteArray("HTTP/1.1 200 OK\r\n\r\nbody");
    QTest::newRow("head over the limit") << "HTTP/1.1 200 OK\r\nX: " + QByteArray(70000, 'x');
    QTest::newRow("CL with TE") << QByteArray(
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n");
    QTest::newRow("switching protocols") << QByteArray("HTTP/1.1 101 Switching\r\n\r\n");
    QTest::newRow("not HTTP") << QByteArray("SSH-2.0-x\r\n\r\n");
    QTest::newRow("bad chunk") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                                             "\r\nzz\r\n");
    QTest::newRow("a second response nobody asked for")
        << QByteArray("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
}

void TestHttpResponseTracker::goesOpaqueWhenFramingIsLost()
{
    QFETCH(QByteArray, bytes);
    ResponseTracker tracker;
    tracker.expect(false);
    tracker.observe(bytes);
    QVERIFY(tracker.opaque());
}

void TestHttpResponseTracker::endsAResponseReadToTheClose()
{
    ResponseTracker tracker;
    tracker.expect(false);
    tracker.expect(false);
    tracker.observe("HTTP/1.1 200 OK\r\n\r\nbody until the close");
    QCOMPARE(tracker.outstanding(), 2);
    tracker.finishInput();
    // The close ends the first; the second was never answered on this connection.
    QCOMPARE(tracker.outstanding(), 1);
}

QTEST_GUILESS_MAIN(TestHttpResponseTracker)
#include "tst_httpresponsetracker.moc"
