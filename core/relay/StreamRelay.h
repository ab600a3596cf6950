#pragma once

#include "relay/SplicePump.h"
#include "relay/StreamPump.h"

#include <QObject>

#include <memory>

namespace echw {

class ByteStream;
struct TrafficCounters;

// Joins two streams both ways until both directions have ended (half-close passes through:
// each side's EOF becomes the other's FIN) or either side breaks, then closes both.
//
// Two plain sockets (the direct path) are joined with splice(2) where the system has it: the
// bytes never enter user space. Anything else, or a kernel that refuses, is copied.
class StreamRelay final : public QObject {
    Q_OBJECT
public:
    enum class Mode { Copy, Splice };

    StreamRelay(std::unique_ptr<ByteStream> client, std::unique_ptr<ByteStream> upstream,
                QObject* parent = nullptr);
    ~StreamRelay() override;

    // Counts client -> upstream as up, upstream -> client as down; counters outlive the relay.
    void countInto(TrafficCounters* counters);
    void start();
    // Closes both streams now; finished() reports `reason`.
    void abort(const QString& reason);
    // Splice when both directions move bytes with splice(2).
    Mode mode() const;

Q_SIGNALS:
    // Both streams are closed; `error` is empty on a clean end.
    void finished(const QString& error);

private:
    // One way through the relay: a copying pump, or a splicing one.
    struct Direction {
        std::unique_ptr<StreamPump> copy;
        std::unique_ptr<SplicePump> splice;
        quint64* counter = nullptr;
        bool isFinished() const { return copy ? copy->isFinished() : splice->isFinished(); }
    };

    void setUpSplice(Direction& direction, ByteStream* source, ByteStream* sink,
                     const QString& sourceName, const QString& sinkName);
    void setUpCopy(Direction& direction, ByteStream* source, ByteStream* sink);
    void checkDone();
    void fail(const QString& reason);

    std::unique_ptr<ByteStream> m_client;
    std::unique_ptr<ByteStream> m_upstream;
    Direction m_up;
    Direction m_down;
    bool m_started = false;
    bool m_done = false;
};

} // namespace echw
