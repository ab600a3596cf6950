// The worker server in-process on loopback, driven by a client made of the core pieces the real
// client uses: TcpDialer -> TlsStream with ECH -> the WebSocket upgrade -> masked frames.
#include "DeterministicContent.h"
#include "InProcessWorker.h"
#include "OriginServer.h"
#include "WorkerSession.h"
#include "ech/DnsMessage.h"
#include "net/HostResolver.h"
#include "net/SocketStream.h"
#include "net/StreamListener.h"
#include "net/TcpDialer.h"
#include "tls/TlsContext.h"
#include "tls/TlsStream.h"
#include "ws/WebSocketFrame.h"
#include "ws/WebSocketHandshake.h"

#include <QCryptographicHash>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;
using echw::test::errorOf;
using echw::test::unwrap;
using namespace echw::server;
using namespace std::chrono_literals;
using Event = WebSocketFrameDecoder::Event;

namespace {

const QString kPublicName = QStringLiteral("public.test");
const QString kServerName = QStringLiteral("localhost");
constexpr int kWaitMs = 10000;

// A client connection to the worker under test: TLS with ECH, then raw HTTP or WebSocket frames.
// It answers the server's Close as the real client does (Close back, then end of TLS).
class TestClient : public QObject {
public:
    struct Response {
        int status = 0;
        QByteArray head;
        QByteArray body;
    };

    TestClient(quint16 port, SSL_CTX* ctx, const QByteArray& echConfigList)
        : m_port(port)
        , m_ctx(ctx)
        , m_echConfigList(echConfigList)
    {}

    bool connectTls()
    {
        auto target = TargetAddress::fromHostPort(u"127.0.0.1", m_port);
        TcpDialer dialer(*target, 5s, [this](TcpDialer::Result result) {
            auto* socket = std::get_if<std::unique_ptr<SocketStream>>(&result);
            if (!socket) {
                m_failed = true;
                return;
            }
            QString error;
            m_tls = TlsStream::client(std::move(*socket), m_ctx, {kServerName, m_echConfigList},
                                      &error);
            if (!m_tls) {
                m_failed = true;
                return;
            }
            connect(m_tls.get(), &TlsStream::handshakeFinished, this, [this] { m_ready = true; });
            connect(m_tls.get(), &ByteStream::readyRead, this, [this] { onReadable(); });
            connect(m_tls.get(), &ByteStream::readFinished, this, [this] { m_ended = true; });
            connect(m_tls.get(), &ByteStream::failed, this, [this] { m_failed = true; });
            m_tls->startHandshake();
        });
        dialer.start();
        return QTest::qWaitFor([this] { return m_ready || m_failed; }, kWaitMs) && m_ready;
    }

    TlsStream* tls() const { return m_tls.get(); }
    bool ended() const { return m_ended; }
    bool failed() const { return m_failed; }
    bool closed() const { return m_ended || m_failed; }
    const QByteArray& raw() const { return m_raw; }
    const QByteArray& binary() const { return m_binary; }
    const QList<Event>& events() const { return m_events; }

    // Sends a request and waits for the whole response (Content-Length framed).
    std::optional<Response> request(const QByteArray& bytes)
    {
        m_tls->write(bytes);
        return waitForResponse();
    }

    std::optional<Response> waitForResponse()
    {
        Response response;
        const bool complete = QTest::qWaitFor(
            [&] {
                const qsizetype end = m_raw.indexOf("\r\n\r\n");
                if (end < 0)
                    return false;
                response.head = m_raw.first(end + 4);
                const QRegularExpression length(QStringLiteral("\r\nContent-Length: (\\d+)\r\n"),
                                                QRegularExpression::CaseInsensitiveOption);
                const auto match = length.match(QString::fromLatin1(response.head));
                const qsizetype bodyLength = match.hasMatch() ? match.captured(1).toLongLong() : 0;
                if (m_raw.size() < end + 4 + bodyLength)
                    return false;
                response.body = m_raw.sliced(end + 4, bodyLength);
                return true;
            },
            kWaitMs);
        if (!complete || !response.head.startsWith("HTTP/1.1 "))
            return std::nullopt;
        response.status = response.head.mid(9, 3).toInt();
        return response;
    }

    // The opening handshake with `subprotocol` as the token; the client's own parser judges
    // the answer.
    WebSocketUpgradeResponseParser::Result upgrade(const QString& subprotocol = QString())
    {
        WebSocketUpgradeParams params;
        params.host = kServerName;
        params.port = m_port;
        params.subprotocol = subprotocol;
        auto request = unwrap(buildWebSocketUpgradeRequest(params));
        m_upgrade.emplace(request.key, subprotocol);
        m_tls->write(request.bytes);
        [[maybe_unused]] const bool done = QTest::qWaitFor(
            [this] {
                return m_verdict.status != WebSocketUpgradeResponseParser::Result::Status::NeedMore;
            },
            kWaitMs);
        return m_verdict;
    }

