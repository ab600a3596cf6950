// TunnelStream (our WebSocket client and the worker protocol on it) against a second,
// independent WebSocket implementation: Qt WebSockets' QWebSocketServer plays the worker over
// plain TCP on loopback. Whatever both implementations agree on is RFC 6455 as others read it,
// not only as our own encoder and decoder read each other.
#include "DeterministicContent.h"
#include "WebSocketPayloadRows.h"
#include "net/SocketStream.h"
#include "net/TcpDialer.h"
#include "ws/TunnelStream.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <memory>

using namespace echw;
using namespace std::chrono_literals;

namespace {

constexpr int kWaitMs = 10000;
const QString kToken = QStringLiteral("oracle-Token-1");
const QString kPath = QStringLiteral("/oracle/path");
const QByteArray kConnectRequest = QByteArrayLiteral("CONNECT:origin.test:8443|hello");
// Sent after each payload so that a size of 0 still has something to arrive, and so that
// message boundaries are seen to add or drop nothing.
const QByteArray kMarker = QByteArrayLiteral("\xffmarker");

// The worker's side, as the deployed worker behaves: answers CONNECT with CONNECTED, then
// collects the binary payload. `subprotocols` are the tokens it accepts.
class QtWorker : public QObject {
public:
    explicit QtWorker(const QStringList& subprotocols = {})
        : m_server(QStringLiteral("oracle"), QWebSocketServer::NonSecureMode)
    {
        m_server.setSupportedSubprotocols(subprotocols);
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            m_peer.reset(m_server.nextPendingConnection());
            connect(m_peer.get(), &QWebSocket::textMessageReceived, this,
                    [this](const QString& text) {
                        texts.append(text);
                        if (answerConnect && text.startsWith(u"CONNECT:"))
                            m_peer->sendTextMessage(QStringLiteral("CONNECTED"));
                    });
            connect(m_peer.get(), &QWebSocket::binaryFrameReceived, this,
                    [this](const QByteArray& frame) { received += frame; });
        });
        if (!m_server.listen(QHostAddress::LocalHost, 0))
            qFatal("QWebSocketServer: %s", qPrintable(m_server.errorString()));
    }

    quint16 port() const { return m_server.serverPort(); }
    QWebSocket* peer() const { return m_peer.get(); }

    bool answerConnect = true;
    QStringList texts;
    QByteArray received;

private:
    QWebSocketServer m_server;
    std::unique_ptr<QWebSocket> m_peer;
};

// Our client: TCP, then TunnelStream straight on the socket (TunnelConnector puts TLS between).
class OurClient : public QObject {
public:
    OurClient(quint16 port, const QString& subprotocol)
    {
        m_setup.upgrade.host = QStringLiteral("127.0.0.1");
        m_setup.upgrade.port = port;
        m_setup.upgrade.path = kPath;
        m_setup.upgrade.subprotocol = subprotocol;
        m_setup.target = *TargetAddress::fromHostPort(u"origin.test", 8443);
        m_setup.earlyData = "hello";
        m_setup.timeout = 5s;
        m_setup.keepAliveInterval = 0ms; // only the pings a test sends
        m_dialer = std::make_unique<TcpDialer>(
            *TargetAddress::fromHostPort(u"127.0.0.1", port), 5s,
            [this](TcpDialer::Result result) { onTcp(std::move(result)); });
        m_dialer->start();
    }

    // Until CONNECTED or a failure; false when neither came in time.
    bool waitForSetup()
    {
        return QTest::qWaitFor([this] { return established || !setupError.isEmpty(); }, kWaitMs);
    }
    TunnelStream* tunnel() const { return m_tunnel.get(); }

