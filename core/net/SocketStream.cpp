#include "SocketStream.h"

#include <QSocketNotifier>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace echw {

namespace {

// Below this many queued bytes the queue is not worth compacting.
constexpr qsizetype kCompactThreshold = 64 * 1024;

} // namespace

SocketStream::SocketStream(int descriptor, QObject* parent)
    : ByteStream(parent)
    , m_descriptor(descriptor)
{
    const int flags = ::fcntl(m_descriptor, F_GETFL);
    ::fcntl(m_descriptor, F_SETFL, flags | O_NONBLOCK);
    ::fcntl(m_descriptor, F_SETFD, FD_CLOEXEC);
    // Proxied protocols are often request/response; Nagle would add a round trip of delay.
    const int one = 1;
    ::setsockopt(m_descriptor, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    m_readNotifier = std::make_unique<QSocketNotifier>(m_descriptor, QSocketNotifier::Read);
    m_writeNotifier = std::make_unique<QSocketNotifier>(m_descriptor, QSocketNotifier::Write);
    m_writeNotifier->setEnabled(false);
    connect(m_readNotifier.get(), &QSocketNotifier::activated, this, &SocketStream::onReadable);
    connect(m_writeNotifier.get(), &QSocketNotifier::activated, this, &SocketStream::onWritable);
}

SocketStream::~SocketStream()
{
    abort();
}

qint64 SocketStream::read(char* data, qint64 max)
{
    if (m_descriptor < 0 || m_readEnded || max <= 0)
        return 0;
    const ssize_t n = ::recv(m_descriptor, data, size_t(max), 0);
    if (n > 0)
        return n;
    if (n == 0) {
        m_readEnded = true;
        updateReadNotifier();
        QMetaObject::invokeMethod(this, &SocketStream::readFinished, Qt::QueuedConnection);
        return 0;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        reportFailure(errno);
    return 0;
}

void SocketStream::write(QByteArrayView data)
{
    if (m_descriptor < 0 || m_finishRequested || data.isEmpty())
        return;
    qsizetype offset = 0;
    if (pendingWriteBytes() == 0) {
        const ssize_t n = ::send(m_descriptor, data.data(), size_t(data.size()), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                reportFailure(errno);
                return;
            }
        } else {
            offset = n;
        }
    }
    if (offset < data.size()) {
        m_pending.append(data.data() + offset, data.size() - offset);
        m_writeNotifier->setEnabled(true);
    }
}

qint64 SocketStream::pendingWriteBytes() const
{
    return m_pending.size() - m_pendingOffset;
}

void SocketStream::setReadPaused(bool paused)
{
    m_readPaused = paused;
    updateReadNotifier();
}

bool SocketStream::atEnd() const
{
    return m_readEnded;
}

void SocketStream::finishWrite()
{
    if (m_descriptor < 0 || m_finishRequested)
        return;
    m_finishRequested = true;
    if (pendingWriteBytes() == 0)
        QMetaObject::invokeMethod(this, &SocketStream::flushPending, Qt::QueuedConnection);
}

void SocketStream::abort()
{
    if (m_descriptor < 0)
        return;
    m_readNotifier.reset();
    m_writeNotifier.reset();
    ::close(m_descriptor);
    m_descriptor = -1;
    m_pending.clear();
    m_pendingOffset = 0;
}

void SocketStream::onReadable()
{
    Q_EMIT readyRead();
}

void SocketStream::notifyWhenWritable()
{
    if (!m_writeNotifier || m_failed)
        return;
    m_writableWanted = true;
    m_writeNotifier->setEnabled(true);
}

void SocketStream::onWritable()
{
    if (pendingWriteBytes() > 0 || !m_writableWanted) {
        flushPending();
        return;
    }
    m_writableWanted = false;
    m_writeNotifier->setEnabled(false);
    Q_EMIT writable();
}

void SocketStream::flushPending()
{
    if (m_descriptor < 0)
        return;
    bool wrote = false;
    while (pendingWriteBytes() > 0) {
        const ssize_t n = ::send(m_descriptor, m_pending.constData() + m_pendingOffset,
                                 size_t(pendingWriteBytes()), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                reportFailure(errno);
            break;
        }
        m_pendingOffset += n;
        wrote = true;
    }
    if (pendingWriteBytes() == 0) {
        m_pending.clear();
        m_pendingOffset = 0;
        if (m_writeNotifier)
            m_writeNotifier->setEnabled(false);
    } else if (m_pendingOffset >= kCompactThreshold && m_pendingOffset * 2 >= m_pending.size()) {
        m_pending.remove(0, m_pendingOffset);
        m_pendingOffset = 0;
    }
    if (m_failed || m_descriptor < 0)
        return;
    if (m_finishRequested && !m_writeEnded && pendingWriteBytes() == 0) {
        m_writeEnded = true;
        ::shutdown(m_descriptor, SHUT_WR);
        Q_EMIT writeFinished();
    }
    if (wrote)
        Q_EMIT bytesWritten();
}

void SocketStream::reportFailure(int error)
{
    if (m_failed)
        return;
    m_failed = true;
    m_readNotifier->setEnabled(false);
    m_writeNotifier->setEnabled(false);
    const QString reason = QString::fromLocal8Bit(std::strerror(error));
    QMetaObject::invokeMethod(
        this, [this, reason] { reportFailed(reason); }, Qt::QueuedConnection);
}

void SocketStream::updateReadNotifier()
{
    if (m_readNotifier)
        m_readNotifier->setEnabled(!m_readPaused && !m_readEnded && !m_failed);
}

} // namespace echw
