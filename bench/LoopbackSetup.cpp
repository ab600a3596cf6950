#include "LoopbackSetup.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QTcpServer>
#include <QTcpSocket>

#include <csignal>
#include <sys/prctl.h>

namespace echw::bench {

using namespace std::chrono_literals;

namespace {

QString& logDirectory()
{
    static QString directory;
    return directory;
}

} // namespace

void ChildProcess::setLogDirectory(const QString& directory)
{
    logDirectory() = directory;
}

ChildProcess::ChildProcess(QString name, const QString& program, const QStringList& arguments,
                           const QProcessEnvironment& environment)
    : m_name(std::move(name))
{
    m_log.open();
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.setStandardOutputFile(m_log.fileName());
    m_process.setProcessEnvironment(environment);
    m_process.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process.start(program, arguments);
    m_pid = m_process.processId();
}

ChildProcess::~ChildProcess()
{
    stop();
}

bool ChildProcess::isRunning()
{
    // A zero wait lets QProcess notice an exit without an event loop.
    m_process.waitForFinished(0);
    return m_process.state() != QProcess::NotRunning;
}

QString ChildProcess::output() const
{
    QFile file(m_log.fileName());
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

QString ChildProcess::failure(const QString& what) const
{
    QStringList lines = output().split(u'\n', Qt::SkipEmptyParts);
    lines = lines.mid(std::max<qsizetype>(0, lines.size() - 15));
    QString state;
    if (m_process.state() == QProcess::NotRunning) {
        state = m_process.error() == QProcess::FailedToStart
                    ? QStringLiteral(" (failed to start: %1)").arg(m_process.errorString())
                    : QStringLiteral(" (exited, code %1)").arg(m_process.exitCode());
    }
    return QStringLiteral("%1 %2%3; its last output:\n  %4")
        .arg(m_name, what, state, lines.join(QStringLiteral("\n  ")));
}

std::variant<QRegularExpressionMatch, QString>
ChildProcess::waitForOutput(const QRegularExpression& pattern, std::chrono::milliseconds timeout)
{
    const QDeadlineTimer deadline(timeout);
    while (true) {
        const QRegularExpressionMatch match = pattern.match(output());
        if (match.hasMatch())
            return match;
        if (!isRunning())
            return failure(QStringLiteral("stopped before printing /%1/").arg(pattern.pattern()));
        if (deadline.hasExpired())
            return failure(QStringLiteral("did not print /%1/ within %2 ms")
                               .arg(pattern.pattern())
                               .arg(timeout.count()));
        m_process.waitForFinished(10);
    }
}

std::optional<QString> ChildProcess::waitForPort(quint16 port, std::chrono::milliseconds timeout)
{
    const QDeadlineTimer deadline(timeout);
    while (true) {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
        if (probe.waitForConnected(int(std::max<qint64>(1, deadline.remainingTime()))))
            return std::nullopt;
        if (!isRunning())
            return failure(QStringLiteral("stopped before accepting on port %1").arg(port));
        if (deadline.hasExpired())
            return failure(QStringLiteral("did not accept on port %1 within %2 ms")
                               .arg(port)
                               .arg(timeout.count()));
        m_process.waitForFinished(10);
    }
}

void ChildProcess::stop()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    if (!logDirectory().isEmpty() && !m_logKept) {
        m_logKept = true;
        const QString name =
            m_name.left(m_name.indexOf(u' ')) + QStringLiteral("-%1.log").arg(pid());
        QDir().mkpath(logDirectory());
        QFile::copy(m_log.fileName(), QDir(logDirectory()).filePath(name));
    }
}

LoopbackSetup::LoopbackSetup(QString originPath, QString serverPath, WorkerRuntime runtime)
    : m_originPath(std::move(originPath))
    , m_serverPath(std::move(serverPath))
    , m_runtime(std::move(runtime))
{}

std::optional<QString> LoopbackSetup::startBackends()
{
    const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    m_origin = std::make_unique<ChildProcess>(
        QStringLiteral("origin (%1)").arg(m_originPath), m_originPath,
        QStringList{QStringLiteral("--exit-on-stdin-eof")}, environment);
    QStringList serverArguments{QStringLiteral("-l"),
                                QStringLiteral("127.0.0.1:0"),
                                QStringLiteral("-doh"),
                                QStringLiteral("-public-name"),
                                QString::fromUtf16(kPublicName),
                                QStringLiteral("-token"),
                                QString::fromUtf16(kToken),
                                QStringLiteral("-state"),
                                m_temp.filePath(QStringLiteral("server-state"))};
    if (throughWorkerd()) {
        // The worker script checks the token itself (the server passes the upgrade unchanged).
        QProcessEnvironment workerdEnvironment = environment;
        workerdEnvironment.insert(QStringLiteral("ECHW_WORKER_TOKEN"), QString::fromUtf16(kToken));
        m_workerd = std::make_unique<ChildProcess>(
            QStringLiteral("workerd (%1)").arg(m_runtime.workerdPath), m_runtime.workerdPath,
            QStringList{QStringLiteral("serve"), m_runtime.configPath}, workerdEnvironment);
        const auto workerd = m_workerd->waitForOutput(
            QRegularExpression(QStringLiteral("Listening on http://127\\.0\\.0\\.1:(\\d+)")),
            kStartTimeout);
        if (auto* error = std::get_if<QString>(&workerd))
            return *error;
        serverArguments +=
            {QStringLiteral("-forward"),
             QStringLiteral("127.0.0.1:") + std::get<QRegularExpressionMatch>(workerd).captured(1)};
    }
    m_server =
        std::make_unique<ChildProcess>(QStringLiteral("worker server (%1)").arg(m_serverPath),
                                       m_serverPath, serverArguments, environment);

    const auto origin = m_origin->waitForOutput(
        QRegularExpression(QStringLiteral("listening (\\d+)")), kStartTimeout);
    if (auto* error = std::get_if<QString>(&origin))
        return *error;
    m_originPort = quint16(std::get<QRegularExpressionMatch>(origin).captured(1).toUInt());

    // stdout and stderr share the file: only whole lines that start so count.
    const auto server = m_server->waitForOutput(
        QRegularExpression(QStringLiteral("^certificate (.+)$[\\s\\S]*^listening on \\S*:(\\d+)$"),
                           QRegularExpression::MultilineOption),
        kStartTimeout);
    if (auto* error = std::get_if<QString>(&server))
        return *error;
    m_certificate = std::get<QRegularExpressionMatch>(server).captured(1).trimmed();
    m_serverPort = quint16(std::get<QRegularExpressionMatch>(server).captured(2).toUInt());
    return std::nullopt;
}

QStringList LoopbackSetup::clientArguments(quint16 listenPort, const ClientOptions& options) const
{
    const QString server = QStringLiteral("127.0.0.1:%1").arg(m_serverPort);
    QStringList arguments{QStringLiteral("-l"),
                          QStringLiteral("127.0.0.1:%1").arg(listenPort),
                          QStringLiteral("-f"),
                          QStringLiteral("localhost:%1").arg(m_serverPort),
                          QStringLiteral("-token"),
                          QString::fromUtf16(kToken),
                          QStringLiteral("-dns"),
                          QStringLiteral("https://%1/dns-query").arg(server),
                          QStringLiteral("-ech"),
                          QString::fromUtf16(kPublicName),
                          QStringLiteral("-routing"),
                          options.direct ? QStringLiteral("none") : QStringLiteral("global")};
    if (!options.referenceFlagsOnly) {
        arguments += {QStringLiteral("-ca"), m_certificate, QStringLiteral("-max-connections"),
                      QString::number(options.maxConnections)};
        arguments += options.extraArguments;
    }
    return arguments;
}

QProcessEnvironment LoopbackSetup::clientEnvironment(const ClientOptions& options) const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // Never the user's own cache: the ECH config cache lives under XDG_CACHE_HOME.
    environment.insert(QStringLiteral("XDG_CACHE_HOME"),
                       options.cacheHome.isEmpty() ? m_temp.filePath(QStringLiteral("cache"))
                                                   : options.cacheHome);
    environment.insert(QStringLiteral("XDG_DATA_HOME"), m_temp.filePath(QStringLiteral("data")));
    if (options.referenceFlagsOnly)
        environment.insert(QStringLiteral("SSL_CERT_FILE"), m_certificate);
    return environment;
}

std::variant<std::unique_ptr<ChildProcess>, QString>
LoopbackSetup::startClient(const QString& program, const ClientOptions& options,
                           quint16* listenPort)
{
    *listenPort = freePort();
    auto client = std::make_unique<ChildProcess>(QStringLiteral("client (%1)").arg(program),
                                                 program, clientArguments(*listenPort, options),
                                                 clientEnvironment(options));
    if (auto error = client->waitForPort(*listenPort, kStartTimeout))
        return *error;
    return client;
}

quint16 LoopbackSetup::freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress(QHostAddress::LocalHost), 0);
    return probe.serverPort();
}

QString defaultBinary(const QString& relativePath)
{
    return QDir(QCoreApplication::applicationDirPath()).absoluteFilePath(relativePath);
}

} // namespace echw::bench
