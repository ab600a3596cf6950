#pragma once

#include <QString>
#include <QStringList>

#include <functional>
#include <span>

namespace echw {

// One flag of a Go-style command line, as the reference client spells them.
struct FlagSpec {
    const char* name;
    const char* valueName; // nullptr for a boolean flag
    const char* help;
};

enum class FlagAction { Run, Help, Version, Error };

struct FlagParseResult {
    FlagAction action = FlagAction::Run;
    QString error; // FlagAction::Error: one line naming the flag
};

// Checks one flag's value and stores it; returns an error line naming the flag, or an empty
// string. A boolean flag's value is already "true" or "false".
using FlagHandler = std::function<QString(const QString& name, const QString& value)>;

// The syntax of the reference client's command line: single-dash flags (`--flag` works too),
// `-flag value` or `-flag=value`, booleans bare or `=true/false`; -h/-help/--help and
// -version/--version stop parsing. Each flag goes to `handle` as soon as it is read, so the
// first problem on the command line is the one reported, whether it is syntax or a value.
FlagParseResult parseFlags(std::span<const FlagSpec> flags, const QStringList& arguments,
                           const FlagHandler& handle);

// "invalid value "<value>" for flag -<flag>: <why>", the line every value error uses.
QString invalidFlagValue(const QString& flag, const QString& value, const QString& why);

// One line per flag, "  -name VALUE" padded to `column`, then its help.
QString flagTable(std::span<const FlagSpec> flags, qsizetype column);

} // namespace echw
