#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <chrono>
#include <memory>

namespace echw::test {

// A child process that announces its port on one line of output ("listening <port>" from the
// origin, "listening on HOST:PORT" from the client), stopped with SIGTERM when destroyed.
class ServiceProcess {
public:
    ServiceProcess(const QString& program, const QStringList& arguments,
                   QProcess::ProcessChannel announceChannel);
    ~ServiceProcess();

    // Waits for the announcement; returns the port or 0 on failure or timeout.
    quint16 waitForPort(std::chrono::milliseconds timeout);
    bool isRunning() const;
    QString output() const; // everything it wrote so far on the announce channel
    // Sends SIGTERM and waits; returns the exit code, or -1 when it crashed or hung.
    int stop(std::chrono::milliseconds timeout);

private:
    std::unique_ptr<QProcess> m_process;
    QProcess::ProcessChannel m_channel;
    QByteArray m_seen;
};

struct RunResult {
    int exitCode = -1; // -1: crashed or timed out
    QByteArray out;
    QByteArray err;
};

// Runs a program to completion with a deadline; the process is killed when it passes.
RunResult runProcess(const QString& program, const QStringList& arguments,
                     std::chrono::milliseconds timeout);

} // namespace echw::test
