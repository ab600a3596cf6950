#include "SettingsStore.h"

#include "system/PrivateFile.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>

namespace echw {

namespace {

// A settings file is a few kilobytes; anything far bigger is not ours, and
// reading it whole would only waste memory.
constexpr qint64 kMaxFileSize = 4 * 1024 * 1024;

} // namespace

SettingsStore::SettingsStore(QString path)
    : m_path(std::move(path))
{}

SettingsStore::LoadResult SettingsStore::load()
{
    LoadResult result;
    QFile file(m_path);
    if (!file.exists()) {
        m_protectExisting = false;
        return result;
    }

    QString reason;
    if (!file.open(QIODevice::ReadOnly)) {
        reason = QStringLiteral("the settings file could not be read (%1)").arg(file.errorString());
    } else if (file.size() > kMaxFileSize) {
        reason = QStringLiteral("the settings file is larger than %1 bytes").arg(kMaxFileSize);
    } else {
        const QByteArray bytes = file.readAll();
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
        if (file.error() != QFileDevice::NoError) {
            reason =
                QStringLiteral("the settings file could not be read (%1)").arg(file.errorString());
        } else if (parseError.error != QJsonParseError::NoError) {
            reason = QStringLiteral("the settings file is not valid JSON (%1 at byte %2)")
                         .arg(parseError.errorString())
                         .arg(parseError.offset);
        } else if (!document.isObject()) {
            reason = QStringLiteral("the settings file does not hold a JSON object");
        } else {
            auto parsed = AppSettings::fromJson(document.object());
            if (auto* settings = std::get_if<AppSettings>(&parsed)) {
                result.status = LoadResult::Status::Loaded;
                result.settings = std::move(*settings);
                m_protectExisting = false;
                return result;
            }
            reason = QStringLiteral("the settings file has a bad value: %1")
                         .arg(std::get<QString>(parsed));
        }
    }
    file.close();

    result.reason = reason;
    QString moveError;
    result.backupPath = moveAside(&moveError);
    if (result.backupPath.isEmpty()) {
        result.status = LoadResult::Status::Failed;
        result.reason += QStringLiteral("; it could not be moved aside (%1) and is left untouched")
                             .arg(moveError);
        m_protectExisting = true;
    } else {
        result.status = LoadResult::Status::MovedAside;
        m_protectExisting = false;
    }
    return result;
}

QString SettingsStore::moveAside(QString* error) const
{
    const QString stamp =
        QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    const QString base = m_path + QStringLiteral(".corrupt-") + stamp;
    QString target = base;
    // Two bad loads within a second must not overwrite the first backup.
    for (int n = 2; QFileInfo::exists(target); ++n)
        target = base + u'-' + QString::number(n);
    QFile file(m_path);
    if (!file.rename(target)) {
        *error = file.errorString();
        return {};
    }
    return target;
}

std::optional<QString> SettingsStore::save(const AppSettings& settings)
{
    if (m_protectExisting) {
        return QStringLiteral("not saving: %1 could not be read or moved aside, and saving "
                              "would replace it")
            .arg(m_path);
    }
    // A failure at any step leaves the old file as it was.
    return writePrivateFile(m_path,
                            QJsonDocument(settings.toJson()).toJson(QJsonDocument::Indented));
}

} // namespace echw
