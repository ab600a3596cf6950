#include "RouteListUpdater.h"

#include "tls/TrustStore.h"

#include <QDir>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSaveFile>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace echw {

namespace {

// GitHub's raw host answers directly; a few hops allow for a moved repository, no more.
constexpr int kMaxRedirects = 5;

QString durationText(std::chrono::milliseconds duration)
{
    if (duration.count() % 1000 == 0)
        return QStringLiteral("%1 s").arg(duration.count() / 1000);
    return QStringLiteral("%1 ms").arg(duration.count());
}

QString urlProblem(const QUrl& url, bool allowLoopbackHttp)
{
    if (!url.isValid() || url.host().isEmpty())
        return QStringLiteral("\"%1\" is not a download address").arg(url.toDisplayString());
    if (url.scheme() == QStringLiteral("https"))
        return {};
    if (allowLoopbackHttp && url.scheme() == QStringLiteral("http") &&
        QHostAddress(url.host()).isLoopback())
        return {};
    return QStringLiteral("%1 is not an https:// address").arg(url.toDisplayString());
}

// Captive portals, proxies and error pages answer 200 with HTML; say so rather than report
// the first line of markup as a bad address.
bool looksLikeHtml(const QByteArray& body)
{
    const qsizetype first =
        std::find_if(body.cbegin(), body.cend(), [](char c) { return !std::isspace(uchar(c)); }) -
        body.cbegin();
    if (first < body.size() && body[first] == '<')
        return true;
    for (qsizetype at = body.indexOf('<'); at >= 0; at = body.indexOf('<', at + 1)) {
        if (body.size() - at > 4 && qstrnicmp(body.constData() + at + 1, "html", 4) == 0)
            return true;
    }
    return false;
}

// The range count of the list that a download would replace; nullopt when there is none or
// it is unusable anyway.
template <typename Set> std::optional<qsizetype> currentRangeCount(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray content = file.read(kMaxListFileSize + 1);
    if (content.size() > kMaxListFileSize)
        return std::nullopt;
    const auto parsed = Set::parse(content, path);
    if (const auto* set = std::get_if<Set>(&parsed))
        return set->rangeCount();
    return std::nullopt;
}

struct CheckedList {
    qsizetype rangeCount = 0;
    std::optional<qsizetype> previousCount;
};

template <typename Set>
std::variant<CheckedList, QString> checkList(const QByteArray& body, const QString& source,
                                             qsizetype minRanges, const QString& currentPath)
{
    auto parsed = Set::parse(body, source);
    if (auto* error = std::get_if<ListParseError>(&parsed))
        return std::move(error->message);
    CheckedList checked;
    checked.rangeCount = std::get<Set>(parsed).rangeCount();
    if (checked.rangeCount < minRanges)
        return QStringLiteral("%1 holds %2 ranges, fewer than the %3 a complete list has")
            .arg(source, QString::number(checked.rangeCount), QString::number(minRanges));
    checked.previousCount = currentRangeCount<Set>(currentPath);
    if (checked.previousCount && checked.rangeCount < (*checked.previousCount + 1) / 2)
        return QStringLiteral("%1 holds %2 ranges, less than half of the %3 in %4")
            .arg(source, QString::number(checked.rangeCount),
                 QString::number(*checked.previousCount), QDir::toNativeSeparators(currentPath));
    return checked;
}

} // namespace

struct RouteListUpdater::Download {
    QString fileName;
    QUrl url;
    bool ipv6 = false;
    QNetworkReply* reply = nullptr; // a child of m_network, released when the update ends
    QByteArray body;
    bool tooLarge = false;
    bool timedOut = false;
    bool done = false;

    QString source() const
    {
        return QStringLiteral("%1 from %2").arg(fileName, url.toDisplayString());
    }
};