    bool established = false;
    QString setupError;
    QByteArray received;
    int readFinished = 0;
    QStringList failures;

private:
    void onTcp(TcpDialer::Result result)
    {
        if (auto* error = std::get_if<ConnectError>(&result)) {
            setupError = error->message;
            return;
        }
        m_tunnel = std::make_unique<TunnelStream>(
            std::get<std::unique_ptr<SocketStream>>(std::move(result)), m_setup);
        connect(m_tunnel.get(), &TunnelStream::established, this, [this] { established = true; });
        connect(m_tunnel.get(), &TunnelStream::setupFailed, this,
                [this](const ConnectError& error) { setupError = error.message; });
        connect(m_tunnel.get(), &ByteStream::readyRead, this, [this] {
            char buffer[16 * 1024];
            qint64 n = 0;
            while ((n = m_tunnel->read(buffer, sizeof buffer)) > 0)
                received.append(buffer, n);
        });
        connect(m_tunnel.get(), &ByteStream::readFinished, this, [this] { ++readFinished; });
        connect(m_tunnel.get(), &ByteStream::failed, this,
                [this](const QString& reason) { failures.append(reason); });
        m_tunnel->start();
    }

    TunnelStream::Setup m_setup;
    std::unique_ptr<TcpDialer> m_dialer;
    std::unique_ptr<TunnelStream> m_tunnel;
};

// A tunnel through which data flows: our client connected to the Qt worker.
struct OpenTunnel {
    std::unique_ptr<QtWorker> worker = std::make_unique<QtWorker>();
    std::unique_ptr<OurClient> client = std::make_unique<OurClient>(worker->port(), QString());
};

} // namespace

class TestTunnelStreamOracle : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void upgradesAndConnectsAsQtWebSocketsExpects_data();
    void upgradesAndConnectsAsQtWebSocketsExpects();
    void receivesQtMessagesByteIdentical_data();
    void receivesQtMessagesByteIdentical();
    void sendsBinaryMessagesQtReadsByteIdentical_data();
    void sendsBinaryMessagesQtReadsByteIdentical();
    void reassemblesConnectedAndCloseSentInFragments();
    void answersQtPingsWithTheSamePayload_data();
    void answersQtPingsWithTheSamePayload();
    void endsOnceWhenQtClosesNormally();
    void failsOnceWhenQtClosesAbnormally_data();
    void failsOnceWhenQtClosesAbnormally();
    void closesWithProtocolErrorWhenDataComesBeforeConnected();
    void closesWithMessageTooBigForAnOversizedText();

private:
    // Opens a tunnel and waits until both ends see it open; the test fails otherwise.
    static bool open(OpenTunnel& tunnel);
};

bool TestTunnelStreamOracle::open(OpenTunnel& tunnel)
{
    if (!tunnel.client->waitForSetup() || !tunnel.client->established) {
        qWarning("tunnel not established: %s", qPrintable(tunnel.client->setupError));
        return false;
    }
    return tunnel.worker->peer() != nullptr;
}

void TestTunnelStreamOracle::upgradesAndConnectsAsQtWebSocketsExpects_data()
{
    QTest::addColumn<QString>("offered");
    QTest::addColumn<QStringList>("accepted");
    QTest::addColumn<QString>("selected");
    QTest::addColumn<bool>("warnsTokenUnchecked");
    QTest::newRow("no token") << QString() << QStringList() << QString() << false;
    QTest::newRow("token confirmed")
        << kToken << QStringList{QStringLiteral("other"), kToken} << kToken << false;
    // QWebSocketServer, like the deployed worker without a token, then selects none.
    QTest::newRow("token not confirmed")
        << kToken << QStringList{QStringLiteral("other")} << QString() << true;
}

void TestTunnelStreamOracle::upgradesAndConnectsAsQtWebSocketsExpects()
{
    QFETCH(QString, offered);
    QFETCH(QStringList, accepted);
    QFETCH(QString, selected);
    QFETCH(bool, warnsTokenUnchecked);
    QtWorker worker(accepted);
    const QRegularExpression warning(QStringLiteral("does not check tokens"));
    if (warnsTokenUnchecked)
        QTest::ignoreMessage(QtWarningMsg, warning);
    else
        QTest::failOnWarning(warning);
    OurClient client(worker.port(), offered);
    QVERIFY(client.waitForSetup());
    QVERIFY2(client.established, qPrintable(client.setupError));
    QVERIFY(worker.peer());
    QCOMPARE(worker.peer()->requestUrl().path(), kPath);
    QCOMPARE(worker.peer()->subprotocol(), selected);
    QCOMPARE(worker.texts, QStringList{QString::fromLatin1(kConnectRequest)});
    QCOMPARE(worker.received, QByteArray());
}

