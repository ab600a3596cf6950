#include "SplicePump.h"

#include "net/SocketStream.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace echw {

namespace {

#ifdef __linux__
// Asked of the kernel per call; it moves at most what fits in the pipe.
constexpr size_t kSpliceRequest = 1024 * 1024;
// The default pipe (64 KiB) would mean four times the wake-ups per megabyte; the request fails
// harmlessly when the user's pipe budget (fs.pipe-user-pages-soft) is spent.
constexpr int kPipeCapacity = 256 * 1024;
constexpr unsigned kSpliceFlags = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;
#endif
// Source reads per call, so one busy connection cannot starve the others on this event loop;
// the source's readiness is level-triggered, so whatever is left is picked up next turn.
constexpr int kRoundsPerCall = 8;

} // namespace

SplicePump::SplicePump(SocketStream* source, SocketStream* sink, QObject* parent)
    : QObject(parent)
    , m_source(source)
    , m_sink(sink)
{}

SplicePump::~SplicePump()
{
    if (m_pipeRead >= 0)
        ::close(m_pipeRead);
    if (m_pipeWrite >= 0)
        ::close(m_pipeWrite);
}

bool SplicePump::open()
{
#ifdef __linux__
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
        return false;
    m_pipeRead = fds[0];
    m_pipeWrite = fds[1];
    ::fcntl(m_pipeWrite, F_SETPIPE_SZ, kPipeCapacity);
    return true;
#else
    return false;
#endif
}

void SplicePump::start()
{
    connect(m_source, &ByteStream::readyRead, this, &SplicePump::pump);
    connect(m_sink, &SocketStream::writable, this, &SplicePump::pump);
    // Bytes queued before the relay started going out; pump() waits for the last of them.
    connect(m_sink, &ByteStream::bytesWritten, this, &SplicePump::pump);
    connect(m_sink, &ByteStream::writeFinished, this, [this] {
        if (m_sourceEnded && !m_finished) {
            m_finished = true;
            Q_EMIT finished();
        }
    });
    pump();
}

void SplicePump::pump()
{
#ifdef __linux__
    if (m_stopped || m_finishRequested)
        return;
    if (m_sink->pendingWriteBytes() > 0) {
        setSourcePaused(true);
        return;
    }
    for (int round = 0;; ++round) {
        if (!drainPipe())
            return;
        if (m_sourceEnded) {
            m_finishRequested = true;
            m_sink->finishWrite();
            return;
        }
        if (round == kRoundsPerCall)
            return;
        setSourcePaused(false);
        const ssize_t n = ::splice(m_source->descriptor(), nullptr, m_pipeWrite, nullptr,
                                   kSpliceRequest, kSpliceFlags);
        if (n > 0) {
            m_inPipe += n;
        } else if (n == 0) {
            // EOF. The source stays paused: an ended socket would report readable forever.
            m_sourceEnded = true;
            setSourcePaused(true);
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return; // the pipe is empty here, so the source is; readyRead comes with more
        } else if (errno == EINTR) {
            continue;
        } else if ((errno == EINVAL || errno == ENOSYS) && m_bytesMoved == 0 && m_inPipe == 0) {
            m_stopped = true;
            Q_EMIT unsupported();
            return;
        } else {
            fail(Side::Source, errno);
            return;
        }
    }
#endif
}

bool SplicePump::drainPipe()
{
#ifdef __linux__
    while (m_inPipe > 0) {
        const ssize_t n = ::splice(m_pipeRead, nullptr, m_sink->descriptor(), nullptr,
                                   size_t(m_inPipe), kSpliceFlags);
        if (n > 0) {
            m_inPipe -= n;
            m_bytesMoved += n;
            if (m_counter)
                *m_counter += quint64(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // The sink is full: the source waits, and with it the peer (TCP flow control).
            setSourcePaused(true);
            m_sink->notifyWhenWritable();
            return false;
        }
        fail(Side::Sink, n < 0 ? errno : EPIPE);
        return false;
    }
#endif
    return true;
}

void SplicePump::setSourcePaused(bool paused)
{
    if (m_sourcePaused == paused)
        return;
    m_sourcePaused = paused;
    m_source->setReadPaused(paused);
}

void SplicePump::fail(Side side, int error)
{
    m_stopped = true;
    Q_EMIT failed(side, QString::fromLocal8Bit(std::strerror(error)));
}

} // namespace echw
