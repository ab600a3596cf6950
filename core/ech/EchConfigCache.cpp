#include "EchConfigCache.h"

#include "ech/DnsMessage.h"
#include "system/PrivateFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

#include <algorithm>

namespace echw {

Q_LOGGING_CATEGORY(lcEch, "echw.ech")

namespace {

// An ECHConfigList is at most 64 KiB, so its base64 and the few other fields stay far below
// this; anything larger is not our file and is not read into memory.
constexpr qint64 kMaxCacheFileSize = 256 * 1024;

const QString kEchDomainKey = QStringLiteral("echDomain");
const QString kDohUrlKey = QStringLiteral("dohUrl");
const QString kEchConfigListKey = QStringLiteral("echConfigList");
const QString kFetchedAtKey = QStringLiteral("fetchedAt");
const QString kExpiresAtKey = QStringLiteral("expiresAt");

QDateTime parseTime(const QJsonValue& value)
{
    QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    return time.isValid() ? time.toUTC() : QDateTime();
}

// A value is used without asking DoH only while it is within its own lifetime, and that
// lifetime is within the clamp: a file from a clock set backwards or edited by hand cannot
// pin a config for longer than a day.
bool isFresh(const CachedEchConfig& config, const QDateTime& now)
{
    return config.fetchedAt <= now && now < config.expiresAt &&
           config.expiresAt <= config.fetchedAt.addSecs(EchConfigProvider::kMaxLifetime.count());
}

} // namespace

EchConfigCache::EchConfigCache(QString filePath)
    : m_filePath(std::move(filePath))
{}

std::optional<CachedEchConfig> EchConfigCache::load(const QString& echDomain,
                                                    const QUrl& dohUrl) const
{
    QFile file(m_filePath);
    if (m_filePath.isEmpty() || !file.exists())
        return std::nullopt;
    const auto ignore = [this](const QString& why) {
        qCWarning(lcEch, "ignoring the ECH config cache %s: %s", qUtf8Printable(m_filePath),
                  qUtf8Printable(why));
        return std::nullopt;
    };
    if (!file.open(QIODevice::ReadOnly))
        return ignore(file.errorString());
    if (file.size() > kMaxCacheFileSize)
        return ignore(QStringLiteral("%1 bytes is too large for it").arg(file.size()));

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!document.isObject())
        return ignore(parseError.error == QJsonParseError::NoError
                          ? QStringLiteral("not a JSON object")
                          : QStringLiteral("not JSON (%1)").arg(parseError.errorString()));
    const QJsonObject object = document.object();

    CachedEchConfig config;
    config.echDomain = object.value(kEchDomainKey).toString();
    config.dohUrl = QUrl(object.value(kDohUrlKey).toString(), QUrl::StrictMode);
    if (config.echDomain.compare(echDomain, Qt::CaseInsensitive) != 0 || config.dohUrl != dohUrl)
        return ignore(QStringLiteral("it holds the config of \"%1\" from \"%2\", not of %3 from %4")
                          .arg(config.echDomain, config.dohUrl.toDisplayString(), echDomain,
                               dohUrl.toDisplayString()));

