#include "desktop/DesktopTool.h"

#include <QDeadlineTimer>
#include <QProcess>
#include <QStandardPaths>

namespace echw {

namespace {

constexpr qint64 kMaxOutputBytes = 64 * 1024;

} // namespace

std::variant<QByteArray, SystemProxyError>
runDesktopTool(const QString& program, const QStringList& arguments, int deadlineMs)
{
    QProcess process;
    process.setProgram(program);
    process.setArguments(arguments);
    process.setStandardInputFile(QProcess::nullDevice());
    const QDeadlineTimer deadline(deadlineMs);
    process.start();
    if (!process.waitForStarted(static_cast<int>(deadline.remainingTime()))) {
        return SystemProxyError{SystemProxyError::Code::ToolFailed,
                                {program, process.errorString(), QString()}};
    }
    if (!process.waitForFinished(static_cast<int>(deadline.remainingTime()))) {
        process.kill();
        process.waitForFinished(1000);
        return SystemProxyError{SystemProxyError::Code::ToolTimedOut,
                                {program, QString::number(deadlineMs)}};
    }
    const QByteArray output = process.readAllStandardOutput();
    const QString errors =
        QString::fromUtf8(process.readAllStandardError().left(kMaxOutputBytes)).trimmed();
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        const QString status = process.exitStatus() == QProcess::NormalExit
                                   ? QStringLiteral("exit status %1").arg(process.exitCode())
                                   : QStringLiteral("crashed");
        return SystemProxyError{SystemProxyError::Code::ToolFailed, {program, status, errors}};
    }
    if (output.size() > kMaxOutputBytes) {
        return SystemProxyError{SystemProxyError::Code::ToolFailed,
                                {program, QStringLiteral("printed more than 64 KiB"), errors}};
    }
    return output;
}

QString findDesktopTool(const QStringList& programs)
{
    for (const QString& program : programs) {
        const QString path = QStandardPaths::findExecutable(program);
        if (!path.isEmpty())
            return path;
    }
    return QString();
}

} // namespace echw
