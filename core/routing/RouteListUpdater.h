#pragma once

#include "routing/RouteLists.h"

#include <QNetworkProxy>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <chrono>
#include <memory>
#include <vector>

class QNetworkAccessManager;

namespace echw {

struct RouteListUpdaterOptions {
    // Where the reference client downloads its lists from.
    QUrl ipv4Url{QStringLiteral(
        "https://raw.githubusercontent.com/mayaxcn/china-ip-list/master/chn_ip.txt")};
    // Empty: update the IPv4 list only.
    QUrl ipv6Url{QStringLiteral(
        "https://raw.githubusercontent.com/mayaxcn/china-ip-list/master/chn_ip_v6.txt")};
    // Receives chn_ip.txt and chn_ip_v6.txt; created when missing.
    QString targetDirectory;
    // One deadline for the whole update, both downloads included.
    std::chrono::milliseconds timeout{60'000};
    // Per file; a larger download is aborted.
    qint64 maxSize = kMaxListFileSize;
    // A download with fewer ranges (after merging) is not a plausible list. The real lists
    // hold about 4,000 IPv4 and 2,000 IPv6 ranges.
    qsizetype minIpv4Ranges = 1000;
    qsizetype minIpv6Ranges = 100;
    // No proxy by default: a system proxy setting may point at this very program. Set it to the
    // program's own listener to fetch the lists through the tunnel where GitHub is blocked.
    QNetworkProxy proxy{QNetworkProxy::NoProxy};
    // Tests only: also accept http:// URLs whose host is a loopback address.
    bool allowLoopbackHttp = false;
};

// Downloads fresh China lists and replaces the files in the target directory, but only with
// lists that are whole and plausible: HTTP 200, within the size limit, not an HTML page (a
// captive portal or an error page), parsing without a single bad line, with at least the
// minimum number of ranges and at least half as many as the list it replaces (a truncated
// download never replaces a good list). Nothing is written unless every list passes; each file
// is written atomically (QSaveFile), so a reader never sees half a list.
class RouteListUpdater final : public QObject {
    Q_OBJECT
public:
    explicit RouteListUpdater(RouteListUpdaterOptions options, QObject* parent = nullptr);
    ~RouteListUpdater() override;

    // Starts an update; false when one is already running. finished() follows from the event
    // loop, never from inside start(). Destroying the updater cancels it without finished().
    bool start();
    bool isRunning() const { return m_running; }
    const RouteListUpdaterOptions& options() const { return m_options; }

Q_SIGNALS:
    // updated: the files were replaced. message: what was written, or why nothing was.
    void finished(bool updated, const QString& message);

private:
    struct Download;

    // Empty when the download arrived whole: HTTP 200, complete, not HTML.
    QString transferProblem(const Download& download) const;
    void complete();
    void finish(bool updated, const QString& message);

    RouteListUpdaterOptions m_options;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::vector<std::unique_ptr<Download>> m_downloads;
    QTimer m_deadline;
    bool m_running = false;
};

} // namespace echw
