#pragma once

#include <QString>
#include <QStringView>

#include <optional>

namespace echw {

// Severity in increasing order (QtMsgType's values are not): Debug 0, Info 1, Warning 2,
// Critical 3, Fatal 4.
int logSeverity(QtMsgType level);
// debug, info, warning, error (the -loglevel spellings); nullopt for anything else.
std::optional<QtMsgType> logLevelFromName(QStringView name);

// Writes Qt log messages to stderr as "time level [category] message".
void installLogPattern();
// The project's categories (echw.*) produce messages from `lowest` up; below it a message costs
// one check and is never formatted.
void setLoggedLevel(QtMsgType lowest);
// Both, for the command-line programs: `level` is a -loglevel value (debug, info, warning,
// error); another value reads as info.
void installLogOutput(const QString& level);

} // namespace echw
