#include "StreamPump.h"

#include "net/ByteStream.h"

namespace echw {

namespace {

// One read's worth; a static scratch buffer per thread keeps the hot path free of allocation.
constexpr qint64 kChunk = 64 * 1024;
constexpr int kRoundsPerCall = 4;
thread_local std::array<char, kChunk> t_scratch;

} // namespace

StreamPump::StreamPump(ByteStream* source, ByteStream* sink, QObject* parent)
    : QObject(parent)
    , m_source(source)
    , m_sink(sink)
{}

void StreamPump::start()
{
    if (m_started)
        return;
    m_started = true;
    connect(m_source, &ByteStream::readyRead, this, &StreamPump::pump);
    connect(m_source, &ByteStream::readFinished, this, &StreamPump::onSourceFinished);
    connect(m_sink, &ByteStream::bytesWritten, this, &StreamPump::onSinkBytesWritten);
    connect(m_sink, &ByteStream::writeFinished, this, [this] {
        if (m_sourceEnded && !m_finished) {
            m_finished = true;
            Q_EMIT finished();
        }
    });
    pump();
}

void StreamPump::pump()
{
    // Bounded per call so one busy connection cannot starve the others on this event loop.
    for (int round = 0; round < kRoundsPerCall; ++round) {
        if (m_sink->pendingWriteBytes() >= kHighWater) {
            m_source->setReadPaused(true);
            return;
        }
        const qint64 n = m_source->read(t_scratch.data(), kChunk);
        if (n <= 0) {
            if (m_source->atEnd())
                onSourceFinished();
            return;
        }
        m_sink->write(QByteArrayView(t_scratch.data(), n));
        m_bytesMoved += n;
        if (m_counter)
            *m_counter += quint64(n);
        if (m_observer)
            m_observer(QByteArrayView(t_scratch.data(), n));
    }
    // More may be buffered in the source (decrypted or decoded data) with no new event coming
    // for it: continue on the next turn of the event loop.
    if (!m_rescheduled) {
        m_rescheduled = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_rescheduled = false;
                if (!m_sourceEnded)
                    pump();
            },
            Qt::QueuedConnection);
    }
}

void StreamPump::onSinkBytesWritten()
{
    if (m_sink->pendingWriteBytes() <= kLowWater && !m_sourceEnded) {
        m_source->setReadPaused(false);
        pump();
    }
}

void StreamPump::onSourceFinished()
{
    if (m_sourceEnded)
        return;
    m_sourceEnded = true;
    if (m_keepSinkOpen && m_keepSinkOpen()) {
        Q_EMIT sourceEnded();
        return;
    }
    m_sink->finishWrite();
}

} // namespace echw
