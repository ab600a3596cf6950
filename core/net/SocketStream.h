#pragma once

#include "net/ByteStream.h"

#include <QByteArray>

#include <memory>

class QSocketNotifier;

namespace echw {

// ByteStream over a connected, non-blocking TCP socket descriptor, driven by the event loop.
//
// QTcpSocket is not used here because it closes the whole connection when the peer ends its
// direction, which breaks half-closed connections (a client that sends a request, shuts down
// its write side, then reads the answer); a raw descriptor also allows splice(2) later.
class SocketStream final : public ByteStream {
    Q_OBJECT
public:
    // Takes ownership of `descriptor`.
    explicit SocketStream(int descriptor, QObject* parent = nullptr);
    ~SocketStream() override;

    qint64 read(char* data, qint64 max) override;
    void write(QByteArrayView data) override;
    qint64 pendingWriteBytes() const override;
    void setReadPaused(bool paused) override;
    bool atEnd() const override;
    void finishWrite() override;
    void abort() override;

    int descriptor() const { return m_descriptor; }

    // For a relay that writes to descriptor() itself (splice(2)): emits writable() once, the
    // next time the socket can take more bytes. Only while nothing is queued here.
    void notifyWhenWritable();

Q_SIGNALS:
    void writable();

private:
    void onReadable();
    void onWritable();
    void flushPending();
    void reportFailure(int error);
    void updateReadNotifier();

    int m_descriptor = -1;
    std::unique_ptr<QSocketNotifier> m_readNotifier;
    std::unique_ptr<QSocketNotifier> m_writeNotifier;
    QByteArray m_pending;
    qsizetype m_pendingOffset = 0;
    bool m_readPaused = false;
    bool m_readEnded = false;
    bool m_finishRequested = false;
    bool m_writeEnded = false;
    bool m_failed = false;
    bool m_writableWanted = false;
};

} // namespace echw
