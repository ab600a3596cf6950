#include "FlagParser.h"

#include <optional>

namespace echw {

namespace {

const FlagSpec* findFlag(std::span<const FlagSpec> flags, const QString& name)
{
    for (const FlagSpec& flag : flags) {
        if (name == QLatin1StringView(flag.name))
            return &flag;
    }
    return nullptr;
}

FlagParseResult failed(QString error)
{
    return {FlagAction::Error, std::move(error)};
}

} // namespace

FlagParseResult parseFlags(std::span<const FlagSpec> flags, const QStringList& arguments,
                           const FlagHandler& handle)
{
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        QString argument = arguments.at(i);
        if (argument == QStringLiteral("-h") || argument == QStringLiteral("-help") ||
            argument == QStringLiteral("--help"))
            return {FlagAction::Help, {}};
        if (argument == QStringLiteral("-version") || argument == QStringLiteral("--version"))
            return {FlagAction::Version, {}};
        if (!argument.startsWith(u'-') || argument == QStringLiteral("-") ||
            argument == QStringLiteral("--"))
            return failed(
                QStringLiteral("unexpected argument \"%1\" (flags start with -)").arg(argument));
        argument.remove(0, argument.startsWith(QStringLiteral("--")) ? 2 : 1);
        QString name = argument;
        std::optional<QString> value;
        if (const qsizetype eq = argument.indexOf(u'='); eq >= 0) {
            name = argument.left(eq);
            value = argument.mid(eq + 1);
        }
        const FlagSpec* flag = findFlag(flags, name);
        if (!flag)
            return failed(
                QStringLiteral("flag provided but not defined: -%1 (see --help)").arg(name));
        if (!value) {
            // A bare boolean is true; only a flag with a value takes the next argument.
            if (!flag->valueName)
                value = QStringLiteral("true");
            else if (i + 1 < arguments.size())
                value = arguments.at(++i);
            else
                return failed(QStringLiteral("flag needs an argument: -%1").arg(name));
        }
        // Booleans are checked here, as Go's flag package does, so every program accepts the
        // same spellings and its handler only ever sees "true" or "false".
        if (!flag->valueName && *value != QStringLiteral("true") &&
            *value != QStringLiteral("false"))
            return failed(invalidFlagValue(name, *value, QStringLiteral("must be true or false")));
        if (QString error = handle(name, *value); !error.isEmpty())
            return failed(std::move(error));
    }
    return {};
}

QString invalidFlagValue(const QString& flag, const QString& value, const QString& why)
{
    return QStringLiteral("invalid value \"%1\" for flag -%2: %3").arg(value, flag, why);
}

QString flagTable(std::span<const FlagSpec> flags, qsizetype column)
{
    QString text;
    for (const FlagSpec& flag : flags) {
        QString left = QStringLiteral("  -%1").arg(QLatin1StringView(flag.name));
        if (flag.valueName)
            left += QStringLiteral(" %1").arg(QLatin1StringView(flag.valueName));
        text += left.leftJustified(column) + QLatin1StringView(flag.help) + u'\n';
    }
    return text;
}

} // namespace echw
