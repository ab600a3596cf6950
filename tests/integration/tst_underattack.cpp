// The headless client (default engine threads, -auth) with 10,000 connections on its port that
// never finish their handshake, idle or slowloris: real curl requests are still answered in
// under a second, over SOCKS5 and the HTTP proxy, and a client that logged in before the flood
// keeps its connection.
#include "ProcessFixture.h"
#include "TestHelpers.h"

#include <QElapsedTimer>
#include <QTcpSocket>
#include <QTest>

#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace std::chrono_literals;
using namespace echw::test;

namespace {

const QString kUser = QStringLiteral("alice");
const QString kPassword = QStringLiteral("flood-pw");
constexpr int kFloodSize = 10'000;
// Room for the test's own descriptors next to the flood.
constexpr int kSpareDescriptors = 200;

// How many connections the flood can have at once: 10,000 unless the hard descriptor limit is
// lower, after raising the soft limit to it.
int floodCapacity()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 0;
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    return int(std::min<rlim_t>(kFloodSize, limit.rlim_cur - kSpareDescriptors));
}

// Many raw TCP connections to one loopback port, held open and driven with poll(2): what an
// attacker with one machine does, without the overhead of a QTcpSocket each.
class ConnectionFlood {
public:
    ~ConnectionFlood()
    {
        for (const int fd : m_fds)
            ::close(fd);
    }

    // Opens `count` connections; true when every one of them connected.
    bool open(quint16 port, int count, std::chrono::milliseconds timeout)
    {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        for (int i = 0; i < count; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd < 0)
                return false;
            m_fds.push_back(fd);
            if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 &&
                errno != EINPROGRESS)
                return false;
        }
        // Connected once writable (the proxy may still be busy accepting the earlier ones).
        QElapsedTimer clock;
        clock.start();
        std::vector<pollfd> waiting;
        for (const int fd : m_fds)
            waiting.push_back({fd, POLLOUT, 0});
        while (!waiting.empty()) {
            if (clock.elapsed() > timeout.count())
                return false;
            ::poll(waiting.data(), waiting.size(), 100);
            std::erase_if(waiting, [](const pollfd& p) { return p.revents != 0; });
        }
        return true;
    }

    void sendToEach(const QByteArray& bytes)
    {
        for (const int fd : m_fds)
            (void)::send(fd, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL);
    }

    // How many the proxy has closed (end of stream or reset).
    int closedByPeer()
    {
        std::vector<pollfd> all;
        for (const int fd : m_fds)
            all.push_back({fd, POLLIN | POLLRDHUP, 0});
        ::poll(all.data(), all.size(), 0);
        int closed = 0;
        for (const pollfd& p : all) {
            if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) {
                ++closed;
            } else if (p.revents & POLLIN) {
                char byte;
                if (::recv(p.fd, &byte, 1, MSG_PEEK) <= 0)
                    ++closed;
            }
        }
        return closed;
    }

    int size() const { return int(m_fds.size()); }

private:
    std::vector<int> m_fds;
};

// The SOCKS5 greeting offering username/password (RFC 1929), the login and a CONNECT to
// 127.0.0.1:port, in one write.
QByteArray socks5LoginAndConnect(const QByteArray& user, const QByteArray& password, quint16 port)
{
    QByteArray bytes = QByteArray::fromHex("050102");
    bytes += char(1);
    bytes += char(user.size()) + user;
    bytes += char(password.size()) + password;
    bytes += QByteArray::fromHex("050100017f000001");
    bytes += char(port >> 8);
    bytes += char(port & 0xff);
    return bytes;
}

} // namespace

class TestUnderAttack : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void answersPromptlyDuringAFlood_data();
    void answersPromptlyDuringAFlood();

private:
    QString proxy() const { return QStringLiteral("127.0.0.1:%1").arg(m_proxyPort); }
    QString credentials() const { return kUser + u':' + kPassword; }
    // Runs curl for a small page through the proxy; returns how long it took, or -1.
    qint64 timedRequest(const QStringList& proxyArguments);

    std::unique_ptr<ServiceProcess> m_origin;
    std::unique_ptr<ServiceProcess> m_client;
    quint16 m_originPort = 0;
    quint16 m_proxyPort = 0;
    int m_floodSize = 0;
};

