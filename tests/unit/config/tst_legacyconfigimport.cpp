#include "config/LegacyConfigImport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using echw::AppSettings;
using echw::LegacyImport;
using echw::RoutingMode;
using echw::ServerProfile;

namespace {

const QString kToken = QStringLiteral("legacy-s3cr3t");
const QString kDefaultId = QStringLiteral("7f9c2ba4-e88f-4d2a-9a1b-5a6c3e1d2f00");
const QString kSecondId = QStringLiteral("0b8d7c6e-1234-4abc-8def-0123456789ab");

QJsonObject entry(std::initializer_list<std::pair<const char*, QJsonValue>> fields)
{
    QJsonObject object;
    for (const auto& [key, value] : fields)
        object.insert(QLatin1StringView(key), value);
    return object;
}

// The reference GUI's format (protocol.md section 7): two good servers, one
// whose address has a scheme, one whose token is the wrong type. Built as JSON
// objects: moc cannot read a raw string literal holding this much JSON.
QByteArray sampleConfig()
{
    const QJsonArray servers{
        entry({{"id", kDefaultId},
               {"name", QStringLiteral("默认服务器")},
               {"server", QStringLiteral("example.com:443")},
               {"listen", QStringLiteral("127.0.0.1:30000")},
               {"token", QString()},
               {"ip", QStringLiteral("saas.sin.fan")},
               {"dns", QStringLiteral("dns.alidns.com/dns-query")},
               {"ech", QStringLiteral("cloudflare-ech.com")},
               {"routing_mode", QStringLiteral("global")}}),
        entry({{"id", kSecondId},
               {"name", QStringLiteral("Tokyo")},
               {"server", QStringLiteral("tokyo.example:8443/ws")},
               {"listen", QStringLiteral("0.0.0.0:30001")},
               {"token", kToken},
               {"ip", QString()},
               {"dns", QStringLiteral("https://doh.example/dns-query")},
               {"ech", QStringLiteral("ech.example")},
               {"routing_mode", QStringLiteral("none")}}),
        entry({{"id", QStringLiteral("c1d2e3f4-0000-4000-8000-000000000001")},
               {"name", QStringLiteral("Broken")},
               {"server", QStringLiteral("https://broken.example")},
               {"token", kToken}}),
        entry({{"name", QStringLiteral("BadToken")},
               {"server", QStringLiteral("x.example:443")},
               {"token", 12345}}),
    };
    const QJsonObject root = entry({{"servers", servers}, {"current_server_id", kSecondId}});
    return QJsonDocument(root).toJson();
}

} // namespace

class TestLegacyConfigImport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void importsValidServersAndReportsBadOnes();
    void neverQuotesTheToken();
    void mergesIntoFreshSettings();
    void mergingTwiceAddsNothing();
    void keepsExistingGlobalsAndSelection();
    void fallsBackWhenCurrentIsMissing();
    void reportsUnusableFiles_data();
    void reportsUnusableFiles();
    void readsAFile();
    void listsThePlatformPath();
};

void TestLegacyConfigImport::importsValidServersAndReportsBadOnes()
{
    LegacyImport result = echw::importLegacyConfig(sampleConfig());
    QCOMPARE(result.servers.size(), 2);

    const ServerProfile& first = result.servers[0];
    QCOMPARE(first.id, kDefaultId);
    QCOMPARE(first.name, QStringLiteral("默认服务器"));
    QCOMPARE(first.address, QStringLiteral("example.com:443"));
    QCOMPARE(first.preferredIp, QStringLiteral("saas.sin.fan"));
    QCOMPARE(first.dohServer, QStringLiteral("dns.alidns.com/dns-query"));
    QCOMPARE(first.echDomain, QStringLiteral("cloudflare-ech.com"));
    QVERIFY(first.token.isEmpty());
    QCOMPARE(first.connectionLimit, 1000);

    const ServerProfile& second = result.servers[1];
    QCOMPARE(second.id, kSecondId);
    QCOMPARE(second.address, QStringLiteral("tokyo.example:8443/ws"));
    QCOMPARE(second.token, kToken);
    QCOMPARE(second.dohServer, QStringLiteral("https://doh.example/dns-query"));

    // current_server_id selects the server and supplies the global values.
    QCOMPARE(result.activeServerId, kSecondId);
    // The reference GUI shared the proxy on the network without a password; the import keeps
    // it on this machine and says so.
    QCOMPARE(result.listen, std::optional(QStringLiteral("127.0.0.1:30001")));
    QCOMPARE(result.routing, RoutingMode::None);

    QCOMPARE(result.problems.size(), 3);
    QVERIFY(std::any_of(result.problems.begin(), result.problems.end(), [](const QString& p) {
        return p.contains(QStringLiteral("\"0.0.0.0:30001\" would share the proxy")) &&
               p.contains(QStringLiteral("imported as 127.0.0.1:30001"));
    }));
    result.problems.removeIf(
        [](const QString& p) { return p.contains(QStringLiteral("would share the proxy")); });
    QVERIFY2(result.problems[0].contains(QStringLiteral("\"Broken\"")) &&
                 result.problems[0].contains(QStringLiteral("scheme")),
             qPrintable(result.problems[0]));
    QVERIFY2(result.problems[1].contains(QStringLiteral("\"BadToken\"")) &&
                 result.problems[1].contains(QStringLiteral("\"token\"")),
             qPrintable(result.problems[1]));
}

