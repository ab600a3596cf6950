// EchConfigProvider and its cache file, with a real DoH server on loopback that counts the
// queries it gets.
#include "DohTestServer.h"
#include "TestValues.h"
#include "ech/DohClient.h"
#include "ech/EchConfigCache.h"
#include "tls/TlsCredentials.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;
using namespace echw::test;
using namespace std::chrono_literals;

namespace {

const QString kEchDomain = QStringLiteral("cloudflare-ech.com");
const QByteArray kDnsConfig = QByteArrayLiteral("\x00\x0a\xfe\x0d\x00\x06"
                                                "dns---");
const QByteArray kRetryConfig = QByteArrayLiteral("\x00\x0a\xfe\x0d\x00\x06"
                                                  "retry-");

QJsonObject readJson(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

} // namespace

class TestEchConfigCache : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void coldStartWithDohDownReportsTheDohError();
    void fetchesPersistsAndServesFreshValueWithoutAsking();
    void clampsTheTtl();
    void concurrentGetsShareOneQuery();
    void skipsCallersWhoseContextIsGone();
    void warmStartServesTheCacheFileWithoutDoh();
    void warmStartWithExpiredFileAndDohDownServesStaleValue();
    void staleValueIsServedWithoutAskingForAMinute();
    void expiredFileIsRefreshedFromDoh();
    void ignoresCorruptOrForeignCacheFile_data();
    void ignoresCorruptOrForeignCacheFile();
    void retryConfigsArePersistedAndReloaded();
    void retryConfigsWinOverQueryInFlight();
    void invalidateForgetsTheValueAndAsksAgain();
    void destroyingTheProviderCancelsItsQuery();

private:
    std::unique_ptr<EchConfigProvider> provider(const QUrl& url = {});
    std::optional<EchConfigSource::Result> get(EchConfigProvider& provider);
    QUrl downUrl();

    QTemporaryDir m_dir;
    CertificatePair m_certificate;
    QString m_caFile;
    QString m_cacheFile;
    std::unique_ptr<DohTestServer> m_server;
};

void TestEchConfigCache::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const DohTestCertificate doh = createDohTestCertificate(m_dir.path());
    QVERIFY(!doh.caFile.isEmpty());
    m_certificate = doh.certificate;
    m_caFile = doh.caFile;
}

void TestEchConfigCache::init()
{
    // A folder that does not exist yet, as on first start.
    m_cacheFile = m_dir.filePath(QStringLiteral("%1/ech-config.json")
                                     .arg(QString::fromLatin1(QTest::currentTestFunction())));
    m_server = std::make_unique<DohTestServer>(m_certificate, kEchDomain, kDnsConfig);
    QVERIFY(m_server->listen(QHostAddress::LocalHost));
}

void TestEchConfigCache::cleanup()
{
    m_server.reset();
}

std::unique_ptr<EchConfigProvider> TestEchConfigCache::provider(const QUrl& url)
{
    DohOptions options;
    options.url = url.isEmpty() ? m_server->url() : url;
    options.extraCaFile = m_caFile;
    auto doh = std::make_unique<DohClient>(options);
    return std::make_unique<EchConfigProvider>(std::move(doh), kEchDomain,
                                               EchConfigCache(m_cacheFile));
}

std::optional<EchConfigSource::Result> TestEchConfigCache::get(EchConfigProvider& provider)
{
    std::optional<EchConfigSource::Result> result;
    QObject context;
    provider.get(&context, [&result](EchConfigSource::Result r) { result = std::move(r); });
    // Never inside get(), also when the value is at hand.
    if (result || !QTest::qWaitFor([&result] { return result.has_value(); }, 10000))
        return std::nullopt;
    return result;
}

// The test server's address with nothing listening any more: DoH is down.
QUrl TestEchConfigCache::downUrl()
{
    const QUrl url = m_server->url();
    m_server->close();
    return url;
}

void TestEchConfigCache::coldStartWithDohDownReportsTheDohError()
{
    const QUrl url = downUrl();
    auto echConfig = provider(url);
    const auto result = get(*echConfig);
    QVERIFY(result);
    const QString error = errorOf(*result);
    QVERIFY2(error.startsWith(QStringLiteral("cannot get the ECH config for %1: DoH server %2: ")
                                  .arg(kEchDomain, url.toDisplayString())),
             qPrintable(error));
    QVERIFY(!QFile::exists(m_cacheFile));
}

