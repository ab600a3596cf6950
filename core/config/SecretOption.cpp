#include "SecretOption.h"

#include "system/BoundedFile.h"

#include <QDir>
#include <QFile>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

namespace echw {

namespace {

#ifdef Q_OS_UNIX
// Why the open file is not private to its owner; empty when it is.
QString openToOthers(const QFile& file, const QString& shown)
{
    struct stat status {};
    if (::fstat(file.handle(), &status) != 0 || (status.st_mode & 077) == 0)
        return {};
    const char* access = (status.st_mode & 044)   ? "readable"
                         : (status.st_mode & 022) ? "writable"
                                                  : "accessible";
    return QStringLiteral("%1 is %2 by other users (mode %3): like ssh with a private key, the "
                          "file of a secret must be accessible to its owner only (chmod 600 %1)")
        .arg(shown, QLatin1StringView(access),
             QString::number(status.st_mode & 0777, 8).rightJustified(4, u'0'));
}
#endif

} // namespace

std::variant<QString, SecretFileError> readSecretFile(const QString& path)
{
    const QString shown = QDir::toNativeSeparators(path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return SecretFileError{QStringLiteral("cannot read %1: %2").arg(shown, file.errorString())};
#ifdef Q_OS_UNIX
    if (QString problem = openToOthers(file, shown); !problem.isEmpty())
        return SecretFileError{std::move(problem)};
#endif
    auto content = readBoundedFile(file, kMaxSecretFileSize);
    if (auto* reason = std::get_if<QString>(&content))
        return SecretFileError{QStringLiteral("cannot read %1: %2").arg(shown, *reason)};
    QByteArray& secret = std::get<QByteArray>(content);
    // Editors and `echo` end the line; the line break is no part of the secret.
    while (secret.endsWith('\n') || secret.endsWith('\r'))
        secret.chop(1);
    if (secret.isEmpty())
        return SecretFileError{QStringLiteral("%1 is empty").arg(shown)};
    return QString::fromUtf8(secret);
}

SecretOption::SecretOption(QLatin1StringView flag, QLatin1StringView fileFlag,
                           QLatin1StringView environmentVariable, QLatin1StringView what)
    : m_flag(flag)
    , m_fileFlag(fileFlag)
    , m_environmentVariable(environmentVariable)
    , m_what(what)
{}

bool SecretOption::handles(const QString& flag) const
{
    return flag == m_flag || flag == m_fileFlag;
}

QString SecretOption::take(const QString& flag, const QString& value, const Use& use)
{
    if (m_givenAs && *m_givenAs != flag)
        return QStringLiteral("flags -%1 and -%2 both give the %3: use one of them")
            .arg(m_flag, m_fileFlag, m_what);
    m_givenAs = flag;
    const QString origin = QStringLiteral("flag -") + flag;
    if (flag == m_flag)
        return use(Secret{value, origin});
    if (value.isEmpty())
        return QStringLiteral("invalid value for %1: expected a file name").arg(origin);
    auto read = readSecretFile(value);
    if (auto* error = std::get_if<SecretFileError>(&read))
        return QStringLiteral("invalid value for %1: %2").arg(origin, error->message);
    return use(Secret{std::get<QString>(std::move(read)), origin});
}

QString SecretOption::takeFromEnvironment(const QProcessEnvironment& environment,
                                          const Use& use) const
{
    if (m_givenAs)
        return {};
    const QString value = environment.value(m_environmentVariable);
    if (value.isEmpty())
        return {};
    return use(Secret{value, QStringLiteral("environment variable ") + m_environmentVariable});
}

} // namespace echw
