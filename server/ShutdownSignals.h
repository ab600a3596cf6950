#pragma once

#include <QObject>

#include <memory>

class QSocketNotifier;

namespace echw::server {

// Delivers SIGINT and SIGTERM on the event loop instead of in a signal handler, where almost
// nothing is safe to call: the handler writes the signal number into a pipe whose read end the
// loop watches. One instance per process.
class ShutdownSignals final : public QObject {
    Q_OBJECT
public:
    explicit ShutdownSignals(QObject* parent = nullptr);
    ~ShutdownSignals() override;

Q_SIGNALS:
    void received(int signalNumber);

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace echw::server
