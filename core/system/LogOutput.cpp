#include "LogOutput.h"

#include <QLoggingCategory>
#include <QStringList>

namespace echw {

int logSeverity(QtMsgType level)
{
    switch (level) {
    case QtDebugMsg:
        return 0;
    case QtInfoMsg:
        return 1;
    case QtWarningMsg:
        return 2;
    case QtCriticalMsg:
        return 3;
    case QtFatalMsg:
        return 4;
    }
    return 1;
}

std::optional<QtMsgType> logLevelFromName(QStringView name)
{
    if (name == u"debug")
        return QtDebugMsg;
    if (name == u"info")
        return QtInfoMsg;
    if (name == u"warning")
        return QtWarningMsg;
    if (name == u"error")
        return QtCriticalMsg;
    return std::nullopt;
}

void installLogPattern()
{
    // Qt writes to stderr; stdout stays free for what scripts and tests parse.
    qSetMessagePattern(QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-debug}DEBUG%{endif}"
                                      "%{if-info}INFO %{endif}%{if-warning}WARN %{endif}"
                                      "%{if-critical}ERROR%{endif}%{if-fatal}FATAL%{endif} "
                                      "[%{category}] %{message}"));
}

void setLoggedLevel(QtMsgType lowest)
{
    const int severity = logSeverity(lowest);
    QStringList rules;
    for (const auto& [level, name] :
         {std::pair{QtDebugMsg, "debug"}, {QtInfoMsg, "info"}, {QtWarningMsg, "warning"}}) {
        rules << QStringLiteral("echw.*.%1=%2")
                     .arg(QLatin1StringView(name), logSeverity(level) >= severity
                                                       ? QStringLiteral("true")
                                                       : QStringLiteral("false"));
    }
    QLoggingCategory::setFilterRules(rules.join(u'\n'));
}

void installLogOutput(const QString& level)
{
    installLogPattern();
    setLoggedLevel(logLevelFromName(level).value_or(QtInfoMsg));
}

} // namespace echw