void TestTunnelStreamOracle::receivesQtMessagesByteIdentical_data()
{
    test::addWebSocketPayloadRows(true);
}

void TestTunnelStreamOracle::receivesQtMessagesByteIdentical()
{
    QFETCH(qsizetype, size);
    QFETCH(quint64, frameSize);
    OpenTunnel tunnel;
    QVERIFY(open(tunnel));
    if (frameSize > 0)
        tunnel.worker->peer()->setOutgoingFrameSize(frameSize);
    const QByteArray payload = test::content(quint64(size) * 31 + frameSize, 0, size);
    QCOMPARE(tunnel.worker->peer()->sendBinaryMessage(payload), size);
    tunnel.worker->peer()->sendBinaryMessage(kMarker);
    const QByteArray expected = payload + kMarker;
    QTRY_VERIFY_WITH_TIMEOUT(tunnel.client->received.size() >= expected.size(), kWaitMs);
    QVERIFY(tunnel.client->received == expected);
    QCOMPARE(tunnel.client->readFinished, 0);
    QCOMPARE(tunnel.client->failures, QStringList());
}

void TestTunnelStreamOracle::sendsBinaryMessagesQtReadsByteIdentical_data()
{
    test::addWebSocketPayloadRows(false);
}

void TestTunnelStreamOracle::sendsBinaryMessagesQtReadsByteIdentical()
{
    QFETCH(qsizetype, size);
    OpenTunnel tunnel;
    QVERIFY(open(tunnel));
    QSignalSpy messages(tunnel.worker->peer(), &QWebSocket::binaryMessageReceived);
    const QByteArray payload = test::content(quint64(size) * 17 + 1, 0, size);
    tunnel.client->tunnel()->write(payload);
    tunnel.client->tunnel()->write(kMarker);
    const QByteArray expected = payload + kMarker;
    QTRY_VERIFY_WITH_TIMEOUT(tunnel.worker->received.size() >= expected.size(), kWaitMs);
    QVERIFY(tunnel.worker->received == expected);
    // One message per write (an empty write sends nothing), each a valid masked frame to Qt.
    QCOMPARE(messages.size(), size > 0 ? 2 : 1);
    QCOMPARE(messages.last().at(0).toByteArray(), kMarker);
    QCOMPARE(tunnel.worker->texts, QStringList{QString::fromLatin1(kConnectRequest)});
}

// Text messages split into continuation frames (RFC 6455 section 5.4) are reassembled before
// the worker protocol reads them.
void TestTunnelStreamOracle::reassemblesConnectedAndCloseSentInFragments()
{
    QtWorker worker;
    worker.answerConnect = false;
    OurClient client(worker.port(), QString());
    QTRY_VERIFY_WITH_TIMEOUT(worker.texts.size() == 1, kWaitMs);
    worker.peer()->setOutgoingFrameSize(2);
    worker.peer()->sendTextMessage(QStringLiteral("CONNECTED"));
    QVERIFY(client.waitForSetup());
    QVERIFY2(client.established, qPrintable(client.setupError));
    worker.peer()->sendBinaryMessage("abc");
    worker.peer()->sendTextMessage(QStringLiteral("CLOSE"));
    QTRY_COMPARE_WITH_TIMEOUT(client.readFinished, 1, kWaitMs);
    QCOMPARE(client.received, QByteArray("abc"));
    QCOMPARE(client.failures, QStringList());
}

void TestTunnelStreamOracle::answersQtPingsWithTheSamePayload_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("text") << QByteArray("ping from Qt");
    // The largest a control frame carries (section 5.5), every byte value below 125.
    QByteArray largest;
    for (int i = 0; i < 125; ++i)
        largest.append(char(i * 3));
    QTest::newRow("125 bytes") << largest;
}

