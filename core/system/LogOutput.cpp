#include "LogOutput.h"

#include <QLoggingCategory>
#include <QStringList>

namespace echw {

void installLogOutput(const QString& level)
{
    // Qt writes to stderr; stdout stays free for what scripts and tests parse.
    qSetMessagePattern(QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-debug}DEBUG%{endif}"
                                      "%{if-info}INFO %{endif}%{if-warning}WARN %{endif}"
                                      "%{if-critical}ERROR%{endif}%{if-fatal}FATAL%{endif} "
                                      "[%{category}] %{message}"));
    QStringList rules = {level == u"debug" ? QStringLiteral("echw.*.debug=true")
                                           : QStringLiteral("echw.*.debug=false")};
    if (level == u"warning" || level == u"error")
        rules << QStringLiteral("echw.*.info=false");
    if (level == u"error")
        rules << QStringLiteral("echw.*.warning=false");
    QLoggingCategory::setFilterRules(rules.join(u'\n'));
}

} // namespace echw
