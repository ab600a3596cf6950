// The worker server (WorkerConnection's upgrade, WorkerSession's protocol) against a second,
// independent WebSocket implementation: Qt WebSockets' QWebSocket is the client, over TLS to
// the in-process server (it trusts the server's self-signed certificate; Qt's TLS has no ECH,
// so these handshakes are plain TLS 1.3), and the target is a plain QTcpServer on loopback that
// records every byte.
#include "DeterministicContent.h"
#include "InProcessWorker.h"
#include "WebSocketPayloadRows.h"

#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <memory>

using namespace echw;
using namespace echw::server;
using namespace std::chrono_literals;

namespace {

constexpr int kWaitMs = 10000;
const QString kServerName = QStringLiteral("127.0.0.1");
const QString kToken = QStringLiteral("oracle-Token-2");

// The target: one accepted TCP connection whose bytes are collected as they arrive.
class Origin : public QObject {
public:
    Origin()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            m_socket.reset(m_server.nextPendingConnection());
            m_socket->setParent(nullptr);
            connect(m_socket.get(), &QTcpSocket::readyRead, this,
                    [this] { received += m_socket->readAll(); });
            connect(m_socket.get(), &QTcpSocket::readChannelFinished, this,
                    [this] { ended = true; });
        });
        if (!m_server.listen(QHostAddress::LocalHost, 0))
            qFatal("origin: %s", qPrintable(m_server.errorString()));
    }

    quint16 port() const { return m_server.serverPort(); }
    QTcpSocket* socket() const { return m_socket.get(); }

    QByteArray received;
    bool ended = false;

private:
    QTcpServer m_server;
    std::unique_ptr<QTcpSocket> m_socket;
};

// Qt's client, collecting what the worker sends.
class QtClient : public QObject {
public:
    explicit QtClient(const QString& certificateFile)
    {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setCaCertificates(QSslCertificate::fromPath(certificateFile));
        socket.setSslConfiguration(tls);
        connect(&socket, &QWebSocket::textMessageReceived, this,
                [this](const QString& text) { texts.append(text); });
        connect(&socket, &QWebSocket::binaryFrameReceived, this,
                [this](const QByteArray& frame) { received += frame; });
    }

    // The upgrade, offering `subprotocols`; false when the socket did not connect in time.
    bool open(quint16 port, const QStringList& subprotocols = {})
    {
        QSignalSpy connected(&socket, &QWebSocket::connected);
        QWebSocketHandshakeOptions options;
        options.setSubprotocols(subprotocols);
        socket.open(QUrl(QStringLiteral("wss://%1:%2/oracle").arg(kServerName).arg(port)), options);
        return connected.wait(kWaitMs);
    }

    QWebSocket socket;
    QStringList texts;
    QByteArray received;
};

} // namespace

class TestWorkerServerOracle : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void upgradesQtWithAndWithoutToken_data();
    void upgradesQtWithAndWithoutToken();
    void connectsQtToTheTargetWithItsFirstBytes();
    void relaysQtMessagesToTheTargetByteIdentical_data();
    void relaysQtMessagesToTheTargetByteIdentical();
    void relaysTheTargetToQtByteIdentical_data();
    void relaysTheTargetToQtByteIdentical();
    void answersQtPingsWithTheSamePayload_data();
    void answersQtPingsWithTheSamePayload();
    void closesQtWithNormalWhenTheTargetEnds();
    void endsTheTargetWhenQtCloses_data();
    void endsTheTargetWhenQtCloses();
    void closesQtWithPolicyViolationWithoutConnect();
    void closesQtWithProtocolErrorOnASecondConnect();

private:
    // Qt's client connected through a fresh worker to m_origin: CONNECT sent, CONNECTED seen.
    bool connectThrough(QtClient& client, const WorkerServer& worker);

    QTemporaryDir m_dir;
    ServerCredentials m_credentials;
    std::unique_ptr<Origin> m_origin;
};

void TestWorkerServerOracle::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_credentials = test::workerCredentials(m_dir.filePath(QStringLiteral("state")), {kServerName},
                                            QStringLiteral("public.test"));
}

bool TestWorkerServerOracle::connectThrough(QtClient& client, const WorkerServer& worker)
{
    m_origin = std::make_unique<Origin>();
    if (!client.open(worker.serverPort()))
        return false;
    client.socket.sendTextMessage(QStringLiteral("CONNECT:127.0.0.1:%1|").arg(m_origin->port()));
    return QTest::qWaitFor([&] { return !client.texts.isEmpty() && m_origin->socket(); },
                           kWaitMs) &&
           client.texts == QStringList{QStringLiteral("CONNECTED")};
}

void TestWorkerServerOracle::upgradesQtWithAndWithoutToken_data()
{
    QTest::addColumn<QByteArray>("serverToken");
    QTest::addColumn<QStringList>("offered");
    QTest::addColumn<QString>("selected");
    QTest::newRow("no token") << QByteArray() << QStringList() << QString();
    // Like the deployed worker without a token: it selects none of the offers.
    QTest::newRow("token offered, none configured")
        << QByteArray() << QStringList{kToken} << QString();
    QTest::newRow("token confirmed")
        << kToken.toUtf8() << QStringList{QStringLiteral("other"), kToken} << kToken;
}

