#include "ProcessFixture.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <csignal>
#include <sys/types.h>

namespace echw::test {

namespace {

QProcessEnvironment environmentWith(const QStringList& extraEnvironment)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString& entry : extraEnvironment) {
        const qsizetype eq = entry.indexOf(u'=');
        environment.insert(entry.left(eq), entry.mid(eq + 1));
    }
    return environment;
}

} // namespace

ServiceProcess::ServiceProcess(const QString& program, const QStringList& arguments,
                               const QStringList& extraEnvironment)
    : m_log(std::make_unique<QTemporaryFile>())
    , m_process(std::make_unique<QProcess>())
{
    m_log->open();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setStandardOutputFile(m_log->fileName());
    m_process->setProcessEnvironment(environmentWith(extraEnvironment));
    m_process->start(program, arguments);
}

ServiceProcess::~ServiceProcess()
{
    stop(std::chrono::seconds(10));
}

quint16 ServiceProcess::waitForPort(std::chrono::milliseconds timeout)
{
    static const QRegularExpression pattern(QStringLiteral("listening (?:on \\S*:)?(\\d+)"));
    return waitForPort(timeout, pattern);
}

quint16 ServiceProcess::waitForPort(std::chrono::milliseconds timeout,
                                    const QRegularExpression& pattern)
{
    quint16 port = 0;
    [[maybe_unused]] const bool done = QTest::qWaitFor(
        [&] {
            const auto match = pattern.match(output());
            if (match.hasMatch())
                port = quint16(match.captured(1).toUInt());
            return port != 0 || m_process->state() == QProcess::NotRunning;
        },
        int(timeout.count()));
    return port;
}

bool ServiceProcess::waitForOutput(const QString& text, std::chrono::milliseconds timeout)
{
    return QTest::qWaitFor([&] { return output().contains(text); }, int(timeout.count()));
}

bool ServiceProcess::isRunning() const
{
    return m_process->state() == QProcess::Running;
}

QString ServiceProcess::output() const
{
    QFile file(m_log->fileName());
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

int ServiceProcess::stop(std::chrono::milliseconds timeout)
{
    return stopWith(SIGTERM, 1, timeout);
}

int ServiceProcess::stopWith(int signalNumber, int times, std::chrono::milliseconds timeout)
{
    if (m_process->state() == QProcess::NotRunning)
        return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
    for (int i = 0; i < times; ++i)
        ::kill(pid_t(m_process->processId()), signalNumber);
    if (!m_process->waitForFinished(int(timeout.count()))) {
        m_process->kill();
        m_process->waitForFinished(5000);
        return -1;
    }
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

RunResult runProcess(const QString& program, const QStringList& arguments,
                     std::chrono::milliseconds timeout, const QStringList& extraEnvironment)
{
    QProcess process;
    process.setProcessEnvironment(environmentWith(extraEnvironment));
    process.start(program, arguments);
    RunResult result;
    if (!process.waitForFinished(int(timeout.count()))) {
        process.kill();
        process.waitForFinished(5000);
        result.err = process.readAllStandardError();
        return result;
    }
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    if (process.exitStatus() == QProcess::NormalExit)
        result.exitCode = process.exitCode();
    return result;
}

QStringList directClientArguments()
{
    return {QStringLiteral("-l"),       QStringLiteral("127.0.0.1:0"),
            QStringLiteral("-f"),       QStringLiteral("x.example:443"),
            QStringLiteral("-routing"), QStringLiteral("none")};
}

bool processAlive(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = stat.readAll();
    return !line.mid(line.lastIndexOf(')') + 2).startsWith('Z');
}

} // namespace echw::test
