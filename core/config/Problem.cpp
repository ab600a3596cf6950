#include "Problem.h"

#include <QCoreApplication>

#include <cstring>

namespace echw {

Problem Problem::of(const char* message, QStringList args)
{
    return Problem{message, std::move(args), nullptr};
}

Problem Problem::because(const char* message, QStringList args, Problem cause)
{
    return Problem{message, std::move(args), std::make_shared<const Problem>(std::move(cause))};
}

QString Problem::text() const
{
    QStringList values = args;
    if (cause)
        values.append(cause->text());
    const QString pattern = QCoreApplication::translate(kContext, message);
    // One pass over the placeholders, each filled by its number: a value that itself holds
    // "%1" (a path, a rule) is never substituted again, as chained arg() calls would.
    QString result;
    result.reserve(pattern.size());
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        // "%" and one or two digits.
        qsizetype end = i + 1;
        int number = 0;
        while (pattern[i] == u'%' && end < pattern.size() && end - i <= 2 &&
               pattern[end].isDigit()) {
            number = number * 10 + pattern[end].digitValue();
            ++end;
        }
        if (number >= 1 && number <= values.size()) {
            result += values[number - 1];
            i = end - 1;
        } else {
            result += pattern[i];
        }
    }
    return result;
}

bool Problem::operator==(const Problem& other) const
{
    const bool sameCause =
        (!cause && !other.cause) || (cause && other.cause && *cause == *other.cause);
    return std::strcmp(message, other.message) == 0 && args == other.args && sameCause;
}

} // namespace echw
