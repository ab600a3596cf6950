#include "metrics/MetricsServer.h"

#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace echw;

namespace {

QByteArray body()
{
    return QByteArrayLiteral("# HELP a_total A.\n# TYPE a_total counter\na_total 1\n");
}

QByteArray respond(const QByteArray& head)
{
    return MetricsServer::respond(head, [] { return body(); });
}

QByteArray statusLine(const QByteArray& response)
{
    return response.left(response.indexOf("\r\n"));
}

} // namespace

class TestMetricsServer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void answersGetMetricsWithTheExposition()
    {
        const QByteArray response =
            respond("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n");
        QCOMPARE(response, QByteArray("HTTP/1.1 200 OK\r\n"
                                      "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                                      "Content-Length: ") +
                               QByteArray::number(body().size()) +
                               "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" + body());
        QCOMPARE(statusLine(respond("GET /metrics?x=1 HTTP/1.0\r\n\r\n")),
                 QByteArray("HTTP/1.1 200 OK"));
        const QByteArray head = respond("HEAD /metrics HTTP/1.1\r\n\r\n");
        QCOMPARE(statusLine(head), QByteArray("HTTP/1.1 200 OK"));
        QVERIFY(head.endsWith("\r\n\r\n"));
    }

    void answersOtherPathsWith404AndOtherMethodsWith405()
    {
        QCOMPARE(statusLine(respond("GET / HTTP/1.1\r\n\r\n")),
                 QByteArray("HTTP/1.1 404 Not Found"));
        QCOMPARE(statusLine(respond("GET /metricsx HTTP/1.1\r\n\r\n")),
                 QByteArray("HTTP/1.1 404 Not Found"));
        const QByteArray post = respond("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        QCOMPARE(statusLine(post), QByteArray("HTTP/1.1 405 Method Not Allowed"));
        QVERIFY(post.contains("\r\nAllow: GET, HEAD\r\n"));
    }

    void rejectsMalformedRequests_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::newRow("no version") << QByteArray("GET /metrics\r\n\r\n");
        QTest::newRow("double space") << QByteArray("GET  /metrics HTTP/1.1\r\n\r\n");
        QTest::newRow("HTTP/2") << QByteArray("GET /metrics HTTP/2\r\n\r\n");
        QTest::newRow("bad method") << QByteArray("G(T /metrics HTTP/1.1\r\n\r\n");
        QTest::newRow("folded field") << QByteArray("GET /metrics HTTP/1.1\r\n a: b\r\n\r\n");
        QTest::newRow("space before colon")
            << QByteArray("GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n");
        QTest::newRow("control in value") << QByteArray("GET /metrics HTTP/1.1\r\nHost: a\x01"
                                                        "b\r\n\r\n");
        QTest::newRow("empty") << QByteArray("\r\n\r\n");
    }

    void rejectsMalformedRequests()
    {
        QFETCH(QByteArray, head);
        QCOMPARE(statusLine(respond(head)), QByteArray("HTTP/1.1 400 Bad Request"));
    }

    void servesOverTcpAndClosesSlowClientsAtTheDeadline()
    {
        MetricsServer server([] { return body(); }, std::chrono::milliseconds(300));
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));

        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(client.waitForConnected(5000));
        client.write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        QSignalSpy closed(&client, &QTcpSocket::disconnected);
        QVERIFY(closed.wait(5000));
        QVERIFY(client.readAll().endsWith(body()));

        QTcpSocket slow;
        slow.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(slow.waitForConnected(5000));
        slow.write("GET /metr");
        QSignalSpy slowClosed(&slow, &QTcpSocket::disconnected);
        QVERIFY(slowClosed.wait(5000));
        QVERIFY(slow.readAll().isEmpty());
    }

    void capsTheRequestHead()
    {
        MetricsServer server([] { return body(); });
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(client.waitForConnected(5000));
        client.write("GET /metrics HTTP/1.1\r\nX: " +
                     QByteArray(MetricsServer::kMaxRequestHead, 'a'));
        QSignalSpy closed(&client, &QTcpSocket::disconnected);
        QVERIFY(closed.wait(5000));
        QCOMPARE(statusLine(client.readAll()),
                 QByteArray("HTTP/1.1 431 Request Header Fields Too Large"));
    }
};

QTEST_GUILESS_MAIN(TestMetricsServer)
#include "tst_metricsserver.moc"
