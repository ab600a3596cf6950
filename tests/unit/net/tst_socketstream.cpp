// Socket options every proxied connection carries, read back from the kernel.
#include "net/SocketStream.h"
#include "net/StreamListener.h"
#include "net/TargetAddress.h"
#include "net/TcpDialer.h"

#include <QTest>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

using namespace echw;

namespace {

bool noDelayOf(const SocketStream& stream)
{
    int value = 0;
    socklen_t length = sizeof value;
    if (::getsockopt(stream.descriptor(), IPPROTO_TCP, TCP_NODELAY, &value, &length) != 0)
        return false;
    return value != 0;
}

} // namespace

class TestSocketStream : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void setsNoDelayOnAcceptedAndDialledSockets();
};

void TestSocketStream::setsNoDelayOnAcceptedAndDialledSockets()
{
    // Relayed protocols are mostly request/response: Nagle's algorithm would hold a small
    // reply back for a round trip, on either side of the client.
    std::unique_ptr<SocketStream> accepted;
    StreamListener listener(
        [&accepted](std::unique_ptr<SocketStream> stream) { accepted = std::move(stream); });
    QVERIFY(listener.listen(QHostAddress::LocalHost));

    std::unique_ptr<SocketStream> dialled;
    TcpDialer dialer(*TargetAddress::fromHostPort(u"127.0.0.1", listener.serverPort()),
                     std::chrono::seconds(5), [&dialled](TcpDialer::Result result) {
                         if (auto* stream = std::get_if<std::unique_ptr<SocketStream>>(&result))
                             dialled = std::move(*stream);
                     });
    dialer.start();
    QTRY_VERIFY_WITH_TIMEOUT(dialled && accepted, 5000);
    QVERIFY(noDelayOf(*dialled));
    QVERIFY(noDelayOf(*accepted));
}

QTEST_GUILESS_MAIN(TestSocketStream)
#include "tst_socketstream.moc"