void TestWorkerServerOracle::upgradesQtWithAndWithoutToken()
{
    QFETCH(QByteArray, serverToken);
    QFETCH(QStringList, offered);
    QFETCH(QString, selected);
    WorkerSettings settings = test::loopbackWorkerSettings();
    settings.token = serverToken;
    auto worker = test::startWorker(m_credentials, settings);
    QtClient client(m_credentials.certificateFile);
    QVERIFY2(client.open(worker->serverPort(), offered), qPrintable(client.socket.errorString()));
    QCOMPARE(client.socket.subprotocol(), selected);
    QCOMPARE(worker->counters().sessions, 1u);
}

// protocol.md section 2: the first bytes reach the target before CONNECTED reaches the client.
void TestWorkerServerOracle::connectsQtToTheTargetWithItsFirstBytes()
{
    auto worker = test::startWorker(m_credentials, test::loopbackWorkerSettings());
    m_origin = std::make_unique<Origin>();
    QtClient client(m_credentials.certificateFile);
    QVERIFY2(client.open(worker->serverPort()), qPrintable(client.socket.errorString()));
    const QString firstBytes = QStringLiteral("GET / HTTP/1.1\r\nHost: target\r\n\r\n|ü");
    client.socket.sendTextMessage(
        QStringLiteral("CONNECT:127.0.0.1:%1|%2").arg(m_origin->port()).arg(firstBytes));
    QTRY_COMPARE_WITH_TIMEOUT(client.texts, QStringList{QStringLiteral("CONNECTED")}, kWaitMs);
    QCOMPARE(m_origin->received, firstBytes.toUtf8());
    QCOMPARE(worker->counters().targetsConnected, 1u);
}

void TestWorkerServerOracle::relaysQtMessagesToTheTargetByteIdentical_data()
{
    test::addWebSocketPayloadRows(true);
}

void TestWorkerServerOracle::relaysQtMessagesToTheTargetByteIdentical()
{
    QFETCH(qsizetype, size);
    QFETCH(quint64, frameSize);
    auto worker = test::startWorker(m_credentials, test::loopbackWorkerSettings());
    QtClient client(m_credentials.certificateFile);
    QVERIFY(connectThrough(client, *worker));
    if (frameSize > 0)
        client.socket.setOutgoingFrameSize(frameSize);
    const QByteArray payload = test::content(quint64(size) * 7 + frameSize, 0, size);
    const QByteArray marker = QByteArrayLiteral("\x00marker");
    QCOMPARE(client.socket.sendBinaryMessage(payload), size);
    client.socket.sendBinaryMessage(marker);
    const QByteArray expected = payload + marker;
    QTRY_VERIFY_WITH_TIMEOUT(m_origin->received.size() >= expected.size(), kWaitMs);
    QVERIFY(m_origin->received == expected);
    QCOMPARE(worker->counters().bytesToTarget, quint64(expected.size()));
}

void TestWorkerServerOracle::relaysTheTargetToQtByteIdentical_data()
{
    QTest::addColumn<qsizetype>("size");
    for (const qsizetype size : {1, 125, 126, 65535, 65536, 1024 * 1024})
        QTest::addRow("%lld bytes", qlonglong(size)) << size;
}

void TestWorkerServerOracle::relaysTheTargetToQtByteIdentical()
{
    QFETCH(qsizetype, size);
    auto worker = test::startWorker(m_credentials, test::loopbackWorkerSettings());
    QtClient client(m_credentials.certificateFile);
    QVERIFY(connectThrough(client, *worker));
    const QByteArray payload = test::content(quint64(size) * 13 + 5, 0, size);
    m_origin->socket()->write(payload);
    QTRY_VERIFY_WITH_TIMEOUT(client.received.size() >= payload.size(), kWaitMs);
    QVERIFY(client.received == payload);
    QCOMPARE(client.texts, QStringList{QStringLiteral("CONNECTED")});
}

void TestWorkerServerOracle::answersQtPingsWithTheSamePayload_data()
{
    QTest::addColumn<bool>("connected");
    QTest::addColumn<QByteArray>("payload");
    QByteArray largest;
    for (int i = 0; i < 125; ++i)
        largest.append(char(255 - i));
    for (const bool connected : {false, true}) {
        const char* phase = connected ? "after CONNECTED" : "before CONNECT";
        QTest::addRow("empty, %s", phase) << connected << QByteArray();
        QTest::addRow("text, %s", phase) << connected << QByteArray("ping from Qt");
        QTest::addRow("125 bytes, %s", phase) << connected << largest;
    }
}

