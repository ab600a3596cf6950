#pragma once

#include <QObject>

#include <memory>

class QSocketNotifier;

namespace echw {

// Turns SIGINT and SIGTERM into a Qt signal on the event loop (a self-pipe: the POSIX handler
// only writes one byte), so the process can shut down cleanly.
class TerminationSignals final : public QObject {
    Q_OBJECT
public:
    explicit TerminationSignals(QObject* parent = nullptr);
    ~TerminationSignals() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace echw
