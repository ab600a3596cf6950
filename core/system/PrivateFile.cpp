#include "system/PrivateFile.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

namespace echw {

std::optional<QString> writePrivateFile(const QString& path, const QByteArray& bytes)
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return QStringLiteral("could not create the folder %1").arg(info.absolutePath());
    QSaveFile file(path);
    // Unbuffered: a short write is then reported to us instead of being dropped while Qt
    // flushes its buffer and commits a truncated file.
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return QStringLiteral("could not write %1 (%2)").arg(path, file.errorString());
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        file.cancelWriting();
        return QStringLiteral("could not restrict the permissions of %1 (%2)")
            .arg(path, file.errorString());
    }
    if (file.write(bytes) != bytes.size()) {
        const QString error = file.errorString();
        file.cancelWriting();
        return QStringLiteral("could not write %1 (%2)").arg(path, error);
    }
    if (!file.commit())
        return QStringLiteral("could not write %1 (%2)").arg(path, file.errorString());
    return std::nullopt;
}

} // namespace echw