    bool upgradeAndConnect(const QByteArray& target, const QByteArray& firstBytes = {})
    {
        if (upgrade().status != WebSocketUpgradeResponseParser::Result::Status::Accepted)
            return false;
        sendText("CONNECT:" + target + '|' + firstBytes);
        return waitForText().value_or(QByteArray()) == "CONNECTED";
    }

    void sendFrame(WebSocketOpcode opcode, QByteArrayView payload)
    {
        QByteArray frame;
        appendFrame(frame, opcode, payload, true, randomMaskKey());
        m_tls->write(frame);
    }
    void sendText(const QByteArray& text) { sendFrame(WebSocketOpcode::Text, text); }
    void sendBinary(const QByteArray& data) { sendFrame(WebSocketOpcode::Binary, data); }

    // The next text message not yet looked at.
    std::optional<QByteArray> waitForText()
    {
        std::optional<QByteArray> text;
        [[maybe_unused]] const bool done = QTest::qWaitFor(
            [&] {
                for (; m_nextText < m_events.size(); ++m_nextText) {
                    if (m_events.at(m_nextText).type == Event::Type::Text) {
                        text = m_events.at(m_nextText++).payload;
                        return true;
                    }
                }
                return false;
            },
            kWaitMs);
        return text;
    }

    std::optional<Event> waitForEvent(Event::Type type)
    {
        std::optional<Event> found;
        [[maybe_unused]] const bool done = QTest::qWaitFor(
            [&] {
                for (const Event& event : std::as_const(m_events)) {
                    if (event.type == type) {
                        found = event;
                        return true;
                    }
                }
                return false;
            },
            kWaitMs);
        return found;
    }

    QList<QByteArray> texts() const
    {
        QList<QByteArray> result;
        for (const Event& event : m_events) {
            if (event.type == Event::Type::Text)
                result << event.payload;
        }
        return result;
    }

private:
    void onReadable()
    {
        char buffer[64 * 1024];
        qint64 n = 0;
        while (m_tls && (n = m_tls->read(buffer, sizeof buffer)) > 0) {
            const QByteArrayView bytes(buffer, n);
            if (!m_upgrade) {
                m_raw.append(bytes);
                continue;
            }
            if (m_verdict.status == WebSocketUpgradeResponseParser::Result::Status::NeedMore) {
                m_verdict = m_upgrade->append(bytes);
                if (m_verdict.status == WebSocketUpgradeResponseParser::Result::Status::Accepted)
                    decode(m_verdict.remaining);
                continue;
            }
            decode(bytes);
        }
    }

    void decode(QByteArrayView bytes)
    {
        m_decoder.append(bytes);
        while (auto event = m_decoder.next()) {
            if (event->type == Event::Type::BinaryData) {
                m_binary += event->payload;
                continue;
            }
            if (event->type == Event::Type::Close) {
                QByteArray close;
                appendCloseFrame(close, WebSocketCloseCode::Normal, {}, randomMaskKey());
                m_tls->write(close);
                m_tls->finishWrite();
            }
            m_events.append(*event);
        }
    }

    quint16 m_port;
    SSL_CTX* m_ctx;
    QByteArray m_echConfigList;
    std::unique_ptr<TlsStream> m_tls;
    bool m_ready = false;
    bool m_ended = false;
    bool m_failed = false;
    QByteArray m_raw;
    std::optional<WebSocketUpgradeResponseParser> m_upgrade;
    WebSocketUpgradeResponseParser::Result m_verdict;
    WebSocketFrameDecoder m_decoder{WebSocketRole::Client};
    QList<Event> m_events;
    qsizetype m_nextText = 0;
    QByteArray m_binary;
};

// A target that sends a greeting and closes as soon as a connection arrives.
class GreetingTarget {
public:
    GreetingTarget()
        : m_listener([this](std::unique_ptr<SocketStream> socket) {
            socket->write("bye");
            socket->finishWrite();
            m_sockets.push_back(std::move(socket));
        })
    {
        m_listener.listen(QHostAddress::LocalHost);
    }
    quint16 port() const { return m_listener.serverPort(); }

private:
    std::vector<std::unique_ptr<SocketStream>> m_sockets;
    StreamListener m_listener;
};

// Answers names from a table, from the event loop as a real lookup does; unknown names fail.
class TableResolver final : public HostResolver {
public:
    explicit TableResolver(QHash<QString, QList<QHostAddress>> table)
        : m_table(std::move(table))
    {}
    int lookups() const { return m_lookups; }

protected:
    void lookup(const QString& host, LookupCallback callback) override
    {
        ++m_lookups;
        QTimer::singleShot(0, this, [this, host, callback = std::move(callback)] {
            if (const auto it = m_table.constFind(host); it != m_table.cend())
                callback(Lookup{*it, std::chrono::seconds(60)});
            else
                callback(QStringLiteral("cannot resolve %1: not in the table").arg(host));
        });
    }

private:
    QHash<QString, QList<QHostAddress>> m_table;
    int m_lookups = 0;
};

// A port open on both loopback addresses that counts what it accepts, so a test can tell
// whether the worker connected at all.
class CountingTarget {
public:
    CountingTarget()
    {
        for (QTcpServer* server : {&m_v4, &m_v6})
            QObject::connect(server, &QTcpServer::newConnection, [this, server] {
                while (QTcpSocket* socket = server->nextPendingConnection()) {
                    ++m_accepted;
                    socket->deleteLater();
                }
            });
        // The same number on both, so "localhost" means one port whichever address it gets.
        for (int attempt = 0; attempt < 20 && !m_v6.isListening(); ++attempt) {
            m_v4.close();
            if (m_v4.listen(QHostAddress::LocalHost))
                m_v6.listen(QHostAddress::LocalHostIPv6, m_v4.serverPort());
        }
    }
    bool isListening() const { return m_v4.isListening() && m_v6.isListening(); }
    quint16 port() const { return m_v4.serverPort(); }
    int accepted() const { return m_accepted; }

private:
    QTcpServer m_v4;
    QTcpServer m_v6;
    int m_accepted = 0;
};

QByteArray closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost);
    const quint16 port = server.serverPort();
    server.close();
    return QByteArray::number(port);
}

} // namespace