void TestWorkerServerOracle::answersQtPingsWithTheSamePayload()
{
    QFETCH(bool, connected);
    QFETCH(QByteArray, payload);
    auto worker = test::startWorker(m_credentials, test::loopbackWorkerSettings());
    QtClient client(m_credentials.certificateFile);
    if (connected)
        QVERIFY(connectThrough(client, *worker));
    else
        QVERIFY(client.open(worker->serverPort()));
    QSignalSpy pongs(&client.socket, &QWebSocket::pong);
    client.socket.ping(payload);
    QVERIFY(pongs.wait(kWaitMs));
    QCOMPARE(pongs.size(), 1);
    QCOMPARE(pongs.first().at(1).toByteArray(), payload);
    if (connected)
        QCOMPARE(m_origin->received, QByteArray()); // the ping is not data
}

// The worker sends `CLOSE`, then closes with 1000 (protocol.md section 2).
void TestWorkerServerOracle::closesQtWithNormalWhenTheTargetEnds()
{
    auto worker = test::startWorker(m_credentials, test::loopbackWorkerSettings());
    QtClient client(m_credentials.certificateFile);
    QVERIFY(connectThrough(client, *worker));
    QSignalSpy disconnected(&client.socket, &QWebSocket::disconnected);
    m_origin->socket()->write("bye");
    m_origin->socket()->disconnectFromHost();
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, kWaitMs);
    QCOMPARE(client.received, QByteArray("bye"));
    QCOMPARE(client.texts, (QStringList{QStringLiteral("CONNECTED"), QStringLiteral("CLOSE")}));
    QCOMPARE(client.socket.closeCode(), QWebSocketProtocol::CloseCodeNormal);
}

void TestWorkerServerOracle::endsTheTargetWhenQtCloses_data()
{
    QTest::addColumn<bool>("closeText");
    QTest::addColumn<int>("code");
    QTest::newRow("CLOSE text") << true << 0;
    QTest::newRow("Close frame 1000") << false << int(QWebSocketProtocol::CloseCodeNormal);
    QTest::newRow("Close frame 1001") << false << int(QWebSocketProtocol::CloseCodeGoingAway);
}

// Whatever way the client ends, the target gets every byte sent before it, then EOF.
void TestWorkerServerOracle::endsTheTargetWhenQtCloses()
{
    QFETCH(bool, closeText);
    QFETCH(int, code);
    auto worker = test::startWorker(m_credentials, test::loopbackWorkerSettings());
    QtClient client(m_credentials.certificateFile);
    QVERIFY(connectThrough(client, *worker));
    QSignalSpy disconnected(&client.socket, &QWebSocket::disconnected);
    // More than the target's socket takes at once, so some of it is still queued in the worker
    // when the client's end arrives; Qt closes TCP right after its Close frame.
    const QByteArray lastWords = test::content(99, 0, 8 * 1024 * 1024);
    client.socket.sendBinaryMessage(lastWords);
    if (closeText)
        client.socket.sendTextMessage(QStringLiteral("CLOSE"));
    else
        client.socket.close(QWebSocketProtocol::CloseCode(code), QStringLiteral("leaving"));
    QTRY_VERIFY_WITH_TIMEOUT(m_origin->ended, kWaitMs);
    QCOMPARE(m_origin->received.size(), lastWords.size());
    QVERIFY(m_origin->received == lastWords);
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, kWaitMs);
    // After `CLOSE` the worker starts the closing handshake with 1000, which Qt takes as the
    // peer's code; after its own Close, Qt keeps the code it sent.
    QCOMPARE(int(client.socket.closeCode()),
             closeText ? int(QWebSocketProtocol::CloseCodeNormal) : code);
}

void TestWorkerServerOracle::closesQtWithPolicyViolationWithoutConnect()
{
    WorkerSettings settings = test::loopbackWorkerSettings();
    settings.connectFrameTimeout = 100ms;
    auto worker = test::startWorker(m_credentials, settings);
    QtClient client(m_credentials.certificateFile);
    QSignalSpy disconnected(&client.socket, &QWebSocket::disconnected);
    QVERIFY(client.open(worker->serverPort()));
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, kWaitMs);
    QCOMPARE(client.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QCOMPARE(client.socket.closeReason(), QStringLiteral("CONNECT expected"));
}

// One WebSocket carries one connection: a second CONNECT is answered ERROR and 1002.
void TestWorkerServerOracle::closesQtWithProtocolErrorOnASecondConnect()
{
    auto worker = test::startWorker(m_credentials, test::loopbackWorkerSettings());
    QtClient client(m_credentials.certificateFile);
    QVERIFY(connectThrough(client, *worker));
    QSignalSpy disconnected(&client.socket, &QWebSocket::disconnected);
    client.socket.sendTextMessage(QStringLiteral("CONNECT:127.0.0.1:%1|").arg(m_origin->port()));
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, kWaitMs);
    QCOMPARE(client.texts, (QStringList{QStringLiteral("CONNECTED"),
                                        QStringLiteral("ERROR:unexpected CONNECT")}));
    QCOMPARE(client.socket.closeCode(), QWebSocketProtocol::CloseCodeProtocolError);
}

QTEST_GUILESS_MAIN(TestWorkerServerOracle)
#include "tst_workerserveroracle.moc"
