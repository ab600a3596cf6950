// TLS with ECH between two TlsStreams over real loopback TCP: a real OpenSSL 4 handshake on
// both sides, as the client and the self-hosted server use it.
#include "ScopedEnvironment.h"
#include "TestValues.h"
#include "net/SocketStream.h"
#include "net/StreamListener.h"
#include "net/TcpDialer.h"
#include "tls/TlsContext.h"
#include "tls/TlsCredentials.h"
#include "tls/TlsStream.h"

#include <QCryptographicHash>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;
using echw::test::errorOf;
using echw::test::ScopedEnvironment;
using echw::test::unwrap;
using namespace std::chrono_literals;

namespace {

const QString kWorkerName = QStringLiteral("worker.test");
const QString kPublicName = QStringLiteral("public.test");

// One client/server pair over loopback; both streams live until the struct goes.
struct Connection {
    std::unique_ptr<TlsStream> client;
    std::unique_ptr<TlsStream> server;
    bool clientDone = false;
    bool clientFailed = false;
    bool serverDone = false;
    QString clientError;
};

} // namespace

class TestTlsStream : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void acceptsEchAndCarriesDataBothWays();
    void reportsRejectedEchWithRetryConfigsThatThenWork();
    void refusesCertificateForAnotherName();
    void refusesUntrustedCertificate();
    void refusesUnusableCaFileAtCreation();
    void trustsServerThroughSslCertDirUnderAnyName();
    void connectsWithoutEchOnlyWhenAskedAndReportsIt();
    void movesLargeTransferIntactUnderBackpressure();
    void reportsServerClosingDuringHandshake();

private:
    std::unique_ptr<Connection> connectPair(const std::shared_ptr<TlsServerContext>& server,
                                            const std::shared_ptr<TlsClientContext>& client,
                                            TlsStream::ClientSetup setup);

    QTemporaryDir m_dir;
    CertificatePair m_certificate;
    QByteArray m_echPem;
    QByteArray m_otherEchPem;
    std::shared_ptr<TlsServerContext> m_server;
    std::shared_ptr<TlsServerContext> m_serverWithOtherKey;
    std::shared_ptr<TlsClientContext> m_client;
};

void TestTlsStream::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_certificate = unwrap(generateSelfSignedCertificate({kWorkerName, kPublicName}));
    m_echPem = unwrap(generateEchPem(kPublicName));
    m_otherEchPem = unwrap(generateEchPem(kPublicName));
    QVERIFY(!echConfigListFromPem(m_echPem).isEmpty());
    QVERIFY(echConfigListFromPem(m_echPem) != echConfigListFromPem(m_otherEchPem));

    m_server = unwrap(TlsServerContext::create(m_certificate.certificatePem,
                                               m_certificate.privateKeyPem, m_echPem));
    m_serverWithOtherKey = unwrap(TlsServerContext::create(
        m_certificate.certificatePem, m_certificate.privateKeyPem, m_otherEchPem));
    const QString caFile = m_dir.filePath(QStringLiteral("ca.pem"));
    QFile file(caFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(m_certificate.certificatePem);
    file.close();
    m_client = unwrap(TlsClientContext::create(caFile));
}

std::unique_ptr<Connection>
TestTlsStream::connectPair(const std::shared_ptr<TlsServerContext>& server,
                           const std::shared_ptr<TlsClientContext>& client,
                           TlsStream::ClientSetup setup)
{
    auto connection = std::make_unique<Connection>();
    Connection* c = connection.get();
    StreamListener listener([&](std::unique_ptr<SocketStream> socket) {
        QString error;
        c->server = TlsStream::server(std::move(socket), server->get(), &error);
        QVERIFY2(c->server, qPrintable(error));
        connect(c->server.get(), &TlsStream::handshakeFinished, [c] { c->serverDone = true; });
        connect(c->server.get(), &ByteStream::failed, [c] { c->serverDone = true; });
        c->server->startHandshake();
    });
    if (!listener.listen(QHostAddress::LocalHost))
        return nullptr;
    auto target = TargetAddress::fromHostPort(u"127.0.0.1", listener.serverPort());
    TcpDialer dialer(*target, 5s, [&](TcpDialer::Result result) {
        auto* socket = std::get_if<std::unique_ptr<SocketStream>>(&result);
        QVERIFY(socket);
        QString error;
        c->client = TlsStream::client(std::move(*socket), client->get(), setup, &error);
        QVERIFY2(c->client, qPrintable(error));
        connect(c->client.get(), &TlsStream::handshakeFinished, [c] { c->clientDone = true; });
        connect(c->client.get(), &ByteStream::failed, [c](const QString& reason) {
            c->clientDone = true;
            c->clientFailed = true;
            c->clientError = reason;
        });
        c->client->startHandshake();
    });
    dialer.start();
    if (!QTest::qWaitFor([c] { return c->clientDone; }, 10000))
        return nullptr;
    if (!c->clientFailed && !QTest::qWaitFor([c] { return c->serverDone; }, 10000))
        return nullptr;
    return connection;
}

