#pragma once

#include <QProcess>
#include <QRegularExpressionMatch>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTemporaryFile>

#include <chrono>
#include <memory>
#include <optional>
#include <variant>

namespace echw::bench {

// A child process whose stdout and stderr go to a file, so a chatty child never blocks on a full
// pipe while the load driver keeps the event loop busy. It dies with the benchmark
// (PR_SET_PDEATHSIG) and is stopped with SIGTERM, then SIGKILL, when destroyed.
class ChildProcess {
public:
    ChildProcess(QString name, const QString& program, const QStringList& arguments,
                 const QProcessEnvironment& environment);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // Waits until the output matches; on a deadline or an exit, an error naming the process with
    // the tail of its output.
    std::variant<QRegularExpressionMatch, QString> waitForOutput(const QRegularExpression& pattern,
                                                                 std::chrono::milliseconds timeout);
    // Waits until a TCP connection to 127.0.0.1:port succeeds (works for any client binary).
    std::optional<QString> waitForPort(quint16 port, std::chrono::milliseconds timeout);
    qint64 pid() const { return m_pid; }
    bool isRunning();
    QString output() const;
    // "<name> <what>; its last output: ..."
    QString failure(const QString& what) const;
    void stop();
    // Where every child's output is copied when it stops (--keep-logs); empty: nowhere.
    static void setLogDirectory(const QString& directory);

private:
    QString m_name;
    QTemporaryFile m_log;
    QProcess m_process;
    qint64 m_pid = 0;
    bool m_logKept = false;
};

struct ClientOptions {
    bool direct = false; // -routing none: the bypass path
    int maxConnections = 1000;
    QString cacheHome; // XDG_CACHE_HOME for the client (where its ECH cache lives)
    // Only the reference CLI's flags (no -ca, -max-connections): the server's certificate is
    // then trusted through SSL_CERT_FILE, which Go's crypto/x509 reads.
    bool referenceFlagsOnly = false;
    // After the others, unless referenceFlagsOnly: --client-arg values, then e.g. the latency
    // scenario's {"-pool", "64"}.
    QStringList extraArguments;
};

// Where the worker protocol runs: in the project's own server (workerdPath empty), or in workerd
// executing bench/workerd/worker.js (one binary frame per socket read, as the deployed worker
// sends), with the project's server in front to terminate TLS + ECH and answer DoH (-forward).
struct WorkerRuntime {
    QString workerdPath;
    QString configPath; // bench/workerd/worker.capnp
};

// Origin server, the worker (see WorkerRuntime), and clients under test, all on loopback;
// everything is stopped when the setup is destroyed.
class LoopbackSetup {
public:
    static constexpr std::chrono::seconds kStartTimeout{20};
    static constexpr const char16_t* kPublicName = u"ech-bench.test";
    static constexpr const char16_t* kToken = u"bench-token";

    LoopbackSetup(QString originPath, QString serverPath, WorkerRuntime runtime = {});
    // Starts the origin, workerd when asked, and the worker server; an error says which one
    // failed and why.
    std::optional<QString> startBackends();
    // Starts a client on a free port with the reference flags and waits until it accepts.
    std::variant<std::unique_ptr<ChildProcess>, QString>
    startClient(const QString& program, const ClientOptions& options, quint16* listenPort);
    QStringList clientArguments(quint16 listenPort, const ClientOptions& options) const;
    QProcessEnvironment clientEnvironment(const ClientOptions& options) const;

    quint16 originPort() const { return m_originPort; }
    quint16 serverPort() const { return m_serverPort; }
    ChildProcess* server() const { return m_server.get(); }
    // The process that runs the worker protocol (and pays for its frames): workerd or the server.
    ChildProcess* worker() const { return m_workerd ? m_workerd.get() : m_server.get(); }
    bool throughWorkerd() const { return !m_runtime.workerdPath.isEmpty(); }
    QString tempPath() const { return m_temp.path(); }

    static quint16 freePort();

private:
    QString m_originPath;
    QString m_serverPath;
    WorkerRuntime m_runtime;
    QTemporaryDir m_temp;
    std::unique_ptr<ChildProcess> m_origin;
    std::unique_ptr<ChildProcess> m_server;
    std::unique_ptr<ChildProcess> m_workerd;
    quint16 m_originPort = 0;
    quint16 m_serverPort = 0;
    QString m_certificate;
};

// Where the sibling binaries of the build tree are, relative to echw-bench's folder.
QString defaultBinary(const QString& relativePath);

} // namespace echw::bench