void TestEchConfigCache::fetchesPersistsAndServesFreshValueWithoutAsking()
{
    auto echConfig = provider();
    QSignalSpy changed(echConfig.get(), &EchConfigProvider::configChanged);
    const auto result = get(*echConfig);
    QVERIFY(result);
    QCOMPARE(std::get<QByteArray>(*result), kDnsConfig);
    QCOMPARE(m_server->requests.size(), 1);
    QCOMPARE(changed.size(), 1);

    const QJsonObject json = readJson(m_cacheFile);
    QCOMPARE(json.value(u"echDomain").toString(), kEchDomain);
    QCOMPARE(json.value(u"dohUrl").toString(), m_server->url().toString());
    QCOMPARE(json.value(u"echConfigList").toString(), QString::fromLatin1(kDnsConfig.toBase64()));
    const QDateTime fetchedAt =
        QDateTime::fromString(json.value(u"fetchedAt").toString(), Qt::ISODateWithMs);
    const QDateTime expiresAt =
        QDateTime::fromString(json.value(u"expiresAt").toString(), Qt::ISODateWithMs);
    QVERIFY(fetchedAt.isValid());
    QCOMPARE(fetchedAt.secsTo(expiresAt), 300);
    QCOMPARE(QFile::permissions(m_cacheFile) & ~(QFile::ReadUser | QFile::WriteUser),
             QFile::ReadOwner | QFile::WriteOwner);

    const auto again = get(*echConfig);
    QVERIFY(again);
    QCOMPARE(std::get<QByteArray>(*again), kDnsConfig);
    QCOMPARE(m_server->requests.size(), 1);
}

void TestEchConfigCache::clampsTheTtl()
{
    for (const auto& [ttl, lifetime] : {std::pair{0u, 60}, std::pair{7 * 86400u, 86400}}) {
        QFile::remove(m_cacheFile);
        m_server->ttl = ttl;
        auto echConfig = provider();
        QVERIFY(get(*echConfig));
        QVERIFY(echConfig->current());
        QCOMPARE(echConfig->current()->fetchedAt.secsTo(echConfig->current()->expiresAt), lifetime);
    }
}

void TestEchConfigCache::concurrentGetsShareOneQuery()
{
    auto echConfig = provider();
    QObject context;
    QList<EchConfigSource::Result> results;
    for (int i = 0; i < 5; ++i)
        echConfig->get(&context, [&results](EchConfigSource::Result r) { results.append(r); });
    QTRY_COMPARE_WITH_TIMEOUT(results.size(), 5, 10000);
    for (const auto& result : results)
        QCOMPARE(std::get<QByteArray>(result), kDnsConfig);
    QCOMPARE(m_server->requests.size(), 1);
}

void TestEchConfigCache::skipsCallersWhoseContextIsGone()
{
    auto echConfig = provider();
    auto gone = std::make_unique<QObject>();
    QObject stays;
    bool goneCalled = false;
    bool staysCalled = false;
    echConfig->get(gone.get(), [&](EchConfigSource::Result) { goneCalled = true; });
    echConfig->get(&stays, [&](EchConfigSource::Result) { staysCalled = true; });
    gone.reset();
    QTRY_VERIFY_WITH_TIMEOUT(staysCalled, 10000); // both are answered in one pass
    QVERIFY(!goneCalled);
}

void TestEchConfigCache::warmStartServesTheCacheFileWithoutDoh()
{
    QVERIFY(get(*provider()));
    QCOMPARE(m_server->requests.size(), 1);

    auto restarted = provider(downUrl());
    QVERIFY(restarted->current());
    const auto result = get(*restarted);
    QVERIFY(result);
    QCOMPARE(std::get<QByteArray>(*result), kDnsConfig);
}

