// SOCKS5 UDP ASSOCIATE end to end inside one process: an Engine without a tunnel (routing
// none), so DNS goes to a loopback HTTPS DoH server over a direct connection; the client is a
// QTcpSocket for the control connection and a QUdpSocket for the datagrams.
#include "DohTestServer.h"
#include "RunningProxy.h"
#include "TestValues.h"
#include "ech/DnsMessage.h"
#include "inbound/Socks5UdpPacket.h"

#include <QLoggingCategory>
#include <QNetworkDatagram>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace echw;
using namespace echw::test;

namespace {

const QString kDomain = QStringLiteral("udp-dns.test");
const QByteArray kEchConfigList = QByteArrayLiteral("\x00\x0a\xfe\x0d\x00\x06"
                                                    "abcdef");

QStringList g_log;
QtMessageHandler g_previousHandler = nullptr;

void captureLog(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    g_log.append(message);
    if (type != QtDebugMsg)
        g_previousHandler(type, context, message);
}

bool logContains(const QString& text)
{
    return std::any_of(g_log.begin(), g_log.end(),
                       [&text](const QString& line) { return line.contains(text); });
}

QByteArray readBytes(QTcpSocket& socket, qsizetype n)
{
    if (!QTest::qWaitFor([&] { return socket.bytesAvailable() >= n; }, 10000))
        return socket.readAll();
    return socket.read(n);
}

// Whether the kernel refuses a datagram to 127.0.0.1:port (ICMP port unreachable, reported
// on a connected socket). Qt's UDP socket does not report that error, so this is plain POSIX.
bool refusedByKernel(quint16 port)
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool refused = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::send(fd, "late", 4, 0) == 4) {
        pollfd events{fd, POLLIN, 0};
        char byte = 0;
        refused = ::poll(&events, 1, 5000) == 1 && ::recv(fd, &byte, 1, MSG_DONTWAIT) < 0 &&
                  errno == ECONNREFUSED;
    }
    ::close(fd);
    return refused;
}

struct Relay {
    QHostAddress address;
    quint16 port = 0;
};

} // namespace

class TestSocks5UdpAssociate : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void answersOnTheAddressTheClientReached_data();
    void answersOnTheAddressTheClientReached();
    void endsTheAssociationWithTheControlConnection();

private:
    std::unique_ptr<EngineRuntime> startEngine(const QString& listen);
    // Greeting and UDP ASSOCIATE on `control`; the relay the reply names, or a null address.
    static Relay associate(QTcpSocket& control, const QHostAddress& proxy, quint16 proxyPort,
                           QByteArray* reply = nullptr);
    static QByteArray query(const QHostAddress& relay, quint16 port, QUdpSocket& client,
                            quint16 id);

    QTemporaryDir m_dir;
    QString m_caFile;
    std::unique_ptr<DohTestServer> m_server;
};

void TestSocks5UdpAssociate::initTestCase()
{
    QVERIFY(QSslSocket::supportsSsl());
    QVERIFY(m_dir.isValid());
    const DohTestCertificate doh = createDohTestCertificate(m_dir.path());
    QVERIFY(!doh.caFile.isEmpty());
    m_caFile = doh.caFile;
    m_server = std::make_unique<DohTestServer>(doh.certificate, kDomain, kEchConfigList);
    QVERIFY(m_server->listen(QHostAddress::LocalHost));
    g_previousHandler = qInstallMessageHandler(captureLog);
    QLoggingCategory::setFilterRules(QStringLiteral("echw.inbound.debug=true"));
}

void TestSocks5UdpAssociate::cleanupTestCase()
{
    qInstallMessageHandler(g_previousHandler);
}

std::unique_ptr<EngineRuntime> TestSocks5UdpAssociate::startEngine(const QString& listen)
{
    ProxySettings settings;
    settings.listen = listen;
    settings.routing = RoutingMode::None;
    settings.server.caFile = m_caFile;
    settings.udpDnsServer = m_server->url().toString();
    // The dual-stack rows listen on every address; the test reaches them over loopback only.
    settings.allowLanWithoutAuth = true;
    auto engine = std::make_unique<EngineRuntime>();
    if (const auto error = test::startProxy(*engine, settings)) {
        qWarning("%s", qPrintable(*error));
        return nullptr;
    }
    return engine;
}

Relay TestSocks5UdpAssociate::associate(QTcpSocket& control, const QHostAddress& proxy,
                                        quint16 proxyPort, QByteArray* reply)
{
    control.connectToHost(proxy, proxyPort);
    if (!QTest::qWaitFor([&] { return control.state() == QAbstractSocket::ConnectedState; }, 10000))
        return {};
    // No authentication, then UDP ASSOCIATE from an address and port not known yet.
    control.write(bytes({5, 1, 0, 5, 3, 0, 1, 0, 0, 0, 0, 0, 0}));
    if (readBytes(control, 2) != bytes({5, 0}))
        return {};
    QByteArray head = readBytes(control, 4);
    if (head.size() != 4 || head.first(2) != bytes({5, 0}))
        return {};
    const bool ipv6 = head.at(3) == 4;
    const QByteArray rest = readBytes(control, ipv6 ? 18 : 6);
    if (reply)
        *reply = head + rest;
    Relay relay;
    relay.port = quint16(quint8(rest.at(rest.size() - 2)) << 8 | quint8(rest.back()));
    if (ipv6) {
        Q_IPV6ADDR address;
        std::copy_n(reinterpret_cast<const quint8*>(rest.constData()), 16, address.c);
        relay.address = QHostAddress(address);
    } else {
        relay.address =
            QHostAddress(quint32(quint8(rest[0])) << 24 | quint32(quint8(rest[1])) << 16 |
                         quint32(quint8(rest[2])) << 8 | quint32(quint8(rest[3])));
    }
    return relay;
}

