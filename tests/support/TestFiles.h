#pragma once

#include <QByteArray>
#include <QFile>
#include <QString>

#include <sys/stat.h>

namespace echw::test {

// Writes a file with exactly this content and these permission bits (a secret's file is
// private to its owner: 0600), aborting the test run when that fails: no test can go on
// without its fixture.
inline QString writeFileWithMode(const QString& path, const QByteArray& content, mode_t mode = 0600)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
    file.close();
    if (::chmod(QFile::encodeName(path).constData(), mode) != 0)
        qFatal("cannot chmod %s", qPrintable(path));
    return path;
}

} // namespace echw::test