void TestTlsStream::acceptsEchAndCarriesDataBothWays()
{
    auto c = connectPair(m_server, m_client, {kWorkerName, echConfigListFromPem(m_echPem)});
    QVERIFY(c);
    QVERIFY2(!c->clientFailed, qPrintable(c->clientError));
    QVERIFY(c->client->echAccepted());
    QVERIFY(c->server->echAccepted());
    QCOMPARE(c->server->innerServerName(), kWorkerName);
    QCOMPARE(c->server->outerServerName(), kPublicName);

    c->client->write("ping");
    QByteArray received;
    char buffer[64];
    QTRY_VERIFY_WITH_TIMEOUT(
        (received += QByteArray(buffer, c->server->read(buffer, 64))) == "ping", 5000);
    c->server->write("pong");
    received.clear();
    QTRY_VERIFY_WITH_TIMEOUT(
        (received += QByteArray(buffer, c->client->read(buffer, 64))) == "pong", 5000);
}

void TestTlsStream::reportsRejectedEchWithRetryConfigsThatThenWork()
{
    auto rejected =
        connectPair(m_serverWithOtherKey, m_client, {kWorkerName, echConfigListFromPem(m_echPem)});
    QVERIFY(rejected);
    QVERIFY(rejected->clientFailed);
    QCOMPARE(rejected->client->failure(), TlsStream::Failure::EchRejected);
    const QByteArray retry = rejected->client->retryConfigs();
    QCOMPARE(retry, echConfigListFromPem(m_otherEchPem));

    auto retried = connectPair(m_serverWithOtherKey, m_client, {kWorkerName, retry});
    QVERIFY(retried);
    QVERIFY2(!retried->clientFailed, qPrintable(retried->clientError));
    QVERIFY(retried->client->echAccepted());
}

void TestTlsStream::refusesCertificateForAnotherName()
{
    auto c = connectPair(m_server, m_client,
                         {QStringLiteral("elsewhere.test"), echConfigListFromPem(m_echPem)});
    QVERIFY(c);
    QVERIFY(c->clientFailed);
    QCOMPARE(c->client->failure(), TlsStream::Failure::Certificate);
}

void TestTlsStream::refusesUntrustedCertificate()
{
    // The system trust store alone does not know the self-signed certificate.
    auto systemOnly = unwrap(TlsClientContext::create(QString()));
    auto c = connectPair(m_server, systemOnly, {kWorkerName, echConfigListFromPem(m_echPem)});
    QVERIFY(c);
    QVERIFY(c->clientFailed);
    QCOMPARE(c->client->failure(), TlsStream::Failure::Certificate);
}

void TestTlsStream::refusesUnusableCaFileAtCreation()
{
    // The context itself is built on first use; a wrong -ca still shows at start.
    QTemporaryDir dir;
    const QString missing = dir.filePath(QStringLiteral("missing.pem"));
    QVERIFY(errorOf(TlsClientContext::create(missing))
                .startsWith(QStringLiteral("cannot load CA certificates from %1: ").arg(missing)));
    const QString notPem = dir.filePath(QStringLiteral("not.pem"));
    QFile file(notPem);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not a certificate\n");
    file.close();
    QCOMPARE(errorOf(TlsClientContext::create(notPem)),
             QStringLiteral("cannot load CA certificates from %1: no PEM certificate in it")
                 .arg(notPem));
}