void TestUnderAttack::initTestCase()
{
    m_floodSize = floodCapacity();
    QVERIFY2(m_floodSize >= 2'000, "too few file descriptors for a flood");
    if (m_floodSize < kFloodSize)
        qWarning("the descriptor limit allows a flood of %d connections only", m_floodSize);
    m_origin = std::make_unique<ServiceProcess>(
        QStringLiteral(ECHW_ORIGIN_BIN),
        QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1")});
    m_originPort = m_origin->waitForPort(20s);
    QVERIFY2(m_originPort != 0, "the origin did not start");
    // The password through the environment, as the README recommends.
    m_client = std::make_unique<ServiceProcess>(
        QStringLiteral(ECHW_CLIENT_BIN), directClientArguments(),
        QStringList{QStringLiteral("ECH_WORKERS_AUTH=") + credentials()});
    m_proxyPort = m_client->waitForPort(20s);
    QVERIFY2(m_proxyPort != 0, qPrintable(m_client->output()));
}

void TestUnderAttack::cleanupTestCase()
{
    if (!m_client)
        return;
    QVERIFY2(m_client->isRunning(), "the client died during the tests");
    QCOMPARE(m_client->stop(20s), 0);
}

qint64 TestUnderAttack::timedRequest(const QStringList& proxyArguments)
{
    QElapsedTimer clock;
    clock.start();
    const auto result = runProcess(
        QStringLiteral(ECHW_CURL_BIN),
        QStringList{QStringLiteral("-sS"), QStringLiteral("--fail"), QStringLiteral("--noproxy"),
                    QString(), QStringLiteral("--max-time"), QStringLiteral("20")} +
            proxyArguments +
            QStringList{QStringLiteral("http://127.0.0.1:%1/bytes/2000?seed=5").arg(m_originPort)},
        30s);
    const qint64 elapsed = clock.elapsed();
    if (result.exitCode != 0 || result.out.size() != 2000) {
        qWarning("curl failed (%d): %s", result.exitCode, result.err.constData());
        return -1;
    }
    return elapsed;
}

void TestUnderAttack::answersPromptlyDuringAFlood_data()
{
    QTest::addColumn<QByteArray>("attackBytes");
    QTest::newRow("idle connections") << QByteArray();
    // A request head that never ends, and a SOCKS5 greeting that never logs in.
    QTest::newRow("slowloris, HTTP") << QByteArray("GET http://127.0.0.1/ HTTP/1.1\r\nX-A: ");
    QTest::newRow("never logging in, SOCKS5") << QByteArray::fromHex("050102");
}

void TestUnderAttack::answersPromptlyDuringAFlood()
{
    QFETCH(QByteArray, attackBytes);

    // A client that logged in and connected before the attack.
    QTcpSocket early;
    early.connectToHost(QHostAddress::LocalHost, m_proxyPort);
    QVERIFY(early.waitForConnected(5000));
    early.write(socks5LoginAndConnect(kUser.toUtf8(), kPassword.toUtf8(), m_originPort));
    // Method choice, login status, CONNECT reply with an IPv4 bound address.
    const QByteArray replies = readExactly(early, 2 + 2 + 10);
    QCOMPARE(replies.left(4), QByteArray::fromHex("05020100"));
    QCOMPARE(replies.mid(4, 2), QByteArray::fromHex("0500"));

    ConnectionFlood flood;
    QVERIFY2(flood.open(m_proxyPort, m_floodSize, 60s), "the flood could not connect");
    if (!attackBytes.isEmpty())
        flood.sendToEach(attackBytes);
    // The proxy has taken in the whole flood once it has dropped all but its handshake budget
    // (512) of them, the oldest first.
    QVERIFY2(
        QTest::qWaitFor([&] { return flood.closedByPeer() >= m_floodSize - 512; }, 60'000),
        qPrintable(QStringLiteral("%1 of %2 closed").arg(flood.closedByPeer()).arg(m_floodSize)));

    const qint64 socks = timedRequest({QStringLiteral("--socks5-hostname"), proxy(),
                                       QStringLiteral("--proxy-user"), credentials()});
    const qint64 http = timedRequest(
        {QStringLiteral("-x"), QStringLiteral("http://%1@%2").arg(credentials(), proxy())});
    qInfo("during a flood of %d: SOCKS5 answered in %lld ms, HTTP in %lld ms", m_floodSize,
          static_cast<long long>(socks), static_cast<long long>(http));
    QVERIFY2(socks >= 0 && socks < 1000, "SOCKS5 request not answered within a second");
    QVERIFY2(http >= 0 && http < 1000, "HTTP request not answered within a second");

    // The connection made before the flood still works.
    early.write(QByteArrayLiteral("GET /bytes/3000?seed=9 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                  "Connection: close\r\n\r\n"));
    const QByteArray response = readUntilClosed(early);
    QVERIFY2(response.startsWith("HTTP/1.1 200"), response.left(200).constData());
    QCOMPARE(response.size() - (response.indexOf("\r\n\r\n") + 4), 3000);
}

QTEST_GUILESS_MAIN(TestUnderAttack)
#include "tst_underattack.moc"
