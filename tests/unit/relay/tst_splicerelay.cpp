// StreamRelay between two real TCP sockets (the direct path): the zero-copy mode is chosen, and
// bytes arrive identical both ways with half-close, large and small, behind a slow reader.
#include "DeterministicContent.h"
#include "metrics/ConnectionRegistry.h"
#include "net/SocketStream.h"
#include "relay/StreamRelay.h"

#include <QSignalSpy>
#include <QTest>

#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace echw;

namespace {

// A connected loopback TCP pair: {the end the test drives, the end the relay gets}.
std::pair<int, int> tcpPair()
{
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(listener, 1) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        qFatal("cannot listen on loopback");
    const int outside = ::socket(AF_INET, SOCK_STREAM, 0);
    if (::connect(outside, reinterpret_cast<sockaddr*>(&address), length) != 0)
        qFatal("cannot connect on loopback");
    const int inside = ::accept(listener, nullptr, nullptr);
    ::close(listener);
    return {outside, inside};
}

// Blocking I/O on the test's ends, each on its own thread so that neither direction waits for
// the other.
void writeAll(int fd, quint64 seed, qint64 size, std::chrono::milliseconds delay)
{
    std::this_thread::sleep_for(delay);
    char chunk[16 * 1024];
    for (qint64 offset = 0; offset < size;) {
        const qint64 n = std::min<qint64>(sizeof chunk, size - offset);
        test::fillContent(seed, quint64(offset), chunk, n);
        for (qint64 sent = 0; sent < n;) {
            const ssize_t written = ::send(fd, chunk + sent, size_t(n - sent), MSG_NOSIGNAL);
            if (written <= 0)
                return;
            sent += written;
        }
        offset += n;
    }
    ::shutdown(fd, SHUT_WR);
}

void readToEnd(int fd, QByteArray* out, std::chrono::microseconds pausePerRead)
{
    char chunk[16 * 1024];
    for (;;) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0)
            return;
        out->append(chunk, n);
        if (pausePerRead.count() > 0)
            std::this_thread::sleep_for(pausePerRead);
    }
}

struct Transfer {
    qint64 upBytes = 0;
    qint64 downBytes = 0;
    std::chrono::milliseconds downDelay{0};
    std::chrono::microseconds clientReadPause{0};
    QByteArray earlyData; // queued on the upstream socket before the relay starts
};

Transfer transfer(qint64 upBytes, qint64 downBytes)
{
    Transfer result;
    result.upBytes = upBytes;
    result.downBytes = downBytes;
    return result;
}

} // namespace

class TestSpliceRelay : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void splicesBetweenTwoSockets();
    void copiesWhenEitherStreamIsNotASocket();
    void movesLargeTransfersIdenticallyWithHalfCloseBothWays();
    void movesSmallAndEmptyTransfers();
    void keepsUpWithASlowReader();
    void sendsBytesQueuedBeforeTheRelayFirst();

private:
    void run(const Transfer& transfer);
};

void TestSpliceRelay::splicesBetweenTwoSockets()
{
    const auto [clientOutside, clientInside] = tcpPair();
    const auto [upstreamOutside, upstreamInside] = tcpPair();
    StreamRelay relay(std::make_unique<SocketStream>(clientInside),
                      std::make_unique<SocketStream>(upstreamInside));
#ifdef __linux__
    QCOMPARE(relay.mode(), StreamRelay::Mode::Splice);
#else
    QCOMPARE(relay.mode(), StreamRelay::Mode::Copy);
#endif
    ::close(clientOutside);
    ::close(upstreamOutside);
}

