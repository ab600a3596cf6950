// StreamPump against in-memory streams: the pump's own rules (bounded rounds, backpressure,
// EOF passing), separate from any socket.
#include "net/ByteStream.h"
#include "relay/StreamPump.h"

#include <QTest>

using namespace echw;

namespace {

// Holds bytes that are readable at once (like decrypted TLS data) and signals readyRead only
// when told to, as a source whose transport has gone quiet does.
class BufferedSource final : public ByteStream {
public:
    QByteArray data;
    qsizetype offset = 0;
    bool ended = false;

    qint64 read(char* out, qint64 max) override
    {
        const qint64 n = std::min<qint64>(max, data.size() - offset);
        std::memcpy(out, data.constData() + offset, size_t(n));
        offset += n;
        return n;
    }
    void write(QByteArrayView) override {}
    qint64 pendingWriteBytes() const override { return 0; }
    void setReadPaused(bool) override {}
    bool atEnd() const override { return ended && offset == data.size(); }
    void finishWrite() override {}
    void abort() override {}
};

class CollectingSink final : public ByteStream {
public:
    QByteArray received;
    bool finished = false;

    qint64 read(char*, qint64) override { return 0; }
    void write(QByteArrayView bytes) override { received.append(bytes); }
    qint64 pendingWriteBytes() const override { return 0; }
    void setReadPaused(bool) override {}
    bool atEnd() const override { return false; }
    void finishWrite() override
    {
        finished = true;
        QMetaObject::invokeMethod(this, &ByteStream::writeFinished, Qt::QueuedConnection);
    }
    void abort() override {}
};

} // namespace

class TestStreamPump : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void drainsEverythingBufferedAfterOneReadyRead();
    void passesEndOfStreamOnAsHalfClose();
};

void TestStreamPump::drainsEverythingBufferedAfterOneReadyRead()
{
    // Far more than one call's worth of rounds: the rest must follow without a new event.
    BufferedSource source;
    source.data = QByteArray(3 * 1024 * 1024 + 5, 'x');
    CollectingSink sink;
    StreamPump pump(&source, &sink);
    pump.start();
    QTRY_COMPARE_WITH_TIMEOUT(sink.received.size(), source.data.size(), 5000);
    QCOMPARE(pump.bytesMoved(), qint64(source.data.size()));
}

void TestStreamPump::passesEndOfStreamOnAsHalfClose()
{
    BufferedSource source;
    source.data = QByteArray(100, 'y');
    source.ended = true;
    CollectingSink sink;
    StreamPump pump(&source, &sink);
    bool finished = false;
    connect(&pump, &StreamPump::finished, [&] { finished = true; });
    pump.start();
    QTRY_VERIFY_WITH_TIMEOUT(finished, 5000);
    QVERIFY(sink.finished);
    QCOMPARE(sink.received, source.data);
}

QTEST_GUILESS_MAIN(TestStreamPump)
#include "tst_streampump.moc"
