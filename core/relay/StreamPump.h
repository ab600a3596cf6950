#pragma once

#include <QByteArrayView>
#include <QObject>

#include <array>
#include <functional>

namespace echw {

class ByteStream;

// Moves bytes one way, from a source stream to a sink stream, with backpressure: the source is
// paused while the sink has more than kHighWater bytes queued and resumed below kLowWater, so
// a slow reader never makes the other side buffer without bound. The source's EOF becomes the
// sink's half-close.
class StreamPump final : public QObject {
    Q_OBJECT
public:
    static constexpr qint64 kHighWater = 256 * 1024;
    static constexpr qint64 kLowWater = 64 * 1024;

    StreamPump(ByteStream* source, ByteStream* sink, QObject* parent = nullptr);

    // Starts moving; bytes already readable are picked up at once.
    void start();
    bool isFinished() const { return m_finished; }
    qint64 bytesMoved() const { return m_bytesMoved; }
    // Also adds every moved byte to *counter (the dashboard's count), which must outlive the
    // pump.
    void countInto(quint64* counter) { m_counter = counter; }
    // Shows every moved slice to `observer` right after it is queued on the sink (the HTTP
    // proxy follows the responses it passes through). Called inside the pump: it must not
    // destroy the pump or its streams.
    void observeWith(std::function<void(QByteArrayView)> observer)
    {
        m_observer = std::move(observer);
    }
    // At the source's end, asks `keepSinkOpen` first: true leaves the sink open (the owner
    // continues on it, the pump is done and emits sourceEnded() instead of finished()).
    void keepSinkOpenAtEndWhen(std::function<bool()> keepSinkOpen)
    {
        m_keepSinkOpen = std::move(keepSinkOpen);
    }

Q_SIGNALS:
    // The source ended and the sink's half-close went out.
    void finished();
    // The source ended and keepSinkOpenAtEndWhen() kept the sink open.
    void sourceEnded();

private:
    void pump();
    void onSinkBytesWritten();
    void onSourceFinished();

    ByteStream* m_source;
    ByteStream* m_sink;
    qint64 m_bytesMoved = 0;
    quint64* m_counter = nullptr;
    std::function<void(QByteArrayView)> m_observer;
    std::function<bool()> m_keepSinkOpen;
    bool m_sourceEnded = false;
    bool m_finished = false;
    bool m_started = false;
    bool m_rescheduled = false;
};

} // namespace echw