class TestWorkerServer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void acceptsEchAndSeesTheInnerName();
    void answersRootWithBannerAndOtherPathsWith426();
    void refusesWrongTokenWith401AndEchoesTheRightOne();
    void refusesUpgradeWithoutKeyWith400();
    void relaysToEchoTargetBothWays();
    void keepsBinaryFramesSentBeforeConnected();
    void writesDataTextToTheTarget();
    void relaysLargeTransferIntactUnderBackpressure();
    void reportsErrorForClosedPort();
    void reportsErrorForInvalidTarget();
    void refusesInternalTargetsWhenNotAllowed();
    void answersOpenAndClosedInternalPortsAlike_data();
    void answersOpenAndClosedInternalPortsAlike();
    void refusesANameWhenAnyOfItsAddressesIsInternal();
    void refusesTheServersOwnAddresses();
    void dialsTheResolvedAddressesInTurn();
    void closesClientThatLeavesItsPongsUnread();
    void holdsTheTargetBackWhileTheClientDoesNotRead();
    void sendsCloseWhenTargetCloses();
    void closesTargetOnClientClose();
    void answersPingWithPong();
    void closesWithProtocolErrorOnUnmaskedFrame();
    void closesWhenNoConnectArrives();
    void answersSlowRequestWith408();
    void dropsConnectionThatNeverStartsTls();
    void answersDohGetAndPostWithTheEchConfig();
    void treatsDnsQueryAsUnknownPathWithoutDoh();
    void resetsConnectionAfterFailAfterBytes();

private:
    std::unique_ptr<WorkerServer> startServer(WorkerSettings settings = defaultSettings());
    std::unique_ptr<TestClient> connectClient(const WorkerServer& server);
    // The text and Close code a new session gets for `CONNECT:<target>`.
    std::pair<QByteArray, quint16> connectAnswer(const WorkerServer& server,
                                                 const QByteArray& target);
    QByteArray echoTarget() const { return "127.0.0.1:" + QByteArray::number(m_origin.port()); }
    static WorkerSettings defaultSettings()
    {
        WorkerSettings settings = test::loopbackWorkerSettings();
        settings.dohEnabled = true;
        return settings;
    }

    QTemporaryDir m_dir;
    ServerCredentials m_credentials;
    std::shared_ptr<TlsClientContext> m_client;
    test::OriginServer m_origin;
};

void TestWorkerServer::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_credentials =
        test::workerCredentials(m_dir.filePath(QStringLiteral("state")),
                                {kServerName, QStringLiteral("127.0.0.1")}, kPublicName);
    // The certificate file the server prints for clients' -ca.
    m_client = unwrap(TlsClientContext::create(m_credentials.certificateFile));
    QVERIFY2(m_origin.listen({QHostAddress::LocalHost}), qPrintable(m_origin.errorString()));
}

std::unique_ptr<WorkerServer> TestWorkerServer::startServer(WorkerSettings settings)
{
    return test::startWorker(m_credentials, std::move(settings));
}

std::unique_ptr<TestClient> TestWorkerServer::connectClient(const WorkerServer& server)
{
    auto client = std::make_unique<TestClient>(server.serverPort(), m_client->get(),
                                               m_credentials.echConfigList);
    return client->connectTls() ? std::move(client) : nullptr;
}

std::pair<QByteArray, quint16> TestWorkerServer::connectAnswer(const WorkerServer& server,
                                                               const QByteArray& target)
{
    auto client = connectClient(server);
    if (!client ||
        client->upgrade().status != WebSocketUpgradeResponseParser::Result::Status::Accepted)
        return {"(no session)", 0};
    client->sendText("CONNECT:" + target + "|ECHO\n");
    const QByteArray text = client->waitForText().value_or("(no answer)");
    const auto close = client->waitForEvent(Event::Type::Close);
    return {text, close ? close->closeCode : quint16(0)};
}