// Sends a DNS query for kDomain to 9.9.9.9:53 through the relay; the DNS answer, or empty.
QByteArray TestSocks5UdpAssociate::query(const QHostAddress& relay, quint16 port,
                                         QUdpSocket& client, quint16 id)
{
    const auto destination = *TargetAddress::fromHostPort(QStringLiteral("9.9.9.9"), 53);
    client.writeDatagram(
        buildSocks5UdpPacket(destination, buildDnsQuery(kDomain, DnsType::Https, id)), relay, port);
    if (!QTest::qWaitFor([&client] { return client.hasPendingDatagrams(); }, 10000))
        return {};
    const auto parsed = parseSocks5UdpPacket(client.receiveDatagram().data());
    const auto* packet = std::get_if<Socks5UdpPacket>(&parsed);
    if (!packet || packet->address != destination)
        return {};
    return packet->payload;
}

void TestSocks5UdpAssociate::answersOnTheAddressTheClientReached_data()
{
    QTest::addColumn<QString>("listen");
    QTest::addColumn<QHostAddress>("proxy");
    const QHostAddress v4(QHostAddress::LocalHost);
    const QHostAddress v6(QHostAddress::LocalHostIPv6);
    QTest::newRow("ipv4 listener") << QStringLiteral("127.0.0.1:0") << v4;
    QTest::newRow("ipv6 listener") << QStringLiteral("[::1]:0") << v6;
    // A dual-stack listener sees IPv4 clients as ::ffff:127.0.0.1; they are told 127.0.0.1.
    QTest::newRow("dual-stack listener over ipv4") << QStringLiteral(":0") << v4;
    QTest::newRow("dual-stack listener over ipv6") << QStringLiteral(":0") << v6;
}

void TestSocks5UdpAssociate::answersOnTheAddressTheClientReached()
{
    QFETCH(QString, listen);
    QFETCH(QHostAddress, proxy);
    auto engine = startEngine(listen);
    if (!engine && proxy.protocol() == QAbstractSocket::IPv6Protocol)
        QSKIP("no IPv6 loopback here");
    QVERIFY(engine);
    const quint16 proxyPort = test::proxyPort(*engine);
    QTcpSocket control;
    QByteArray reply;
    const Relay relay = associate(control, proxy, proxyPort, &reply);
    QCOMPARE(relay.address, proxy);
    QVERIFY(relay.port != 0);
    const QByteArray portBytes = bytes({relay.port >> 8, relay.port & 0xff});
    if (proxy.protocol() == QAbstractSocket::IPv4Protocol)
        QCOMPARE(reply, bytes({5, 0, 0, 1, 127, 0, 0, 1}) + portBytes);
    else
        QCOMPARE(reply, bytes({5, 0, 0, 4}) + QByteArray(15, '\0') + bytes({1}) + portBytes);

    QUdpSocket client;
    QVERIFY(client.bind(proxy, 0));
    const int before = int(m_server->requests.size());
    const QByteArray answer = query(relay.address, relay.port, client, 77);
    const auto response = parseDnsResponse(answer);
    QVERIFY2(std::holds_alternative<DnsResponse>(response), qPrintable(errorOf(response)));
    QCOMPARE(std::get<DnsResponse>(response).id, quint16(77));
    QCOMPARE(std::get<DnsResponse>(response).questions.first().name, kDomain);
    QCOMPARE(int(m_server->requests.size()), before + 1);
}

void TestSocks5UdpAssociate::endsTheAssociationWithTheControlConnection()
{
    auto engine = startEngine(QStringLiteral("127.0.0.1:0"));
    QVERIFY(engine);
    const quint16 proxyPort = test::proxyPort(*engine);
    QTcpSocket control;
    const Relay relay = associate(control, QHostAddress::LocalHost, proxyPort);
    QVERIFY(relay.port != 0);
    QUdpSocket client;
    QVERIFY(client.bind(QHostAddress::LocalHost, 0));
    QVERIFY(!query(relay.address, relay.port, client, 1).isEmpty());

    control.disconnectFromHost();
    const QString ended = QStringLiteral("UDP association on 127.0.0.1:%1 ended: 1 queries, 1 "
                                         "answers")
                              .arg(relay.port);
    QTRY_VERIFY2(logContains(ended), qPrintable(g_log.join(u'\n')));
    QTRY_COMPARE(test::snapshotOf(*engine).activeConnections, 0);
    // The relay port is closed: the kernel refuses what is sent there.
    QVERIFY(refusedByKernel(relay.port));
}

QTEST_GUILESS_MAIN(TestSocks5UdpAssociate)
#include "tst_socks5udpassociate.moc"
