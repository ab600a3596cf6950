#pragma once

#include <QByteArray>
#include <QString>

#include <variant>

class QFile;

namespace echw {

// The whole file, or why not: the reason alone ("No such file or directory", "larger than
// 4096 bytes"), for the caller to put after the file's name. A file larger than maxBytes is
// refused, however its size was reported: one byte past the limit is read to catch files that
// grow or lie about their size.
std::variant<QByteArray, QString> readBoundedFile(const QString& path, qint64 maxBytes);
// The same for a file the caller opened for reading (to look at it first, say).
std::variant<QByteArray, QString> readBoundedFile(QFile& file, qint64 maxBytes);

} // namespace echw
