#include "LogOutput.h"

#include <QDateTime>
#include <QLoggingCategory>

#include <cstdio>

namespace echw {

namespace {

const char* levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "DEBUG";
    case QtInfoMsg:
        return "INFO ";
    case QtWarningMsg:
        return "WARN ";
    case QtCriticalMsg:
        return "ERROR";
    case QtFatalMsg:
        return "FATAL";
    }
    return "?";
}

void writeMessage(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    const QByteArray line =
        QStringLiteral("%1 %2 [%3] %4\n")
            .arg(QDateTime::currentDateTime().toString(Qt::ISODateWithMs),
                 QLatin1StringView(levelName(type)),
                 QLatin1StringView(context.category ? context.category : "default"), message)
            .toUtf8();
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
    std::fflush(stderr);
}

} // namespace

void installLogOutput(const QString& level)
{
    qInstallMessageHandler(writeMessage);
    QString rules;
    if (level == QStringLiteral("debug"))
        rules = QStringLiteral("echw.*.debug=true");
    else if (level == QStringLiteral("info"))
        rules = QStringLiteral("echw.*.debug=false");
    else if (level == QStringLiteral("warning"))
        rules = QStringLiteral("echw.*.debug=false\nechw.*.info=false");
    else
        rules = QStringLiteral("echw.*.debug=false\nechw.*.info=false\nechw.*.warning=false");
    QLoggingCategory::setFilterRules(rules);
}

} // namespace echw
