#include "RouteLists.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace echw {

namespace {

struct LoadedFile {
    QByteArray content;
    QDate modified;
};

// The whole file, bounded by kMaxListFileSize, or why it cannot be read.
std::variant<LoadedFile, QString> readListFile(const QString& path)
{
    const QString shown = QDir::toNativeSeparators(path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1: %2").arg(shown, file.errorString());
    if (file.size() > kMaxListFileSize)
        return QStringLiteral("%1 is %2 bytes, too large for an address list (at most %3)")
            .arg(shown, QString::number(file.size()), QString::number(kMaxListFileSize));
    LoadedFile loaded;
    // Reading one byte past the limit catches files that grow or lie about their size.
    loaded.content = file.read(kMaxListFileSize + 1);
    if (loaded.content.size() > kMaxListFileSize)
        return QStringLiteral("%1 is too large for an address list (at most %2 bytes)")
            .arg(shown, QString::number(kMaxListFileSize));
    if (file.error() != QFileDevice::NoError)
        return QStringLiteral("cannot read %1: %2").arg(shown, file.errorString());
    loaded.modified = QFileInfo(file).lastModified().date();
    return loaded;
}

template <typename Set>
std::variant<Set, QString> parseListFile(const LoadedFile& file, const QString& path)
{
    auto parsed = Set::parse(file.content, QDir::toNativeSeparators(path));
    if (auto* error = std::get_if<ListParseError>(&parsed))
        return std::move(error->message);
    return std::get<Set>(std::move(parsed));
}

QDate newer(const QDate& a, const QDate& b)
{
    if (!a.isValid())
        return b;
    if (!b.isValid())
        return a;
    return std::max(a, b);
}

} // namespace

RouteLists::Hit RouteLists::find(const QHostAddress& address) const
{
    switch (address.protocol()) {
    case QHostAddress::IPv4Protocol:
        return Hit{false, ipv4.find(address.toIPv4Address())};
    case QHostAddress::IPv6Protocol: {
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        if (const auto mapped = mappedIpv4Of(bytes))
            return Hit{false, ipv4.find(*mapped)};
        return Hit{true, ipv6.find(ipv6NumberOf(bytes))};
    }
    default:
        return {};
    }
}

std::pair<QHostAddress, QHostAddress> RouteLists::range(Hit hit) const
{
    if (!hit.found())
        return {};
    if (!hit.ipv6) {
        const auto& found = ipv4.ranges().at(std::size_t(hit.index));
        return {QHostAddress(found.first), QHostAddress(found.last)};
    }
    const auto& found = ipv6.ranges().at(std::size_t(hit.index));
    return {QHostAddress(ipv6BytesOf(found.first)), QHostAddress(ipv6BytesOf(found.last))};
}

RouteListsResult loadRouteLists(const QString& ipv4Path, const QString& ipv6Path)
{
    RouteLists lists;
    QDate declared;
    QDate modified;

    auto ipv4File = readListFile(ipv4Path);
    if (auto* error = std::get_if<QString>(&ipv4File))
        return std::move(*error);
    const auto& ipv4Loaded = std::get<LoadedFile>(ipv4File);
    auto ipv4 = parseListFile<Ipv4RangeSet>(ipv4Loaded, ipv4Path);
    if (auto* error = std::get_if<QString>(&ipv4))
        return std::move(*error);
    lists.ipv4 = std::get<Ipv4RangeSet>(std::move(ipv4));
    if (lists.ipv4.isEmpty())
        return QStringLiteral("%1 holds no address ranges").arg(QDir::toNativeSeparators(ipv4Path));
    declared = lists.ipv4.declaredDate().value_or(QDate());
    modified = ipv4Loaded.modified;

    if (!ipv6Path.isEmpty() && QFileInfo::exists(ipv6Path)) {
        auto ipv6File = readListFile(ipv6Path);
        if (auto* error = std::get_if<QString>(&ipv6File))
            return std::move(*error);
        const auto& ipv6Loaded = std::get<LoadedFile>(ipv6File);
        auto ipv6 = parseListFile<Ipv6RangeSet>(ipv6Loaded, ipv6Path);
        if (auto* error = std::get_if<QString>(&ipv6))
            return std::move(*error);
        lists.ipv6 = std::get<Ipv6RangeSet>(std::move(ipv6));
        declared = newer(declared, lists.ipv6.declaredDate().value_or(QDate()));
        modified = newer(modified, ipv6Loaded.modified);
    }

    lists.date = declared.isValid() ? declared : modified;
    return lists;
}

RouteListsResult loadRouteListsFromDirectory(const QString& directory)
{
    const QDir dir(directory);
    return loadRouteLists(dir.filePath(kIpv4ListFileName), dir.filePath(kIpv6ListFileName));
}

QStringList bundledListCandidates()
{
    const QDir executableDir(QCoreApplication::applicationDirPath());
    QStringList candidates{
        executableDir.filePath(QStringLiteral("china-ip-list")),
        QDir::cleanPath(
            executableDir.filePath(QStringLiteral("../share/ech-workers/china-ip-list"))),
        QStringLiteral(":/china-ip-list"),
    };
#ifdef ECHW_SOURCE_DIR
    candidates.append(
        QDir(QStringLiteral(ECHW_SOURCE_DIR)).filePath(QStringLiteral("resources/china-ip-list")));
#endif
    return candidates;
}

QString findListDirectory(const QStringList& directories)
{
    for (const QString& directory : directories) {
        if (QFileInfo::exists(QDir(directory).filePath(kIpv4ListFileName)))
            return directory;
    }
    return {};
}

QStringList listSearchPath(const QString& updatedDirectory)
{
    QStringList directories{QCoreApplication::applicationDirPath(), QDir::currentPath()};
    if (!updatedDirectory.isEmpty())
        directories.append(updatedDirectory);
    return directories + bundledListCandidates();
}

ListFiles findListFiles(const QStringList& directories)
{
    const auto first = [&directories](QLatin1StringView fileName) {
        for (const QString& directory : directories) {
            const QFileInfo file(QDir(directory).filePath(fileName));
            if (file.isFile() && file.size() > 0)
                return file.filePath();
        }
        return QString();
    };
    return {first(kIpv4ListFileName), first(kIpv6ListFileName)};
}

QString bundledListDirectory()
{
    return findListDirectory(bundledListCandidates());
}

} // namespace echw