void TestLegacyConfigImport::neverQuotesTheToken()
{
    QByteArray config = sampleConfig();
    // Make the token itself invalid too, so its check fires.
    config.replace(kToken.toUtf8(), QByteArrayLiteral("legacy s3cr3t"));
    const LegacyImport result = echw::importLegacyConfig(config);
    QVERIFY(!result.problems.isEmpty());
    for (const QString& problem : result.problems)
        QVERIFY2(!problem.contains(QStringLiteral("s3cr3t")), qPrintable(problem));
}

void TestLegacyConfigImport::mergesIntoFreshSettings()
{
    AppSettings settings;
    echw::importLegacyConfig(sampleConfig()).mergeInto(settings);
    QCOMPARE(settings.servers.size(), 2);
    QCOMPARE(settings.activeServerId, kSecondId);
    QCOMPARE(settings.listen, QStringLiteral("127.0.0.1:30001"));
    QCOMPARE(settings.routing, RoutingMode::None);
    QCOMPARE(settings.validate(), QList<echw::SettingsIssue>());
}

void TestLegacyConfigImport::mergingTwiceAddsNothing()
{
    AppSettings settings;
    const LegacyImport result = echw::importLegacyConfig(sampleConfig());
    result.mergeInto(settings);
    const AppSettings once = settings;
    result.mergeInto(settings);
    QCOMPARE(settings, once);
}

void TestLegacyConfigImport::keepsExistingGlobalsAndSelection()
{
    AppSettings settings;
    ServerProfile own;
    own.id = ServerProfile::newId();
    own.name = QStringLiteral("Mine");
    own.address = QStringLiteral("mine.example:443");
    settings.servers = {own};
    settings.activeServerId = own.id;

    echw::importLegacyConfig(sampleConfig()).mergeInto(settings);
    QCOMPARE(settings.servers.size(), 3);
    QCOMPARE(settings.activeServerId, own.id);
    QCOMPARE(settings.listen, AppSettings().listen);
    QCOMPARE(settings.routing, RoutingMode::BypassCn);
}

void TestLegacyConfigImport::fallsBackWhenCurrentIsMissing()
{
    QByteArray config = sampleConfig();
    config.replace(QByteArrayLiteral("\"current_server_id\": \"") + kSecondId.toUtf8(),
                   QByteArrayLiteral("\"current_server_id\": \"gone"));
    const LegacyImport result = echw::importLegacyConfig(config);
    QVERIFY(result.activeServerId.isEmpty());
    QCOMPARE(result.listen, QStringLiteral("127.0.0.1:30000"));
    QCOMPARE(result.routing, RoutingMode::Global);

    AppSettings settings;
    result.mergeInto(settings);
    QCOMPARE(settings.activeServerId, kDefaultId);
}

void TestLegacyConfigImport::reportsUnusableFiles_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("not json") << QByteArray("servers = []");
    QTest::newRow("array") << QByteArray("[]");
    QTest::newRow("no servers") << QByteArray("{\"current_server_id\": \"x\"}");
    QTest::newRow("servers object") << QByteArray("{\"servers\": {}}");
}

void TestLegacyConfigImport::reportsUnusableFiles()
{
    QFETCH(QByteArray, bytes);
    const LegacyImport result = echw::importLegacyConfig(bytes);
    QVERIFY(result.servers.isEmpty());
    QCOMPARE(result.problems.size(), 1);
}

void TestLegacyConfigImport::readsAFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("config.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(sampleConfig());
    file.close();
    QCOMPARE(echw::importLegacyConfigFile(path).servers.size(), 2);

    const LegacyImport missing = echw::importLegacyConfigFile(dir.filePath(QStringLiteral("no")));
    QVERIFY(missing.servers.isEmpty());
    QCOMPARE(missing.problems.size(), 1);
}

void TestLegacyConfigImport::listsThePlatformPath()
{
    const QStringList candidates = echw::legacyConfigCandidates();
#if defined(Q_OS_WIN)
    QCOMPARE(candidates, QStringList{QDir::fromNativeSeparators(qEnvironmentVariable("APPDATA")) +
                                     QStringLiteral("/ECHWorkersClient/config.json")});
#elif defined(Q_OS_MACOS)
    QCOMPARE(
        candidates,
        QStringList{QDir::homePath() +
                    QStringLiteral("/Library/Application Support/ECHWorkersClient/config.json")});
#else
    QCOMPARE(candidates, QStringList{QDir::homePath() +
                                     QStringLiteral("/.config/ECHWorkersClient/config.json")});
#endif
}

QTEST_GUILESS_MAIN(TestLegacyConfigImport)
#include "tst_legacyconfigimport.moc"
