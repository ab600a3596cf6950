#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

// Reproducible pseudo-random payloads. Byte i of stream `seed` depends only on (seed, i), so a
// test can generate or check any range without producing the bytes before it, and an upload or
// download of any size is verified against contentSha256Hex() without holding it in memory.
namespace echw::test {

void fillContent(quint64 seed, quint64 offset, char* out, qsizetype n);
QByteArray content(quint64 seed, quint64 offset, qsizetype n);
// Lower-case hex SHA-256 of content(seed, 0, size).
QByteArray contentSha256Hex(quint64 seed, quint64 size);
bool writeContentFile(const QString& path, quint64 seed, quint64 size);

} // namespace echw::test
