// Pipelined requests through the HTTP proxy (routing none) to two real origins: the client
// sends every request in one write, then reads the responses off the one connection. Each must
// come back in request order with its own target's body; a proxy that drops an upstream when
// the target changes loses the first response, and the client pairs the next one with it.
#include "DeterministicContent.h"
#include "ProcessFixture.h"

#include <QDeadlineTimer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace std::chrono_literals;
using namespace echw::test;

namespace {

constexpr auto kWait = 20s;

struct Response {
    QByteArray statusLine;
    QByteArray body;
};

// Reads one response framed by Content-Length (what the origin sends), or none for HEAD.
// Waits on the socket's own events under one deadline, never a fixed sleep.
std::optional<Response> readResponse(QTcpSocket& socket, QByteArray& buffer, bool headRequest)
{
    QDeadlineTimer deadline(kWait);
    auto fill = [&] {
        if (!socket.waitForReadyRead(int(deadline.remainingTime())))
            return false;
        buffer += socket.readAll();
        return true;
    };
    qsizetype headEnd;
    while ((headEnd = buffer.indexOf("\r\n\r\n")) < 0) {
        if (!fill())
            return std::nullopt;
    }
    const QByteArray head = buffer.left(headEnd);
    buffer.remove(0, headEnd + 4);
    qsizetype length = 0;
    for (const QByteArray& line : head.split('\n')) {
        if (line.toLower().startsWith("content-length:"))
            length = line.mid(15).trimmed().toLongLong();
    }
    if (headRequest)
        length = 0;
    while (buffer.size() < length) {
        if (!fill())
            return std::nullopt;
    }
    Response response{head.left(head.indexOf('\r')), buffer.left(length)};
    buffer.remove(0, length);
    return response;
}

} // namespace

class TestHttpPipelining : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void answersTwoTargetsInRequestOrder();
    void answersThreeRequestsAlternatingTargetsWithTheirOwnBodies();
    void keepsSameTargetPipeliningOnOneUpstream();
    void answersHeadThenGetToAnotherTarget();

private:
    QByteArray get(quint16 port, QByteArrayView path, QByteArrayView method = "GET") const;
    // Sends `requests` in one write and reads one response per request.
    QList<Response> exchange(const QByteArray& requests, const QList<bool>& headRequests);

    std::unique_ptr<ServiceProcess> m_originA;
    std::unique_ptr<ServiceProcess> m_originB;
    std::unique_ptr<ServiceProcess> m_client;
    quint16 m_portA = 0;
    quint16 m_portB = 0;
    quint16 m_proxyPort = 0;
};

void TestHttpPipelining::initTestCase()
{
    const QStringList listen{QStringLiteral("--listen"), QStringLiteral("127.0.0.1")};
    m_originA = std::make_unique<ServiceProcess>(QStringLiteral(ECHW_ORIGIN_BIN), listen);
    m_originB = std::make_unique<ServiceProcess>(QStringLiteral(ECHW_ORIGIN_BIN), listen);
    m_portA = m_originA->waitForPort(20s);
    m_portB = m_originB->waitForPort(20s);
    QVERIFY2(m_portA != 0 && m_portB != 0, "an origin did not start");

    m_client =
        std::make_unique<ServiceProcess>(QStringLiteral(ECHW_CLIENT_BIN), directClientArguments());
    m_proxyPort = m_client->waitForPort(20s);
    QVERIFY2(m_proxyPort != 0, qPrintable(m_client->output()));
}

void TestHttpPipelining::cleanupTestCase()
{
    if (m_client) {
        QVERIFY2(m_client->isRunning(), "the client died during the tests");
        QCOMPARE(m_client->stop(20s), 0);
    }
}

QByteArray TestHttpPipelining::get(quint16 port, QByteArrayView path, QByteArrayView method) const
{
    const QByteArray authority = "127.0.0.1:" + QByteArray::number(port);
    return method.toByteArray() + " http://" + authority + path.toByteArray() +
           " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n";
}

QList<Response> TestHttpPipelining::exchange(const QByteArray& requests,
                                             const QList<bool>& headRequests)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_proxyPort);
    if (!socket.waitForConnected(int(std::chrono::milliseconds(kWait).count())))
        return {};
    socket.write(requests);
    QByteArray buffer;
    QList<Response> responses;
    for (const bool headRequest : headRequests) {
        auto response = readResponse(socket, buffer, headRequest);
        if (!response)
            break;
        responses.append(*response);
    }
    return responses;
}

void TestHttpPipelining::answersTwoTargetsInRequestOrder()
{
    const auto responses =
        exchange(get(m_portA, "/hello") + get(m_portB, "/hello"), {false, false});
    QCOMPARE(responses.size(), 2);
    QCOMPARE(responses[0].body, "hello from 127.0.0.1:" + QByteArray::number(m_portA) + '\n');
    QCOMPARE(responses[1].body, "hello from 127.0.0.1:" + QByteArray::number(m_portB) + '\n');
}

void TestHttpPipelining::answersThreeRequestsAlternatingTargetsWithTheirOwnBodies()
{
    // A body larger than the relay's buffers, so the switch waits for a response in flight.
    constexpr qsizetype kLarge = 3 * 1024 * 1024;
    const auto responses = exchange(get(m_portA, "/bytes/3145728?seed=7") + get(m_portB, "/hello") +
                                        get(m_portA, "/bytes/1000?seed=8"),
                                    {false, false, false});
    QCOMPARE(responses.size(), 3);
    QVERIFY(responses[0].body == content(7, 0, kLarge));
    QCOMPARE(responses[1].body, "hello from 127.0.0.1:" + QByteArray::number(m_portB) + '\n');
    QVERIFY(responses[2].body == content(8, 0, 1000));
}

void TestHttpPipelining::keepsSameTargetPipeliningOnOneUpstream()
{
    const auto responses = exchange(get(m_portA, "/bytes/100000?seed=1") + get(m_portA, "/hello") +
                                        get(m_portA, "/bytes/10?seed=2"),
                                    {false, false, false});
    QCOMPARE(responses.size(), 3);
    QVERIFY(responses[0].body == content(1, 0, 100000));
    QCOMPARE(responses[1].body, "hello from 127.0.0.1:" + QByteArray::number(m_portA) + '\n');
    QVERIFY(responses[2].body == content(2, 0, 10));
}

void TestHttpPipelining::answersHeadThenGetToAnotherTarget()
{
    // The HEAD response announces a body it does not carry: a tracker that expected one would
    // wait forever and never let the second request go.
    const auto responses = exchange(
        get(m_portA, "/bytes/5000?seed=3", "HEAD") + get(m_portB, "/hello"), {true, false});
    QCOMPARE(responses.size(), 2);
    QVERIFY(responses[0].statusLine.startsWith("HTTP/1.1 200"));
    QVERIFY(responses[0].body.isEmpty());
    QCOMPARE(responses[1].body, "hello from 127.0.0.1:" + QByteArray::number(m_portB) + '\n');
}

QTEST_GUILESS_MAIN(TestHttpPipelining)
#include "tst_httppipelining.moc"