    const auto decoded =
        QByteArray::fromBase64Encoding(object.value(kEchConfigListKey).toString().toLatin1(),
                                       QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return ignore(QStringLiteral("the config is not base64"));
    if (const auto problem = validateEchConfigList(*decoded))
        return ignore(*problem);
    config.echConfigList = *decoded;

    config.fetchedAt = parseTime(object.value(kFetchedAtKey));
    config.expiresAt = parseTime(object.value(kExpiresAtKey));
    if (!config.fetchedAt.isValid() || !config.expiresAt.isValid())
        return ignore(QStringLiteral("fetchedAt or expiresAt is not an ISO 8601 time"));
    return config;
}

bool EchConfigCache::save(const CachedEchConfig& config) const
{
    if (m_filePath.isEmpty()) // not persisted
        return true;
    const auto fail = [this](const QString& why) {
        qCWarning(lcEch, "cannot write the ECH config cache %s: %s", qUtf8Printable(m_filePath),
                  qUtf8Printable(why));
        return false;
    };
    const QString directory = QFileInfo(m_filePath).absolutePath();
    if (!QDir().mkpath(directory))
        return fail(QStringLiteral("cannot create the folder %1").arg(directory));

    const QJsonObject object{
        {kEchDomainKey, config.echDomain},
        {kDohUrlKey, config.dohUrl.toString()},
        {kEchConfigListKey, QString::fromLatin1(config.echConfigList.toBase64())},
        {kFetchedAtKey, config.fetchedAt.toUTC().toString(Qt::ISODateWithMs)},
        {kExpiresAtKey, config.expiresAt.toUTC().toString(Qt::ISODateWithMs)},
    };
    // A crash or a full disk leaves the previous file intact, and the file is never readable
    // by others, not even briefly.
    if (auto error = writePrivateFile(m_filePath, QJsonDocument(object).toJson()))
        return fail(*error);
    return true;
}

bool EchConfigCache::remove() const
{
    QFile file(m_filePath);
    if (!file.exists() || file.remove())
        return true;
    qCWarning(lcEch, "cannot delete the ECH config cache %s: %s", qUtf8Printable(m_filePath),
              qUtf8Printable(file.errorString()));
    return false;
}

EchConfigProvider::EchConfigProvider(std::unique_ptr<DohClient> doh, QString echDomain,
                                     EchConfigCache cache, QObject* parent)
    : QObject(parent)
    , m_doh(std::move(doh))
    , m_echDomain(std::move(echDomain))
    , m_cache(std::move(cache))
    , m_current(m_cache.load(m_echDomain, m_doh->url()))
{}

EchConfigProvider::~EchConfigProvider() = default;

void EchConfigProvider::get(QObject* context, Callback callback)
{
    Q_ASSERT(context);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const bool backingOff = m_nextFetchAt.isValid() && now < m_nextFetchAt;
    if (m_current && (isFresh(*m_current, now) || backingOff)) {
        QMetaObject::invokeMethod(
            context,
            [callback = std::move(callback), list = m_current->echConfigList] { callback(list); },
            Qt::QueuedConnection);
        return;
    }
    m_waiters.append(Waiter{context, std::move(callback)});
    if (!m_fetching)
        startFetch();
}

void EchConfigProvider::replaceWithRetryConfigs(const QByteArray& configs)
{
    if (const auto problem = validateEchConfigList(configs)) {
        qCWarning(lcEch, "ignoring the retry configs for %s: %s", qUtf8Printable(m_echDomain),
                  qUtf8Printable(*problem));
        return;
    }
    ++m_generation;
    m_nextFetchAt = {};
    setCurrent(configs, kRetryConfigLifetime);
}

void EchConfigProvider::invalidate()
{
    ++m_generation;
    m_nextFetchAt = {};
    if (!m_current)
        return;
    m_current.reset();
    m_cache.remove();
    Q_EMIT configChanged();
}

void EchConfigProvider::startFetch()
{
    m_fetching = true;
    m_doh->fetchEchConfig(m_echDomain, this,
                          [this, generation = m_generation](DohClient::EchConfigResult result) {
                              onFetched(std::move(result), generation);
                          });
}

void EchConfigProvider::onFetched(DohClient::EchConfigResult result, quint64 generation)
{
    m_fetching = false;
    Result outcome;
    if (generation != m_generation && m_current) {
        // Retry configs arrived while the query was out; they are newer than its answer.
        outcome = m_current->echConfigList;
        const bool fetched = std::holds_alternative<EchConfigAnswer>(result);
        Q_EMIT fetchFinished(fetched, !fetched);
    } else if (auto* answer = std::get_if<EchConfigAnswer>(&result)) {
        m_nextFetchAt = {};
        setCurrent(answer->echConfigList,
                   std::clamp(std::chrono::seconds(answer->ttl), kMinLifetime, kMaxLifetime));
        outcome = answer->echConfigList;
        Q_EMIT fetchFinished(true, false);
    } else if (m_current) {
        qCWarning(lcEch,
                  "cannot refresh the ECH config for %s (%s); using the one fetched at %s "
                  "(expiry %s) and asking again in %lld s",
                  qUtf8Printable(m_echDomain), qUtf8Printable(std::get<QString>(result)),
                  qUtf8Printable(m_current->fetchedAt.toString(Qt::ISODate)),
                  qUtf8Printable(m_current->expiresAt.toString(Qt::ISODate)),
                  qlonglong(kMinLifetime.count()));
        m_nextFetchAt = QDateTime::currentDateTimeUtc().addSecs(kMinLifetime.count());
        outcome = m_current->echConfigList;
        Q_EMIT fetchFinished(false, true);
    } else {
        outcome = QStringLiteral("cannot get the ECH config for %1: %2")
                      .arg(m_echDomain, std::get<QString>(result));
        Q_EMIT fetchFinished(false, false);
    }
    // Callbacks may call get() again (a tunnel retrying): take the list first.
    const QList<Waiter> waiters = std::exchange(m_waiters, {});
    for (const Waiter& waiter : waiters) {
        if (waiter.context)
            waiter.callback(outcome);
    }
}

void EchConfigProvider::setCurrent(const QByteArray& echConfigList, std::chrono::seconds lifetime)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    m_current = CachedEchConfig{m_echDomain, m_doh->url(), echConfigList, now,
                                now.addSecs(lifetime.count())};
    m_cache.save(*m_current);
    Q_EMIT configChanged();
}

} // namespace echw