void TestSpliceRelay::copiesWhenEitherStreamIsNotASocket()
{
    // A stream that is not a plain socket (here: a TLS-less stand-in) has user-space state
    // that splice(2) would bypass.
    class Silent final : public ByteStream {
    public:
        qint64 read(char*, qint64) override { return 0; }
        void write(QByteArrayView) override {}
        qint64 pendingWriteBytes() const override { return 0; }
        void setReadPaused(bool) override {}
        bool atEnd() const override { return false; }
        void finishWrite() override {}
        void abort() override {}
    };
    const auto [clientOutside, clientInside] = tcpPair();
    StreamRelay relay(std::make_unique<SocketStream>(clientInside), std::make_unique<Silent>());
    QCOMPARE(relay.mode(), StreamRelay::Mode::Copy);
    ::close(clientOutside);
}

void TestSpliceRelay::movesLargeTransfersIdenticallyWithHalfCloseBothWays()
{
    // Upload ends first and the download goes on after it, then the other way round.
    Transfer uploadEndsFirst = transfer(24 * 1024 * 1024 + 7, 16 * 1024 * 1024 + 3);
    uploadEndsFirst.downDelay = std::chrono::milliseconds(200);
    run(uploadEndsFirst);
    run(transfer(3 * 1024 * 1024, 20 * 1024 * 1024 + 1));
}

void TestSpliceRelay::movesSmallAndEmptyTransfers()
{
    run(transfer(1, 1));
    run(transfer(0, 5000));
    run(transfer(70'000, 0));
    run(transfer(0, 0));
}

void TestSpliceRelay::keepsUpWithASlowReader()
{
    // The client reads 16 KiB per millisecond at most: the relay must hold the upstream back
    // rather than lose or reorder anything.
    Transfer slow = transfer(1000, 6 * 1024 * 1024);
    slow.clientReadPause = std::chrono::microseconds(1000);
    run(slow);
}

void TestSpliceRelay::sendsBytesQueuedBeforeTheRelayFirst()
{
    // A SOCKS5 session's early data is written to the upstream before the relay takes over.
    Transfer early = transfer(2 * 1024 * 1024, 100);
    early.earlyData = QByteArray(300'000, 'e');
    run(early);
}

void TestSpliceRelay::run(const Transfer& transfer)
{
    const auto [clientOutside, clientInside] = tcpPair();
    const auto [upstreamOutside, upstreamInside] = tcpPair();
    auto upstream = std::make_unique<SocketStream>(upstreamInside);
    upstream->write(transfer.earlyData);
    StreamRelay relay(std::make_unique<SocketStream>(clientInside), std::move(upstream));
    TrafficCounters counters;
    relay.countInto(&counters);
    QSignalSpy finished(&relay, &StreamRelay::finished);

    QByteArray upReceived;
    QByteArray downReceived;
    std::thread upWriter(writeAll, clientOutside, 1, transfer.upBytes,
                         std::chrono::milliseconds(0));
    std::thread downWriter(writeAll, upstreamOutside, 2, transfer.downBytes, transfer.downDelay);
    std::thread upReader(readToEnd, upstreamOutside, &upReceived, std::chrono::microseconds(0));
    std::thread downReader(readToEnd, clientOutside, &downReceived, transfer.clientReadPause);
    relay.start();
    const bool ended = finished.wait(60'000);
    upWriter.join();
    downWriter.join();
    upReader.join();
    downReader.join();
    ::close(clientOutside);
    ::close(upstreamOutside);

    QVERIFY(ended);
    QCOMPARE(finished.first().first().toString(), QString());
    QCOMPARE(upReceived.size(), transfer.earlyData.size() + transfer.upBytes);
    QVERIFY(upReceived.startsWith(transfer.earlyData));
    QVERIFY(upReceived.sliced(transfer.earlyData.size()) == test::content(1, 0, transfer.upBytes));
    QCOMPARE(downReceived.size(), transfer.downBytes);
    QVERIFY(downReceived == test::content(2, 0, transfer.downBytes));
    QCOMPARE(counters.up, quint64(transfer.upBytes));
    QCOMPARE(counters.down, quint64(transfer.downBytes));
}

QTEST_GUILESS_MAIN(TestSpliceRelay)
#include "tst_splicerelay.moc"