RouteListUpdater::RouteListUpdater(RouteListUpdaterOptions options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_network(std::make_unique<QNetworkAccessManager>())
{
    m_network->setProxy(m_options.proxy);
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        for (const auto& download : m_downloads) {
            if (!download->done) {
                download->timedOut = true;
                download->reply->abort();
            }
        }
    });
}

RouteListUpdater::~RouteListUpdater()
{
    // Replies are children of the manager; cut them off before it deletes them, so no
    // handler runs on a half-destroyed updater.
    for (const auto& download : m_downloads) {
        download->reply->disconnect(this);
        download->reply->abort();
    }
}

bool RouteListUpdater::start()
{
    if (m_running)
        return false;
    m_running = true;

    QString problem;
    if (m_options.targetDirectory.isEmpty())
        problem = QStringLiteral("no directory to keep the lists in");
    if (problem.isEmpty())
        problem = urlProblem(m_options.ipv4Url, m_options.allowLoopbackHttp);
    if (problem.isEmpty() && !m_options.ipv6Url.isEmpty())
        problem = urlProblem(m_options.ipv6Url, m_options.allowLoopbackHttp);
    if (!problem.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [this, problem] { finish(false, problem); }, Qt::QueuedConnection);
        return true;
    }

    // The shared trust rule (tls/TrustStore.h), read once per update: Qt's own store would
    // ignore SSL_CERT_FILE and SSL_CERT_DIR.
    const QSslConfiguration tls = std::get<QSslConfiguration>(qtTlsConfiguration(QString()));
    const auto add = [this, &tls](QLatin1StringView fileName, const QUrl& url, bool ipv6) {
        auto download = std::make_unique<Download>();
        download->fileName = fileName;
        download->url = url;
        download->ipv6 = ipv6;
        QNetworkRequest request(url);
        request.setSslConfiguration(tls);
        // Never from https to http.
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                             QNetworkRequest::NoLessSafeRedirectPolicy);
        request.setMaximumRedirectsAllowed(kMaxRedirects);
        // Uncompressed: the body is then exactly what Content-Length announces (see complete()),
        // and no small compressed download can expand past the size limit.
        request.setRawHeader("Accept-Encoding", "identity");
        Download* d = download.get();
        d->reply = m_network->get(request);
        // Counted as the bytes arrive, so a lying Content-Length does not get past the limit.
        const auto take = [this, d] {
            d->body += d->reply->readAll();
            if (d->body.size() > m_options.maxSize && !d->tooLarge) {
                d->tooLarge = true;
                d->reply->abort();
            }
        };
        connect(d->reply, &QNetworkReply::readyRead, this, take);
        connect(d->reply, &QNetworkReply::finished, this, [this, d, take] {
            // An aborted or failed reply is closed and its body of no interest.
            if (!d->tooLarge && d->reply->error() == QNetworkReply::NoError)
                take();
            d->done = true;
            const bool allDone = std::all_of(m_downloads.begin(), m_downloads.end(),
                                             [](const auto& each) { return each->done; });
            // Queued: the checks and the signal run outside the reply's own signal, so a
            // receiver may destroy the updater.
            if (allDone)
                QMetaObject::invokeMethod(this, &RouteListUpdater::complete, Qt::QueuedConnection);
        });
        m_downloads.push_back(std::move(download));
    };
    add(kIpv4ListFileName, m_options.ipv4Url, false);
    if (!m_options.ipv6Url.isEmpty())
        add(kIpv6ListFileName, m_options.ipv6Url, true);
    m_deadline.start(m_options.timeout);
    return true;
}