void TestEchConfigCache::warmStartWithExpiredFileAndDohDownServesStaleValue()
{
    const QUrl url = downUrl();
    const QDateTime dayAgo = QDateTime::currentDateTimeUtc().addDays(-1);
    QVERIFY(EchConfigCache(m_cacheFile)
                .save({kEchDomain, url, kDnsConfig, dayAgo, dayAgo.addSecs(300)}));

    auto restarted = provider(url);
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral("^cannot refresh the ECH config for "
                                                           "cloudflare-ech.com \\(DoH server ")));
    const auto result = get(*restarted);
    QVERIFY(result);
    QVERIFY2(std::holds_alternative<QByteArray>(*result), qPrintable(errorOf(*result)));
    QCOMPARE(std::get<QByteArray>(*result), kDnsConfig);
}

void TestEchConfigCache::staleValueIsServedWithoutAskingForAMinute()
{
    const QDateTime dayAgo = QDateTime::currentDateTimeUtc().addDays(-1);
    QVERIFY(EchConfigCache(m_cacheFile)
                .save({kEchDomain, m_server->url(), kDnsConfig, dayAgo, dayAgo.addSecs(300)}));
    m_server->behaviour = DohTestServer::Behaviour::Unavailable;
    auto echConfig = provider();
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("HTTP 503")));
    QVERIFY(get(*echConfig));
    QCOMPARE(m_server->requests.size(), 1);

    const auto again = get(*echConfig);
    QVERIFY(again);
    QCOMPARE(std::get<QByteArray>(*again), kDnsConfig);
    QCOMPARE(m_server->requests.size(), 1);
}

void TestEchConfigCache::expiredFileIsRefreshedFromDoh()
{
    const QDateTime dayAgo = QDateTime::currentDateTimeUtc().addDays(-1);
    QVERIFY(EchConfigCache(m_cacheFile)
                .save({kEchDomain, m_server->url(), kRetryConfig, dayAgo, dayAgo.addSecs(300)}));
    auto echConfig = provider();
    const auto result = get(*echConfig);
    QVERIFY(result);
    QCOMPARE(std::get<QByteArray>(*result), kDnsConfig);
    QCOMPARE(m_server->requests.size(), 1);
}

void TestEchConfigCache::ignoresCorruptOrForeignCacheFile_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("warning");
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto file = [&](const QString& domain, const QString& url, const QString& config,
                          const QString& fetchedAt) {
        return QJsonDocument(QJsonObject{{QStringLiteral("echDomain"), domain},
                                         {QStringLiteral("dohUrl"), url},
                                         {QStringLiteral("echConfigList"), config},
                                         {QStringLiteral("fetchedAt"), fetchedAt},
                                         {QStringLiteral("expiresAt"),
                                          now.addSecs(3600).toString(Qt::ISODateWithMs)}})
            .toJson();
    };
    const QString url = QStringLiteral("https://127.0.0.1:%1/dns-query");
    const QString good = QString::fromLatin1(kRetryConfig.toBase64());
    const QString time = now.toString(Qt::ISODateWithMs);

    QTest::newRow("not json") << QByteArray("{\"echDomain\": ") << QStringLiteral("not JSON");
    QTest::newRow("array") << QByteArray("[1, 2]") << QStringLiteral("not a JSON object");
    QTest::newRow("binary") << QByteArray("\x00\xff\x13garbage", 10) << QStringLiteral("not JSON");
    QTest::newRow("other domain") << file(QStringLiteral("other.example"), url, good, time)
                                  << QStringLiteral("holds the config of \"other.example\"");
    QTest::newRow("other DoH server")
        << file(kEchDomain, QStringLiteral("https://dns.example/dns-query"), good, time)
        << QStringLiteral("from \"https://dns.example/dns-query\"");
    QTest::newRow("config not base64")
        << file(kEchDomain, url, QStringLiteral("%%%"), time) << QStringLiteral("not base64");
    QTest::newRow("config not an ECHConfigList")
        << file(kEchDomain, url, QStringLiteral("AAAA"), time) << QStringLiteral("ECHConfigList");
    QTest::newRow("bad time") << file(kEchDomain, url, good, QStringLiteral("yesterday"))
                              << QStringLiteral("not an ISO 8601 time");
    QTest::newRow("huge") << QByteArray(300 * 1024, ' ') << QStringLiteral("too large");
}

