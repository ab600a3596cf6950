#pragma once

#include <QByteArrayView>
#include <QObject>
#include <QString>

#include <utility>

namespace echw {

// A bidirectional, non-blocking byte stream with explicit half-close: a plain TCP socket, and
// later a tunnelled connection. Writes never block; they queue, and pendingWriteBytes() tells
// how much is queued so producers can apply backpressure.
class ByteStream : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // Copies up to `max` bytes that are available now into `data`. Returns 0 when nothing is
    // available; atEnd() then tells whether the peer has finished sending.
    virtual qint64 read(char* data, qint64 max) = 0;
    virtual void write(QByteArrayView data) = 0;
    virtual qint64 pendingWriteBytes() const = 0;

    // While paused, readyRead is not emitted and the peer is held back by flow control.
    virtual void setReadPaused(bool paused) = 0;
    // The peer has finished sending and everything it sent has been read.
    virtual bool atEnd() const = 0;
    // Ends our sending direction once every queued byte is out (TCP FIN); reading goes on.
    virtual void finishWrite() = 0;
    // Closes both directions now, dropping whatever is queued.
    virtual void abort() = 0;

Q_SIGNALS:
    void readyRead();
    // Some queued bytes went out; pendingWriteBytes() tells what remains.
    void bytesWritten();
    // The peer ended its direction (EOF) and all its bytes were read.
    void readFinished();
    // finishWrite() completed: all queued bytes sent and our direction ended.
    void writeFinished();
    // The stream broke (reset, error); it can no longer be used. Emitted once at most.
    void failed(const QString& reason);

protected:
    // How implementations emit failed(): a stream that sees several causes (a reset, then the
    // write error it causes) still ends once, so no owner handles its end twice.
    void reportFailed(const QString& reason)
    {
        if (std::exchange(m_failedReported, true))
            return;
        Q_EMIT failed(reason);
    }

private:
    bool m_failedReported = false;
};

} // namespace echw