QString RouteListUpdater::transferProblem(const Download& download) const
{
    const QNetworkReply* reply = download.reply;
    const QString source = download.source();
    if (download.timedOut)
        return QStringLiteral("%1 did not arrive within %2")
            .arg(source, durationText(m_options.timeout));
    if (download.tooLarge)
        return QStringLiteral("%1 is larger than %2 bytes, too large for an address list")
            .arg(source, QString::number(m_options.maxSize));
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (status.isValid() && status.toInt() != 200) {
        const QByteArray reason =
            reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray();
        return QStringLiteral("%1: the server answered HTTP %2 %3")
            .arg(source, QString::number(status.toInt()), QString::fromLatin1(reason.left(64)))
            .trimmed();
    }
    if (reply->error() != QNetworkReply::NoError)
        return QStringLiteral("%1: %2").arg(source, reply->errorString());
    // Qt reports a transfer that the server cut short as a success now and then (both with a
    // Content-Length and chunked), so only a body of the announced length counts.
    const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
    if (!length.isValid())
        return QStringLiteral("%1 came without a Content-Length, so a cut-off transfer could "
                              "not be told from a whole list")
            .arg(source);
    if (length.toLongLong() != download.body.size())
        return QStringLiteral("%1 arrived incomplete (%2 of %3 bytes)")
            .arg(source, QString::number(download.body.size()),
                 QString::number(length.toLongLong()));
    if (download.body.isEmpty())
        return QStringLiteral("%1 is empty").arg(source);
    if (looksLikeHtml(download.body))
        return QStringLiteral("%1 is an HTML page, not an address list").arg(source);
    return {};
}

void RouteListUpdater::complete()
{
    m_deadline.stop();
    const QDir target(m_options.targetDirectory);
    QStringList summaries;
    for (const auto& download : m_downloads) {
        if (const QString problem = transferProblem(*download); !problem.isEmpty()) {
            finish(false, problem);
            return;
        }
        const QString path = target.filePath(download->fileName);
        const qsizetype minRanges =
            download->ipv6 ? m_options.minIpv6Ranges : m_options.minIpv4Ranges;
        const QString source = download->source();
        auto checked = download->ipv6
                           ? checkList<Ipv6RangeSet>(download->body, source, minRanges, path)
                           : checkList<Ipv4RangeSet>(download->body, source, minRanges, path);
        if (auto* error = std::get_if<QString>(&checked)) {
            finish(false, *error);
            return;
        }
        const auto& list = std::get<CheckedList>(checked);
        summaries.append(list.previousCount
                             ? QStringLiteral("%1 (%2 ranges, was %3)")
                                   .arg(download->fileName, QString::number(list.rangeCount),
                                        QString::number(*list.previousCount))
                             : QStringLiteral("%1 (%2 ranges)")
                                   .arg(download->fileName, QString::number(list.rangeCount)));
    }

    const QString directory = QDir::toNativeSeparators(m_options.targetDirectory);
    if (!QDir().mkpath(m_options.targetDirectory)) {
        finish(false, QStringLiteral("cannot create the directory %1").arg(directory));
        return;
    }
    QStringList written;
    for (const auto& download : m_downloads) {
        QSaveFile file(target.filePath(download->fileName));
        if (!file.open(QIODevice::WriteOnly) ||
            file.write(download->body) != download->body.size() || !file.commit()) {
            const QString problem =
                QStringLiteral("cannot write %1: %2")
                    .arg(QDir::toNativeSeparators(file.fileName()), file.errorString());
            // The lists are independent: one that was replaced is in use, so say so.
            if (written.isEmpty())
                finish(false, problem);
            else
                finish(true, QStringLiteral("updated %1 in %2, but %3")
                                 .arg(written.join(QStringLiteral(" and ")), directory, problem));
            return;
        }
        written.append(summaries[written.size()]);
    }
    finish(
        true,
        QStringLiteral("updated %1 in %2").arg(written.join(QStringLiteral(" and ")), directory));
}

void RouteListUpdater::finish(bool updated, const QString& message)
{
    m_deadline.stop();
    for (const auto& download : m_downloads) {
        download->reply->disconnect(this);
        download->reply->deleteLater();
    }
    m_downloads.clear();
    m_running = false;
    Q_EMIT finished(updated,
                    updated ? message
                            : QStringLiteral("the China lists were not updated: %1").arg(message));
}

} // namespace echw