void TestTunnelStreamOracle::answersQtPingsWithTheSamePayload()
{
    QFETCH(QByteArray, payload);
    OpenTunnel tunnel;
    QVERIFY(open(tunnel));
    QSignalSpy pongs(tunnel.worker->peer(), &QWebSocket::pong);
    tunnel.worker->peer()->ping(payload);
    QVERIFY(pongs.wait(kWaitMs));
    QCOMPARE(pongs.size(), 1);
    QCOMPARE(pongs.first().at(1).toByteArray(), payload);
    // The ping is not data.
    tunnel.worker->peer()->sendBinaryMessage(kMarker);
    QTRY_COMPARE_WITH_TIMEOUT(tunnel.client->received, kMarker, kWaitMs);
}

void TestTunnelStreamOracle::endsOnceWhenQtClosesNormally()
{
    OpenTunnel tunnel;
    QVERIFY(open(tunnel));
    tunnel.worker->peer()->sendBinaryMessage("last bytes");
    tunnel.worker->peer()->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("done"));
    QTRY_COMPARE_WITH_TIMEOUT(tunnel.client->readFinished, 1, kWaitMs);
    QCOMPARE(tunnel.client->received, QByteArray("last bytes"));
    // Queued reports get their turn of the loop: a second one would show.
    QCoreApplication::processEvents();
    QCOMPARE(tunnel.client->readFinished, 1);
    QCOMPARE(tunnel.client->failures, QStringList());
}

void TestTunnelStreamOracle::failsOnceWhenQtClosesAbnormally_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("reason");
    QTest::newRow("1001 going away")
        << int(QWebSocketProtocol::CloseCodeGoingAway) << QStringLiteral("server restarting");
    QTest::newRow("1011 internal error")
        << int(QWebSocketProtocol::CloseCodeBadOperation) << QStringLiteral("boom");
}

// A close with another code than 1000 means the connection was cut, not finished: the local
// client must see a failure (a reset), not a clean end that looks like a complete response.
void TestTunnelStreamOracle::failsOnceWhenQtClosesAbnormally()
{
    QFETCH(int, code);
    QFETCH(QString, reason);
    OpenTunnel tunnel;
    QVERIFY(open(tunnel));
    tunnel.worker->peer()->sendBinaryMessage("partial");
    tunnel.worker->peer()->close(QWebSocketProtocol::CloseCode(code), reason);
    QTRY_COMPARE_WITH_TIMEOUT(tunnel.client->failures.size(), 1, kWaitMs);
    QCOMPARE(
        tunnel.client->failures.first(),
        QStringLiteral("the worker closed the WebSocket with code %1: %2").arg(code).arg(reason));
    QCOMPARE(tunnel.client->received, QByteArray("partial"));
    QCoreApplication::processEvents();
    QCOMPARE(tunnel.client->failures.size(), 1);
    QCOMPARE(tunnel.client->readFinished, 0);
}

// Our Close frames as Qt reads them: the code we fail the connection with reaches the peer.
void TestTunnelStreamOracle::closesWithProtocolErrorWhenDataComesBeforeConnected()
{
    QtWorker worker;
    worker.answerConnect = false;
    OurClient client(worker.port(), QString());
    QTRY_VERIFY_WITH_TIMEOUT(worker.texts.size() == 1, kWaitMs);
    QSignalSpy disconnected(worker.peer(), &QWebSocket::disconnected);
    worker.peer()->sendBinaryMessage("too early");
    QVERIFY(client.waitForSetup());
    QCOMPARE(client.setupError, QStringLiteral("the worker sent data before CONNECTED"));
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, kWaitMs);
    QCOMPARE(worker.peer()->closeCode(), QWebSocketProtocol::CloseCodeProtocolError);
}

void TestTunnelStreamOracle::closesWithMessageTooBigForAnOversizedText()
{
    OpenTunnel tunnel;
    QVERIFY(open(tunnel));
    QSignalSpy disconnected(tunnel.worker->peer(), &QWebSocket::disconnected);
    tunnel.worker->peer()->sendTextMessage(
        QString(WebSocketFrameDecoder::kDefaultMaxTextMessageBytes + 1, u'x'));
    QTRY_COMPARE_WITH_TIMEOUT(tunnel.client->failures.size(), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, kWaitMs);
    QCOMPARE(tunnel.worker->peer()->closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
}

QTEST_GUILESS_MAIN(TestTunnelStreamOracle)
#include "tst_tunnelstreamoracle.moc"
