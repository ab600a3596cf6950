#include "ProcessFixture.h"

#include <QDeadlineTimer>
#include <QRegularExpression>

namespace echw::test {

ServiceProcess::ServiceProcess(const QString& program, const QStringList& arguments,
                               QProcess::ProcessChannel announceChannel)
    : m_process(std::make_unique<QProcess>())
    , m_channel(announceChannel)
{
    if (announceChannel == QProcess::StandardOutput)
        m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    else
        m_process->setProcessChannelMode(QProcess::ForwardedOutputChannel);
    m_process->setReadChannel(announceChannel);
    m_process->start(program, arguments);
}

ServiceProcess::~ServiceProcess()
{
    stop(std::chrono::seconds(10));
}

quint16 ServiceProcess::waitForPort(std::chrono::milliseconds timeout)
{
    static const QRegularExpression pattern(QStringLiteral("listening (?:on \\S*:)?(\\d+)"));
    QDeadlineTimer deadline(timeout);
    if (!m_process->waitForStarted(int(timeout.count())))
        return 0;
    while (!deadline.hasExpired()) {
        m_seen += m_process->readAll();
        const auto match = pattern.match(QString::fromUtf8(m_seen));
        if (match.hasMatch())
            return quint16(match.captured(1).toUInt());
        if (m_process->state() != QProcess::Running)
            return 0;
        m_process->waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())));
    }
    return 0;
}

bool ServiceProcess::isRunning() const
{
    return m_process->state() == QProcess::Running;
}

QString ServiceProcess::output() const
{
    return QString::fromUtf8(m_seen + m_process->readAll());
}

int ServiceProcess::stop(std::chrono::milliseconds timeout)
{
    if (m_process->state() == QProcess::NotRunning)
        return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
    m_process->terminate();
    if (!m_process->waitForFinished(int(timeout.count()))) {
        m_process->kill();
        m_process->waitForFinished(5000);
        return -1;
    }
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

RunResult runProcess(const QString& program, const QStringList& arguments,
                     std::chrono::milliseconds timeout)
{
    QProcess process;
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

} // namespace echw::test
