#pragma once

#include <QObject>
#include <QString>

namespace echw {

class SocketStream;

// Moves bytes one way between two TCP sockets without copying them into user space: splice(2)
// from the source socket into a pipe and from the pipe into the sink socket (Linux). The pipe
// is the only buffer, so a slow reader holds the source back by itself: the source is paused
// while the sink cannot take more. The source's EOF becomes the sink's half-close, as with
// StreamPump.
//
// Bytes the sink had queued before start() go out first; the source is not read until they
// have. Elsewhere than Linux open() fails and the relay copies instead.
class SplicePump final : public QObject {
    Q_OBJECT
public:
    enum class Side { Source, Sink };

    SplicePump(SocketStream* source, SocketStream* sink, QObject* parent = nullptr);
    ~SplicePump() override;

    // Makes the pipe; false when the system has no splice(2) or no descriptors are left.
    bool open();
    void start();
    bool isFinished() const { return m_finished; }
    qint64 bytesMoved() const { return m_bytesMoved; }
    // Adds every byte that reached the sink to *counter, which must outlive the pump.
    void countInto(quint64* counter) { m_counter = counter; }

Q_SIGNALS:
    // The source ended and the sink's half-close went out.
    void finished();
    // A socket failed; `side` says which.
    void failed(echw::SplicePump::Side side, const QString& reason);
    // The kernel refused to splice from the source before any byte moved (EINVAL, ENOSYS):
    // the caller should copy instead. The pump does nothing more.
    void unsupported();

private:
    void pump();
    // Empties the pipe into the sink; false when the sink is full or failed.
    bool drainPipe();
    void setSourcePaused(bool paused);
    void fail(Side side, int error);

    SocketStream* m_source;
    SocketStream* m_sink;
    int m_pipeRead = -1;
    int m_pipeWrite = -1;
    qint64 m_inPipe = 0;
    qint64 m_bytesMoved = 0;
    quint64* m_counter = nullptr;
    bool m_sourcePaused = false;
    bool m_sourceEnded = false;
    bool m_finishRequested = false;
    bool m_finished = false;
    bool m_stopped = false;
};

} // namespace echw