void TestWorkerServer::acceptsEchAndSeesTheInnerName()
{
    auto server = startServer();
    QTest::ignoreMessage(QtInfoMsg,
                         QRegularExpression(QStringLiteral(
                             "ECH accepted, inner SNI \"localhost\", outer SNI \"public.test\"")));
    auto client = connectClient(*server);
    QVERIFY(client);
    QVERIFY(client->tls()->echAccepted());
    // The log line is written when the server's side of the handshake completes.
    QTRY_COMPARE_WITH_TIMEOUT(server->counters().handshakes, 1u, kWaitMs);
    QCOMPARE(server->counters().echAccepted, 1u);
    QCOMPARE(server->counters().connections, 1u);
}

void TestWorkerServer::answersRootWithBannerAndOtherPathsWith426()
{
    auto server = startServer();
    auto client = connectClient(*server);
    QVERIFY(client);
    auto response = client->request("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->body, QByteArray("WebSocket Proxy Server"));
    QVERIFY(response->head.contains("Connection: close\r\n"));
    // The server closes after answering.
    QTRY_VERIFY_WITH_TIMEOUT(client->ended(), kWaitMs);

    client = connectClient(*server);
    QVERIFY(client);
    response = client->request("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 426);
    // The client closes as curl does; the server lets go at once instead of lingering.
    client->tls()->finishWrite();
    QTRY_COMPARE_WITH_TIMEOUT(server->counters().activeConnections, 0, 1000);
}

void TestWorkerServer::refusesWrongTokenWith401AndEchoesTheRightOne()
{
    WorkerSettings settings = defaultSettings();
    settings.token = "s3cret";
    auto server = startServer(settings);

    auto client = connectClient(*server);
    QVERIFY(client);
    auto verdict = client->upgrade(QStringLiteral("wrong"));
    QCOMPARE(verdict.status, WebSocketUpgradeResponseParser::Result::Status::Rejected);
    QCOMPARE(verdict.httpStatus, 401);

    client = connectClient(*server);
    QVERIFY(client);
    verdict = client->upgrade();
    QCOMPARE(verdict.httpStatus, 401);

    // The client's parser insists that the token comes back as the subprotocol.
    client = connectClient(*server);
    QVERIFY(client);
    verdict = client->upgrade(QStringLiteral("s3cret"));
    QCOMPARE(verdict.status, WebSocketUpgradeResponseParser::Result::Status::Accepted);
    QCOMPARE(server->counters().sessions, 1u);
}

void TestWorkerServer::refusesUpgradeWithoutKeyWith400()
{
    auto server = startServer();
    auto client = connectClient(*server);
    QVERIFY(client);
    const auto response =
        client->request("GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 400);
    QCOMPARE(server->counters().sessions, 0u);
}

void TestWorkerServer::relaysToEchoTargetBothWays()
{
    auto server = startServer();
    auto client = connectClient(*server);
    QVERIFY(client);
    QVERIFY(client->upgradeAndConnect(echoTarget(), "ECHO\n"));
    client->sendBinary("hello");
    QTRY_COMPARE_WITH_TIMEOUT(client->binary(), QByteArray("hello"), kWaitMs);
    client->sendBinary(" world");
    QTRY_COMPARE_WITH_TIMEOUT(client->binary(), QByteArray("hello world"), kWaitMs);

    const WorkerCounters& counters = server->counters();
    QCOMPARE(counters.sessions, 1u);
    QCOMPARE(counters.targetsConnected, 1u);
    QCOMPARE(counters.bytesToTarget, quint64(5 + 11)); // "ECHO\n" and the payload
    QCOMPARE(counters.bytesToClient, 11u);
}

void TestWorkerServer::keepsBinaryFramesSentBeforeConnected()
{
    auto server = startServer();
    auto client = connectClient(*server);
    QVERIFY(client);
    QCOMPARE(client->upgrade().status, WebSocketUpgradeResponseParser::Result::Status::Accepted);
    // The reference worker drops these; this one writes them after the first bytes.
    client->sendText("CONNECT:" + echoTarget() + "|ECHO\n");
    client->sendBinary("early ");
    client->sendBinary("bytes");
    QCOMPARE(client->waitForText(), std::optional<QByteArray>("CONNECTED"));
    QTRY_COMPARE_WITH_TIMEOUT(client->binary(), QByteArray("early bytes"), kWaitMs);
}

void TestWorkerServer::writesDataTextToTheTarget()
{
    auto server = startServer();
    auto client = connectClient(*server);
    QVERIFY(client);
    QVERIFY(client->upgradeAndConnect(echoTarget(), "ECHO\n"));
    client->sendText("DATA:text");
    QTRY_COMPARE_WITH_TIMEOUT(client->binary(), QByteArray("text"), kWaitMs);
}

void TestWorkerServer::relaysLargeTransferIntactUnderBackpressure()
{
    auto server = startServer();
    auto client = connectClient(*server);
    QVERIFY(client);
    QVERIFY(client->upgradeAndConnect(echoTarget(), "ECHO\n"));

    // Written at once: the queues fill, and both directions have to hold back and resume.
    QByteArray payload(8 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < payload.size(); ++i)
        payload[i] = char((i * 2654435761u) >> 13);
    for (qsizetype offset = 0; offset < payload.size(); offset += 100 * 1000)
        client->sendBinary(payload.mid(offset, 100 * 1000));
    QTRY_VERIFY_WITH_TIMEOUT(client->binary().size() >= payload.size(), 60000);
    QCOMPARE(client->binary().size(), payload.size());
    QCOMPARE(QCryptographicHash::hash(client->binary(), QCryptographicHash::Sha256),
             QCryptographicHash::hash(payload, QCryptographicHash::Sha256));
}

void TestWorkerServer::reportsErrorForClosedPort()
{
    auto server = startServer();
    auto client = connectClient(*server);
    QVERIFY(client);
    QCOMPARE(client->upgrade().status, WebSocketUpgradeResponseParser::Result::Status::Accepted);
    client->sendText("CONNECT:127.0.0.1:" + closedPort() + '|');
    const auto text = client->waitForText();
    QVERIFY(text);
    QVERIFY2(text->startsWith("ERROR:"), text->constData());
    const auto close = client->waitForEvent(Event::Type::Close);
    QVERIFY(close);
    QCOMPARE(close->closeCode, WebSocketCloseCode::Normal);
    QTRY_VERIFY_WITH_TIMEOUT(client->ended(), kWaitMs);
    QCOMPARE(server->counters().targetsFailed, 1u);
    QTRY_COMPARE_WITH_TIMEOUT(server->counters().activeConnections, 0, kWaitMs);
}

void TestWorkerServer::reportsErrorForInvalidTarget()
{
    auto server = startServer();
    auto client = connectClient(*server);
    QVERIFY(client);
    QCOMPARE(client->upgrade().status, WebSocketUpgradeResponseParser::Result::Status::Accepted);
    client->sendText("CONNECT:no port here|");
    QCOMPARE(client->waitForText(), std::optional<QByteArray>("ERROR:invalid target"));
    QVERIFY(client->waitForEvent(Event::Type::Close));
}

void TestWorkerServer::refusesInternalTargetsWhenNotAllowed()
{
    WorkerSettings settings = defaultSettings();
    settings.allowInternalTargets = false;
    auto server = startServer(settings);
    // Both before dialing: the literal as it is, the name once it resolved to loopback.
    for (const QByteArray& target :
         {echoTarget(), "localhost:" + QByteArray::number(m_origin.port())}) {
        auto client = connectClient(*server);
        QVERIFY(client);
        QCOMPARE(client->upgrade().status,
                 WebSocketUpgradeResponseParser::Result::Status::Accepted);
        client->sendText("CONNECT:" + target + "|ECHO\n");
        QCOMPARE(client->waitForText(),
                 std::optional<QByteArray>("ERROR:target address not allowed"));
    }
    QCOMPARE(server->counters().targetsConnected, 0u);
}

void TestWorkerServer::sendsCloseWhenTargetCloses()
{
    GreetingTarget target;
    auto server = startServer();
    auto client = connectClient(*server);
    QVERIFY(client);
    QVERIFY(client->upgradeAndConnect("127.0.0.1:" + QByteArray::number(target.port())));
    QCOMPARE(client->waitForText(), std::optional<QByteArray>("CLOSE"));
    QCOMPARE(client->binary(), QByteArray("bye"));
    const auto close = client->waitForEvent(Event::Type::Close);
    QVERIFY(close);
    QCOMPARE(close->closeCode, WebSocketCloseCode::Normal);
    QTRY_VERIFY_WITH_TIMEOUT(client->ended(), kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(server->counters().activeConnections, 0, kWaitMs);
}

void TestWorkerServer::closesTargetOnClientClose()
{
    auto server = startServer();
    auto client = connectClient(*server);
    QVERIFY(client);
    QVERIFY(client->upgradeAndConnect(echoTarget(), "ECHO\n"));
    QTRY_COMPARE_WITH_TIMEOUT(m_origin.activeConnections(), 1, kWaitMs);
    client->sendText("CLOSE");
    const auto close = client->waitForEvent(Event::Type::Close);
    QVERIFY(close);
    QCOMPARE(close->closeCode, WebSocketCloseCode::Normal);
    QTRY_COMPARE_WITH_TIMEOUT(m_origin.activeConnections(), 0, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(server->counters().activeConnections, 0, kWaitMs);
}

void TestWorkerServer::answersPingWithPong()
{
    auto server = startServer();
    auto client = connectClient(*server);
    QVERIFY(client);
    QVERIFY(client->upgradeAndConnect(echoTarget(), "ECHO\n"));
    client->sendFrame(WebSocketOpcode::Ping, "are you there");
    const auto pong = client->waitForEvent(Event::Type::Pong);
    QVERIFY(pong);
    QCOMPARE(pong->payload, QByteArray("are you there"));
}

void TestWorkerServer::closesWithProtocolErrorOnUnmaskedFrame()
{
    auto server = startServer();
    auto client = connectClient(*server);
    QVERIFY(client);
    QVERIFY(client->upgradeAndConnect(echoTarget(), "ECHO\n"));
    QByteArray unmasked;
    appendFrame(unmasked, WebSocketOpcode::Binary, "x", true, std::nullopt);
    client->tls()->write(unmasked);
    const auto close = client->waitForEvent(Event::Type::Close);
    QVERIFY(close);
    QCOMPARE(close->closeCode, WebSocketCloseCode::ProtocolError);
    QTRY_COMPARE_WITH_TIMEOUT(m_origin.activeConnections(), 0, kWaitMs);
}

void TestWorkerServer::closesWhenNoConnectArrives()
{
    WorkerSettings settings = defaultSettings();
    settings.connectFrameTimeout = 200ms;
    auto server = startServer(settings);
    auto client = connectClient(*server);
    QVERIFY(client);
    QCOMPARE(client->upgrade().status, WebSocketUpgradeResponseParser::Result::Status::Accepted);
    const auto close = client->waitForEvent(Event::Type::Close);
    QVERIFY(close);
    QCOMPARE(close->closeCode, quint16(1008));
}

void TestWorkerServer::answersSlowRequestWith408()
{
    WorkerSettings settings = defaultSettings();
    settings.requestTimeout = 300ms;
    auto server = startServer(settings);
    auto client = connectClient(*server);
    QVERIFY(client);
    client->tls()->write("GET / HTTP/1.1\r\n");
    const auto response = client->waitForResponse();
    QVERIFY(response);
    QCOMPARE(response->status, 408);
}

void TestWorkerServer::dropsConnectionThatNeverStartsTls()
{
    WorkerSettings settings = defaultSettings();
    settings.requestTimeout = 200ms;
    auto server = startServer(settings);
    std::unique_ptr<SocketStream> socket;
    bool ended = false;
    TcpDialer dialer(*TargetAddress::fromHostPort(u"127.0.0.1", server->serverPort()), 5s,
                     [&](TcpDialer::Result result) {
                         socket = std::move(std::get<std::unique_ptr<SocketStream>>(result));
                         connect(socket.get(), &ByteStream::readyRead, [&] {
                             char buffer[256];
                             while (socket->read(buffer, sizeof buffer) > 0) {
                             }
                         });
                         connect(socket.get(), &ByteStream::readFinished, [&] { ended = true; });
                         connect(socket.get(), &ByteStream::failed, [&] { ended = true; });
                     });
    dialer.start();
    QTRY_VERIFY_WITH_TIMEOUT(ended, kWaitMs);
    QCOMPARE(server->counters().handshakeFailures, 1u);
    QTRY_COMPARE_WITH_TIMEOUT(server->counters().activeConnections, 0, kWaitMs);
}

void TestWorkerServer::answersDohGetAndPostWithTheEchConfig()
{
    auto server = startServer();
    const QByteArray query = buildDnsQuery(kPublicName, DnsType::Https);
    const QByteArray encoded =
        query.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);

    const QByteArray get =
        "GET /dns-query?dns=" + encoded +
        " HTTP/1.1\r\nHost: localhost\r\nAccept: application/dns-message\r\n\r\n";
    const QByteArray post = "POST /dns-query HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                            "application/dns-message\r\nContent-Length: " +
                            QByteArray::number(query.size()) + "\r\n\r\n" + query;
    for (const QByteArray& request : {get, post}) {
        auto client = connectClient(*server);
        QVERIFY(client);
        const auto response = client->request(request);
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QVERIFY(response->head.contains("Content-Type: application/dns-message\r\n"));
        QVERIFY(response->head.contains("Cache-Control: max-age=300\r\n"));
        const auto found = extractEchConfig(response->body, kPublicName);
        QVERIFY2(std::holds_alternative<EchLookupResult>(found), qPrintable(errorOf(found)));
        QCOMPARE(std::get<EchLookupResult>(found).echConfigList, m_credentials.echConfigList);
    }
    QCOMPARE(server->counters().dnsAnswers, 2u);
}

void TestWorkerServer::treatsDnsQueryAsUnknownPathWithoutDoh()
{
    WorkerSettings settings = defaultSettings();
    settings.dohEnabled = false;
    auto server = startServer(settings);
    auto client = connectClient(*server);
    QVERIFY(client);
    const auto response = client->request("GET /dns-query?dns=AAAA HTTP/1.1\r\nHost: a\r\n\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 426);
}

void TestWorkerServer::resetsConnectionAfterFailAfterBytes()
{
    WorkerSettings settings = defaultSettings();
    settings.failAfterBytes = 4;
    auto server = startServer(settings);
    auto client = connectClient(*server);
    QVERIFY(client);
    QVERIFY(client->upgradeAndConnect(echoTarget(), "ECHO\n"));
    client->sendBinary("0123456789");
    QTRY_VERIFY_WITH_TIMEOUT(client->failed(), kWaitMs);
    QCOMPARE(client->binary(), QByteArray("0123"));
    // Dropped, not closed: no CLOSE and no Close frame.
    QCOMPARE(client->texts(), QList<QByteArray>{"CONNECTED"});
    QTRY_COMPARE_WITH_TIMEOUT(m_origin.activeConnections(), 0, kWaitMs);
}

void TestWorkerServer::answersOpenAndClosedInternalPortsAlike_data()
{
    QTest::addColumn<QByteArray>("host");
    // Names, the numeric forms the system resolver reads (inet_aton), IPv6 and IPv4-mapped.
    for (const char* host : {"localhost", "LocalHost", "127.0.0.1", "127.1", "2130706433", "0x7f.1",
                             "0x7f000001", "0177.0.0.1", "167772161", "[::1]", "[::ffff:127.0.0.1]",
                             "[::ffff:7f00:1]", "[64:ff9b::7f00:1]"})
        QTest::newRow(host) << QByteArray(host);
}

// Before the fix a name was checked only after connecting, so an open internal port answered
// "not allowed" and a closed one "connection refused": a port scan through the worker.
void TestWorkerServer::answersOpenAndClosedInternalPortsAlike()
{
    QFETCH(QByteArray, host);
    CountingTarget open;
    QVERIFY(open.isListening());
    WorkerSettings settings = defaultSettings();
    settings.allowInternalTargets = false;
    settings.dialTimeout = 2s;
    auto server = startServer(settings);
    const auto expected = std::pair<QByteArray, quint16>("ERROR:target address not allowed",
                                                         WebSocketCloseCode::Normal);
    QCOMPARE(connectAnswer(*server, host + ':' + QByteArray::number(open.port())), expected);
    QCOMPARE(connectAnswer(*server, host + ':' + closedPort()), expected);
    QCOMPARE(open.accepted(), 0);
    QCOMPARE(server->counters().targetsConnected, 0u);
    QCOMPARE(server->counters().targetsRefused, 2u);
}

void TestWorkerServer::refusesANameWhenAnyOfItsAddressesIsInternal()
{
    CountingTarget open;
    QVERIFY(open.isListening());
    WorkerSettings settings = defaultSettings();
    settings.allowInternalTargets = false;
    auto server = std::make_unique<WorkerServer>(m_credentials, settings);
    auto resolver = std::make_unique<TableResolver>(QHash<QString, QList<QHostAddress>>{
        {QStringLiteral("rebind.test"),
         {QHostAddress(QStringLiteral("1.1.1.1")), QHostAddress::LocalHost}},
        {QStringLiteral("docs.test"), {QHostAddress(QStringLiteral("2001:db8::1"))}},
    });
    const TableResolver* table = resolver.get();
    server->setHostResolver(std::move(resolver));
    QVERIFY(!server->listen(QHostAddress::LocalHost, 0));
    const QByteArray port = QByteArray::number(open.port());
    for (const QByteArray& name : QByteArrayList{"rebind.test", "docs.test"})
        QCOMPARE(connectAnswer(*server, name + ':' + port).first,
                 QByteArray("ERROR:target address not allowed"));
    QCOMPARE(table->lookups(), 2);
    QCOMPARE(open.accepted(), 0);
    // A name that does not resolve is a lookup error, not a refusal.
    const QByteArray unknown = connectAnswer(*server, "unknown.test:" + port).first;
    QVERIFY2(unknown.startsWith("ERROR:cannot resolve unknown.test"), unknown.constData());
    QCOMPARE(server->counters().targetsRefused, 2u);
}

void TestWorkerServer::refusesTheServersOwnAddresses()
{
    WorkerSettings settings = defaultSettings();
    settings.allowInternalTargets = false;
    auto server = std::make_unique<WorkerServer>(m_credentials, settings);
    // A public address the host's interfaces have, as on a VPS: refused before any dial, so
    // the test needs no network.
    const QHostAddress own(QStringLiteral("203.0.114.7"));
    server->setTargetPolicy(
        TargetPolicy(false, LocalAddresses([own] {
                         return QList<QHostAddress>{QHostAddress::LocalHost, own};
                     })));
    server->setHostResolver(std::make_unique<TableResolver>(
        QHash<QString, QList<QHostAddress>>{{QStringLiteral("self.test"), {own}}}));
    QVERIFY(!server->listen(QHostAddress::LocalHost, 0));
    for (const QByteArray& target : QByteArrayList{"203.0.114.7:443", "self.test:443",
                                                   "[::ffff:203.0.114.7]:443", "3405804039:443"})
        QCOMPARE(connectAnswer(*server, target).first,
                 QByteArray("ERROR:target address not allowed"));
    QCOMPARE(server->counters().targetsRefused, 4u);
}

void TestWorkerServer::dialsTheResolvedAddressesInTurn()
{
    auto server = std::make_unique<WorkerServer>(m_credentials, defaultSettings());
    // The origin listens on 127.0.0.1 only: the first address is refused, the second answers.
    server->setHostResolver(std::make_unique<TableResolver>(QHash<QString, QList<QHostAddress>>{
        {QStringLiteral("origin.test"), {QHostAddress::LocalHostIPv6, QHostAddress::LocalHost}}}));
    QVERIFY(!server->listen(QHostAddress::LocalHost, 0));
    auto client = connectClient(*server);
    QVERIFY(client);
    QVERIFY(
        client->upgradeAndConnect("origin.test:" + QByteArray::number(m_origin.port()), "ECHO\n"));
    client->sendBinary("resolved");
    QTRY_COMPARE_WITH_TIMEOUT(client->binary(), QByteArray("resolved"), kWaitMs);
}

// A ping flood whose pongs are never read: before the fix every pong was queued and the server
// grew without bound (the issue measured +908 MB in 7.7 s); now the session ends when what waits
// for the client passes kMaxQueuedToClient.
void TestWorkerServer::closesClientThatLeavesItsPongsUnread()
{
    auto server = startServer();
    auto client = connectClient(*server);
    QVERIFY(client);
    QVERIFY(client->upgradeAndConnect(echoTarget(), "ECHO\n"));
    client->tls()->setReadPaused(true);

    QByteArray pings;
    for (int i = 0; i < 128; ++i)
        appendFrame(pings, WebSocketOpcode::Ping, QByteArray(125, 'p'), true, randomMaskKey());
    // The kernel's buffers take some megabytes first; far more than they can hold is sent.
    constexpr qint64 kFloodLimit = 256 * 1024 * 1024;
    qint64 sent = 0;
    while (server->counters().clientsNotReading == 0 && !client->failed() && sent < kFloodLimit) {
        client->tls()->write(pings);
        sent += pings.size();
        QVERIFY(QTest::qWaitFor(
            [&] {
                return client->tls()->pendingWriteBytes() < 256 * 1024 ||
                       server->counters().clientsNotReading > 0 || client->failed();
            },
            kWaitMs));
    }
    QCOMPARE(server->counters().clientsNotReading, 1u);
    QVERIFY2(server->counters().peakQueuedToClient <= WorkerSession::kMaxQueuedToClient,
             QByteArray::number(server->counters().peakQueuedToClient).constData());
    QTRY_COMPARE_WITH_TIMEOUT(server->counters().activeConnections, 0, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_origin.activeConnections(), 0, kWaitMs);
    qInfo("closed after %lld bytes of pings; at most %lld bytes were queued for the client",
          qlonglong(sent), qlonglong(server->counters().peakQueuedToClient));
}

// The other side of the bound: data is held back at the high-water mark, so a client that
// pauses reading is never closed, and gets every byte once it reads again.
void TestWorkerServer::holdsTheTargetBackWhileTheClientDoesNotRead()
{
    auto server = startServer();
    auto client = connectClient(*server);
    QVERIFY(client);
    QVERIFY(client->upgradeAndConnect(echoTarget()));
    client->tls()->setReadPaused(true);
    constexpr qint64 kSize = 16 * 1024 * 1024;
    client->sendBinary("GET /bytes/" + QByteArray::number(kSize) +
                       "?seed=7 HTTP/1.1\r\nHost: origin\r\n\r\n");
    // Long enough for the target to fill every buffer on the way; the checks below hold
    // whatever the timing.
    QTRY_VERIFY_WITH_TIMEOUT(server->counters().bytesToClient > 0, kWaitMs);
    QTest::qWait(300);
    const qint64 dataBound = WorkerSession::kHighWater + WorkerSession::kMaxFramePayload + 4096;
    QVERIFY2(server->counters().peakQueuedToClient <= dataBound,
             QByteArray::number(server->counters().peakQueuedToClient).constData());
    QVERIFY(server->counters().bytesToClient < quint64(kSize));
    client->tls()->setReadPaused(false);
    const auto bodyStart = [&] {
        const qsizetype end = client->binary().indexOf("\r\n\r\n");
        return end < 0 ? -1 : end + 4;
    };
    QTRY_VERIFY_WITH_TIMEOUT(bodyStart() > 0 && client->binary().size() >= bodyStart() + kSize,
                             60000);
    QCOMPARE(client->binary().sliced(bodyStart()), test::content(7, 0, kSize));
    QCOMPARE(server->counters().clientsNotReading, 0u);
    QVERIFY(server->counters().peakQueuedToClient <= dataBound);
}

QTEST_GUILESS_MAIN(TestWorkerServer)
#include "tst_workerserver.moc"