void TestEchConfigCache::ignoresCorruptOrForeignCacheFile()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, warning);
    QVERIFY(QDir().mkpath(QFileInfo(m_cacheFile).absolutePath()));
    QFile file(m_cacheFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    // The URL placeholder becomes this server's address, so only the intended field is wrong.
    file.write(QByteArray(contents).replace("%1", QByteArray::number(m_server->serverPort())));
    file.close();

    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(QStringLiteral("^ignoring the ECH config cache .*") +
                                            QRegularExpression::escape(warning)));
    auto echConfig = provider();
    QVERIFY(!echConfig->current());
    const auto result = get(*echConfig);
    QVERIFY(result);
    QCOMPARE(std::get<QByteArray>(*result), kDnsConfig);
    QCOMPARE(m_server->requests.size(), 1);
    QCOMPARE(readJson(m_cacheFile).value(u"echConfigList").toString(),
             QString::fromLatin1(kDnsConfig.toBase64()));
}

void TestEchConfigCache::retryConfigsArePersistedAndReloaded()
{
    auto echConfig = provider();
    QSignalSpy changed(echConfig.get(), &EchConfigProvider::configChanged);
    echConfig->replaceWithRetryConfigs(kRetryConfig);
    QCOMPARE(changed.size(), 1);
    const auto result = get(*echConfig);
    QVERIFY(result);
    QCOMPARE(std::get<QByteArray>(*result), kRetryConfig);
    QCOMPARE(m_server->requests.size(), 0);
    QCOMPARE(echConfig->current()->fetchedAt.secsTo(echConfig->current()->expiresAt), 3600);
    QCOMPARE(QFile::permissions(m_cacheFile) & ~(QFile::ReadUser | QFile::WriteUser),
             QFile::ReadOwner | QFile::WriteOwner);
    echConfig.reset();

    auto restarted = provider(downUrl());
    const auto reloaded = get(*restarted);
    QVERIFY(reloaded);
    QCOMPARE(std::get<QByteArray>(*reloaded), kRetryConfig);

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^ignoring the retry")));
    restarted->replaceWithRetryConfigs(QByteArrayLiteral("\x00\x05junk"));
    QCOMPARE(restarted->current()->echConfigList, kRetryConfig);
}

void TestEchConfigCache::retryConfigsWinOverQueryInFlight()
{
    auto echConfig = provider();
    std::optional<EchConfigSource::Result> result;
    QObject context;
    echConfig->get(&context, [&result](EchConfigSource::Result r) { result = std::move(r); });
    echConfig->replaceWithRetryConfigs(kRetryConfig);
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QCOMPARE(std::get<QByteArray>(*result), kRetryConfig);
    QCOMPARE(m_server->requests.size(), 1);
    QCOMPARE(echConfig->current()->echConfigList, kRetryConfig);
    QCOMPARE(readJson(m_cacheFile).value(u"echConfigList").toString(),
             QString::fromLatin1(kRetryConfig.toBase64()));
}

void TestEchConfigCache::invalidateForgetsTheValueAndAsksAgain()
{
    auto echConfig = provider();
    QVERIFY(get(*echConfig));
    QCOMPARE(m_server->requests.size(), 1);
    QSignalSpy changed(echConfig.get(), &EchConfigProvider::configChanged);
    echConfig->invalidate();
    QCOMPARE(changed.size(), 1);
    QVERIFY(!echConfig->current());
    QVERIFY(!QFile::exists(m_cacheFile));

    const auto result = get(*echConfig);
    QVERIFY(result);
    QCOMPARE(std::get<QByteArray>(*result), kDnsConfig);
    QCOMPARE(m_server->requests.size(), 2);
}

void TestEchConfigCache::destroyingTheProviderCancelsItsQuery()
{
    m_server->behaviour = DohTestServer::Behaviour::Silent;
    auto echConfig = provider();
    bool called = false;
    QObject context;
    echConfig->get(&context, [&called](EchConfigSource::Result) { called = true; });
    QTRY_COMPARE_WITH_TIMEOUT(m_server->requests.size(), 1, 10000);
    echConfig.reset();
    QTRY_VERIFY_WITH_TIMEOUT(m_server->findChildren<QSslSocket*>().isEmpty(), 10000);
    QVERIFY(!called);
}

QTEST_GUILESS_MAIN(TestEchConfigCache)
#include "tst_echconfigcache.moc"
