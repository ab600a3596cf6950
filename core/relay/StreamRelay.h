#pragma once

#include "relay/StreamPump.h"

#include <QObject>

#include <memory>

namespace echw {

class ByteStream;
struct TrafficCounters;

// Joins two streams both ways until both directions have ended (half-close passes through:
// each side's EOF becomes the other's FIN) or either side breaks, then closes both.
class StreamRelay final : public QObject {
    Q_OBJECT
public:
    StreamRelay(std::unique_ptr<ByteStream> client, std::unique_ptr<ByteStream> upstream,
                QObject* parent = nullptr);
    ~StreamRelay() override;

    // Counts client -> upstream as up, upstream -> client as down; counters outlive the relay.
    void countInto(TrafficCounters* counters);
    void start();
    // Closes both streams now; finished() reports `reason`.
    void abort(const QString& reason);

Q_SIGNALS:
    // Both streams are closed; `error` is empty on a clean end.
    void finished(const QString& error);

private:
    void checkDone();
    void fail(const QString& reason);

    std::unique_ptr<ByteStream> m_client;
    std::unique_ptr<ByteStream> m_upstream;
    std::unique_ptr<StreamPump> m_up;
    std::unique_ptr<StreamPump> m_down;
    bool m_done = false;
};

} // namespace echw