// The same rule as the DoH client's (tls/TrustStore.h): a directory entry counts whatever its
// name, where OpenSSL's own directory lookup would want a hashed one.
void TestTlsStream::trustsServerThroughSslCertDirUnderAnyName()
{
    QTemporaryDir certificates;
    QVERIFY(certificates.isValid());
    QVERIFY(QFile::copy(m_dir.filePath(QStringLiteral("ca.pem")),
                        certificates.filePath(QStringLiteral("worker-root"))));
    const ScopedEnvironment file("SSL_CERT_FILE", std::nullopt);
    const ScopedEnvironment dir("SSL_CERT_DIR", QFile::encodeName(certificates.path()));
    auto environmentOnly = unwrap(TlsClientContext::create(QString()));
    auto c = connectPair(m_server, environmentOnly, {kWorkerName, echConfigListFromPem(m_echPem)});
    QVERIFY(c);
    QVERIFY2(!c->clientFailed, qPrintable(c->clientError));
    QVERIFY(c->client->echAccepted());
}

void TestTlsStream::connectsWithoutEchOnlyWhenAskedAndReportsIt()
{
    auto c = connectPair(m_server, m_client, {kWorkerName, QByteArray()});
    QVERIFY(c);
    QVERIFY2(!c->clientFailed, qPrintable(c->clientError));
    QVERIFY(!c->client->echAccepted());
    QVERIFY(!c->server->echAccepted());
}

void TestTlsStream::movesLargeTransferIntactUnderBackpressure()
{
    auto c = connectPair(m_server, m_client, {kWorkerName, echConfigListFromPem(m_echPem)});
    QVERIFY(c);
    QVERIFY2(!c->clientFailed, qPrintable(c->clientError));

    // Written in one go: the server reads slowly, so ciphertext queues on the client side.
    QByteArray payload(8 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < payload.size(); ++i)
        payload[i] = char((i * 2654435761u) >> 13);
    c->client->write(payload);
    c->client->finishWrite();

    QCryptographicHash hash(QCryptographicHash::Sha256);
    qint64 total = 0;
    bool ended = false;
    connect(c->server.get(), &ByteStream::readFinished, [&] { ended = true; });
    auto drain = [&] {
        char buffer[16 * 1024];
        qint64 n = 0;
        while ((n = c->server->read(buffer, sizeof buffer)) > 0) {
            hash.addData(QByteArrayView(buffer, n));
            total += n;
        }
    };
    connect(c->server.get(), &ByteStream::readyRead, drain);
    drain();
    QTRY_VERIFY_WITH_TIMEOUT(ended, 30000);
    QCOMPARE(total, qint64(payload.size()));
    QCOMPARE(hash.result(), QCryptographicHash::hash(payload, QCryptographicHash::Sha256));
}

void TestTlsStream::reportsServerClosingDuringHandshake()
{
    // A plain TCP server that accepts and closes at once.
    StreamListener listener([](std::unique_ptr<SocketStream> socket) { socket->abort(); });
    QVERIFY(listener.listen(QHostAddress::LocalHost));
    std::unique_ptr<TlsStream> client;
    bool failed = false;
    TcpDialer dialer(*TargetAddress::fromHostPort(u"127.0.0.1", listener.serverPort()), 5s,
                     [&](TcpDialer::Result result) {
                         QString error;
                         client = TlsStream::client(
                             std::move(std::get<std::unique_ptr<SocketStream>>(result)),
                             m_client->get(), {kWorkerName, echConfigListFromPem(m_echPem)},
                             &error);
                         connect(client.get(), &ByteStream::failed, [&] { failed = true; });
                         client->startHandshake();
                     });
    dialer.start();
    QTRY_VERIFY_WITH_TIMEOUT(failed, 10000);
    QCOMPARE(client->failure(), TlsStream::Failure::Transport);
}

QTEST_GUILESS_MAIN(TestTlsStream)
#include "tst_tlsstream.moc"
