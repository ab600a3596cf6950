#pragma once

#include "routing/IpRangeSet.h"

#include <QDate>
#include <QHostAddress>
#include <QLatin1StringView>
#include <QString>
#include <QStringList>

#include <utility>
#include <variant>

namespace echw {

// The file names of the reference client and of the mayaxcn/china-ip-list repository.
inline constexpr QLatin1StringView kIpv4ListFileName("chn_ip.txt");
inline constexpr QLatin1StringView kIpv6ListFileName("chn_ip_v6.txt");

// The real lists are a few hundred KiB; anything far larger is not a list.
inline constexpr qint64 kMaxListFileSize = 8 * 1024 * 1024;

// The China mainland address lists that bypass_cn sends direct.
struct RouteLists {
    Ipv4RangeSet ipv4;
    Ipv6RangeSet ipv6; // empty when there is no IPv6 list (it is optional)
    // How current the data is: the newest `# date:` a list declares, otherwise the newest
    // modification date of the files.
    QDate date;

    // Which range of which list holds an address (index -1: none), small enough to cache.
    struct Hit {
        bool ipv6 = false;
        qsizetype index = -1;
        bool found() const { return index >= 0; }
    };

    // IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are looked up in the IPv4 list.
    Hit find(const QHostAddress& address) const;
    bool contains(const QHostAddress& address) const { return find(address).found(); }
    // The first and last address of a found range.
    std::pair<QHostAddress, QHostAddress> range(Hit hit) const;
};

using RouteListsResult = std::variant<RouteLists, QString>; // the lists, or why not

// Reads and parses both lists. The IPv4 list must exist and hold ranges. The IPv6 list is
// optional: an empty path or a missing file means no IPv6 ranges, but a file that exists must
// be readable and parse. Any bad line fails the whole load (see IpRangeSet).
RouteListsResult loadRouteLists(const QString& ipv4Path, const QString& ipv6Path = {});
// The same for chn_ip.txt and chn_ip_v6.txt in directory.
RouteListsResult loadRouteListsFromDirectory(const QString& directory);

// Where the lists that ship with the program may be, in order: `china-ip-list/` next to the
// executable, `../share/ech-workers/china-ip-list/` from it (an installed tree), the Qt
// resource `:/china-ip-list` when the build embeds it, and `resources/china-ip-list/` in the
// source tree when the build defines ECHW_SOURCE_DIR. Needs a QCoreApplication.
QStringList bundledListCandidates();
// The first of directories that holds chn_ip.txt; empty when none does.
QString findListDirectory(const QStringList& directories);

// Where bypass_cn looks for each list when no list folder (-lists) is given, in order: next to
// the executable, then the working directory (the reference CLI's two places, so its users'
// files keep working), then updatedDirectory (where downloads go; left out when empty), then
// the bundled snapshot (bundledListCandidates()). Needs a QCoreApplication.
QStringList listSearchPath(const QString& updatedDirectory);

struct ListFiles {
    QString ipv4; // empty when no directory holds chn_ip.txt
    QString ipv6; // empty when none holds chn_ip_v6.txt: the IPv6 list is optional
};
// Each list from the first of directories that holds it, looked up on its own as the reference
// CLI does. An empty file is passed over: the reference CLI would download that one anew.
ListFiles findListFiles(const QStringList& directories);
// findListDirectory(bundledListCandidates()).
QString bundledListDirectory();

} // namespace echw
