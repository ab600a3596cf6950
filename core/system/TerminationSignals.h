#pragma once

#include <QObject>

#include <memory>

class QSocketNotifier;

namespace echw {

// Delivers SIGINT, SIGTERM and SIGHUP on the event loop instead of in a signal handler, where
// almost nothing is safe to call: the handler writes the signal number into a pipe whose read
// end the loop watches. One instance per process, on the main thread.
//
// A process stops once: terminationRequested is emitted for the first signal only, and any
// later one (a second Ctrl+C, a service manager's repeated SIGTERM) is ignored while the clean
// exit it asked for goes on. That holds to the very end: when the instance is destroyed the
// signals are set to be ignored, never back to their default action, which would kill the
// process halfway through its exit.
class TerminationSignals final : public QObject {
    Q_OBJECT
public:
    explicit TerminationSignals(QObject* parent = nullptr);
    ~TerminationSignals() override;

    // For threads the process starts (engine threads): the signals are handled on the main
    // thread only, so no system call of theirs is interrupted by one.
    static void blockInThisThread();

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
    bool m_requested = false;
};

} // namespace echw
