#include "BoundedFile.h"

#include <QFile>

namespace echw {

std::variant<QByteArray, QString> readBoundedFile(const QString& path, qint64 maxBytes)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return file.errorString();
    return readBoundedFile(file, maxBytes);
}

std::variant<QByteArray, QString> readBoundedFile(QFile& file, qint64 maxBytes)
{
    const auto tooLarge = [maxBytes] {
        return QStringLiteral("larger than %1 bytes").arg(maxBytes);
    };
    if (file.size() > maxBytes)
        return tooLarge();
    QByteArray content = file.read(maxBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return file.errorString();
    if (content.size() > maxBytes)
        return tooLarge();
    return content;
}

} // namespace echw
