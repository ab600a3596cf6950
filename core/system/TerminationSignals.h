#pragma once

#include <QObject>

#include <memory>

class QSocketNotifier;

namespace echw {

// Delivers SIGINT and SIGTERM on the event loop instead of in a signal handler, where almost
// nothing is safe to call: the handler writes the signal number into a pipe whose read end the
// loop watches. One instance per process.
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
