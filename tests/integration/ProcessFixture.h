#pragma once

#include <QByteArray>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QTemporaryFile>

#include <chrono>
#include <memory>

namespace echw::test {

// A child process that announces its port in its output ("listening <port>" from the origin,
// "listening on HOST:PORT" from the client and the server), stopped with SIGTERM when
// destroyed. Its stdout and stderr go to a file, so a chatty child never blocks on a full pipe
// while a test waits for something else.
class ServiceProcess {
public:
    ServiceProcess(const QString& program, const QStringList& arguments,
                   const QStringList& extraEnvironment = {});
    ~ServiceProcess();

    // Waits for the announcement; returns the port or 0 on failure or timeout.
    quint16 waitForPort(std::chrono::milliseconds timeout);
    // The same for a program that announces it otherwise: `pattern` captures the port first.
    quint16 waitForPort(std::chrono::milliseconds timeout, const QRegularExpression& pattern);
    // Waits until the output contains `text`.
    bool waitForOutput(const QString& text, std::chrono::milliseconds timeout);
    bool isRunning() const;
    QString output() const; // everything it wrote so far, both channels
    // Sends SIGTERM and waits; returns the exit code, or -1 when it crashed or hung.
    int stop(std::chrono::milliseconds timeout);
    // The same with `signalNumber`, sent `times` times in a row.
    int stopWith(int signalNumber, int times, std::chrono::milliseconds timeout);

private:
    std::unique_ptr<QTemporaryFile> m_log;
    std::unique_ptr<QProcess> m_process;
};

// The headless client's arguments for a proxy on a free loopback port in routing mode none:
// every connection goes direct, and the server named is never contacted.
QStringList directClientArguments();

struct RunResult {
    int exitCode = -1; // -1: crashed or timed out
    QByteArray out;
    QByteArray err;
};

// Runs a program to completion with a deadline; the process is killed when it passes.
// extraEnvironment as for ServiceProcess ("NAME=value" each).
RunResult runProcess(const QString& program, const QStringList& arguments,
                     std::chrono::milliseconds timeout, const QStringList& extraEnvironment = {});

// Whether the process pid runs (Linux /proc; a zombie, waiting for a parent that is not us,
// does not).
bool processAlive(qint64 pid);

} // namespace echw::test
