#include "config/AppSettings.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using echw::AppSettings;
using echw::Problem;
using echw::ProxySettings;
using echw::RoutingMode;
using echw::ServerProfile;
using echw::SettingsIssue;

namespace {

const QString kToken = QStringLiteral("s3cr3t-T0ken");

ServerProfile validServer(const QString& name = QStringLiteral("Tokyo"))
{
    ServerProfile server;
    server.id = ServerProfile::newId();
    server.name = name;
    server.address = QStringLiteral("w.example:443/ws");
    server.token = kToken;
    return server;
}

AppSettings validSettings()
{
    AppSettings settings;
    settings.servers = {validServer(), validServer(QStringLiteral("默认服务器"))};
    settings.activeServerId = settings.servers[1].id;
    return settings;
}

QStringList fieldsOf(const QList<SettingsIssue>& issues)
{
    QStringList fields;
    for (const SettingsIssue& issue : issues)
        fields.append(issue.field());
    return fields;
}

} // namespace

class TestAppSettings : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void hasDefaults();
    void defaultsAreValid();
    void reportsEachBadField_data();
    void reportsEachBadField();
    void checksTheActiveServerAndIds();
    void checksTheRulesInTheRulesFile();
    void allowsDuplicateNames();
    void skipsEchFieldsWithoutEch();
    void neverQuotesTheToken();
    void reportsCredentialProblems_data();
    void reportsCredentialProblems();
    void convertsTheActiveServer();
    void refusesToConvertWithoutActiveServer();
    void convertsRoutingNoneWithoutAServer();
    void roundTripsThroughJson();
    void ignoresUnknownKeysAndKeepsDefaults();
    void rejectsWrongTypesNamingTheKey_data();
    void rejectsWrongTypesNamingTheKey();
};

void TestAppSettings::hasDefaults()
{
    const AppSettings settings;
    QVERIFY(settings.servers.isEmpty());
    QVERIFY(settings.activeServerId.isEmpty());
    QCOMPARE(settings.listen, QStringLiteral("127.0.0.1:30000"));
    QCOMPARE(settings.routing, RoutingMode::BypassCn);
    QVERIFY(!settings.startMinimized);
    QVERIFY(settings.language.isEmpty());
    QVERIFY(settings.authUser.isEmpty());
    QVERIFY(settings.authPassword.isEmpty());
    QVERIFY(!settings.allowLanWithoutAuth);

    const ServerProfile server;
    QCOMPARE(server.connectionLimit, 1000);
    QCOMPARE(server.warmPoolSize, 0);
    QCOMPARE(server.dohServer, QStringLiteral("dns.alidns.com/dns-query"));
    QCOMPARE(server.echDomain, QStringLiteral("cloudflare-ech.com"));
    QVERIFY(!server.withoutEch);
    QVERIFY(ServerProfile::newId() != ServerProfile::newId());
    QVERIFY(!ServerProfile::newId().startsWith(u'{'));
}

void TestAppSettings::defaultsAreValid()
{
    QCOMPARE(AppSettings().validate(), QList<SettingsIssue>());
    QCOMPARE(validSettings().validate(), QList<SettingsIssue>());
}

void TestAppSettings::reportsEachBadField_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("messagePart");

    QTest::newRow("empty address") << "address"
                                   << ""
                                   << "empty";
    QTest::newRow("address with scheme") << "address"
                                         << "https://w.example/ws"
                                         << "scheme";
    QTest::newRow("address bad port") << "address"
                                      << "w.example:99999"
                                      << "valid host and port";
    QTest::newRow("bad preferred ip") << "preferredIp"
                                      << "bad host!"
                                      << "neither";
    QTest::newRow("http doh") << "dohServer"
                              << "http://doh.example/dns-query"
                              << "https://";
    QTest::newRow("empty doh") << "dohServer"
                               << ""
                               << "empty";
    QTest::newRow("ech domain is ip") << "echDomain"
                                      << "192.0.2.1"
                                      << "not a domain";
    QTest::newRow("ech domain garbage") << "echDomain"
                                        << "a b"
                                        << "not a domain";
    QTest::newRow("empty name") << "name"
                                << "  "
                                << "name";
    QTest::newRow("bad id") << "id"
                            << "not-a-uuid"
                            << "UUID";
    QTest::newRow("token with space") << "token"
                                      << "a b"
                                      << "no spaces";
    QTest::newRow("missing ca file") << "caFile"
                                     << "/nonexistent/ca.pem"
                                     << "does not exist";
    QTest::newRow("zero connections") << "connectionLimit"
                                      << "0"
                                      << "between 1 and";
    QTest::newRow("negative warm pool") << "warmPoolSize"
                                        << "-1"
                                        << "between 0 and";
    QTest::newRow("warm pool over limit") << "warmPoolSize"
                                          << "65"
                                          << "between 0 and";
    QTest::newRow("bad listen") << "listen"
                                << "127.0.0.1"
                                << "host:port";
    QTest::newRow("listen not ip") << "listen"
                                   << "example.com:1080"
                                   << "IP address";
    QTest::newRow("missing lists") << "listDirectory"
                                   << "/nonexistent/lists"
                                   << "does not exist";
    QTest::newRow("missing rules") << "rulesFile"
                                   << "/nonexistent/rules.txt"
                                   << "does not exist";
    QTest::newRow("bad language") << "language"
                                  << "xx-nonsense"
                                  << "language code";
}

void TestAppSettings::reportsEachBadField()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, messagePart);

    AppSettings settings = validSettings();
    ServerProfile& server = settings.servers[0];
    QString expectedPath = QStringLiteral("servers[0].") + field;
    if (field == QStringLiteral("address"))
        server.address = value;
    else if (field == QStringLiteral("preferredIp"))
        server.preferredIp = value;
    else if (field == QStringLiteral("dohServer"))
        server.dohServer = value;
    else if (field == QStringLiteral("echDomain"))
        server.echDomain = value;
    else if (field == QStringLiteral("name"))
        server.name = value;
    else if (field == QStringLiteral("id"))
        server.id = value;
    else if (field == QStringLiteral("token"))
        server.token = value;
    else if (field == QStringLiteral("caFile"))
        server.caFile = value;
    else if (field == QStringLiteral("connectionLimit"))
        server.connectionLimit = value.toInt();
    else if (field == QStringLiteral("warmPoolSize"))
        server.warmPoolSize = value.toInt();
    else {
        expectedPath = field;
        if (field == QStringLiteral("listen"))
            settings.listen = value;
        else if (field == QStringLiteral("listDirectory"))
            settings.listDirectory = value;
        else if (field == QStringLiteral("rulesFile"))
            settings.rulesFile = value;
        else if (field == QStringLiteral("language"))
            settings.language = value;
        else
            QFAIL("unknown field in the table");
    }

    const QList<SettingsIssue> issues = settings.validate();
    QCOMPARE(fieldsOf(issues), QStringList{expectedPath});
    QVERIFY2(issues[0].message().contains(messagePart, Qt::CaseInsensitive),
             qPrintable(issues[0].message()));
}

void TestAppSettings::checksTheRulesInTheRulesFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("rules.txt"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("suffix:example.com direct\nsuffix:exa mple.com tunnel\n");
    file.close();

    AppSettings settings = validSettings();
    settings.rulesFile = path;
    // The file exists, but the engine could not start with it: the issue names the line.
    const QList<SettingsIssue> issues = settings.validate();
    QCOMPARE(fieldsOf(issues), QStringList{QStringLiteral("rulesFile")});
    QVERIFY2(issues[0].message().contains(QStringLiteral("line 2")),
             qPrintable(issues[0].message()));

    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("suffix:example.com direct\n# a comment\n");
    file.close();
    QVERIFY(settings.validate().isEmpty());
}

void TestAppSettings::checksTheActiveServerAndIds()
{
    AppSettings settings = validSettings();
    settings.activeServerId = ServerProfile::newId();
    QCOMPARE(fieldsOf(settings.validate()), QStringList{QStringLiteral("activeServerId")});
    settings.activeServerId.clear();
    QCOMPARE(fieldsOf(settings.validate()), QStringList{QStringLiteral("activeServerId")});

    settings = validSettings();
    settings.servers[1].id = settings.servers[0].id;
    settings.activeServerId = settings.servers[0].id;
    QCOMPARE(fieldsOf(settings.validate()), QStringList{QStringLiteral("servers[1].id")});

    AppSettings empty;
    empty.activeServerId = ServerProfile::newId();
    QCOMPARE(fieldsOf(empty.validate()), QStringList{QStringLiteral("activeServerId")});
}

void TestAppSettings::allowsDuplicateNames()
{
    // Servers are told apart by id; the reference GUI allowed repeated names.
    AppSettings settings = validSettings();
    settings.servers[1].name = settings.servers[0].name;
    QCOMPARE(settings.validate(), QList<SettingsIssue>());
}

void TestAppSettings::skipsEchFieldsWithoutEch()
{
    AppSettings settings = validSettings();
    settings.servers[0].withoutEch = true;
    settings.servers[0].dohServer.clear();
    settings.servers[0].echDomain.clear();
    QCOMPARE(settings.validate(), QList<SettingsIssue>());
    // A value that is there is still checked.
    settings.servers[0].echDomain = QStringLiteral("192.0.2.1");
    QCOMPARE(fieldsOf(settings.validate()), QStringList{QStringLiteral("servers[0].echDomain")});
}

void TestAppSettings::neverQuotesTheToken()
{
    AppSettings settings = validSettings();
    ServerProfile& server = settings.servers[0];
    server.token = QStringLiteral("secret token with spaces");
    server.address = QStringLiteral("bad address");
    server.dohServer = QStringLiteral("http://x");
    server.echDomain = QStringLiteral("1.2.3.4");
    server.connectionLimit = 0;
    const QList<SettingsIssue> issues = settings.validate();
    QVERIFY(issues.size() >= 5);
    for (const SettingsIssue& issue : issues) {
        QVERIFY2(!issue.message().contains(QStringLiteral("secret")), qPrintable(issue.message()));
        QVERIFY(!issue.field().contains(QStringLiteral("secret")));
    }

    QJsonObject json = settings.toJson();
    QJsonArray servers = json.value(QStringLiteral("servers")).toArray();
    QJsonObject first = servers[0].toObject();
    first.insert(QStringLiteral("connectionLimit"), kToken);
    servers[0] = first;
    json.insert(QStringLiteral("servers"), servers);
    const auto parsed = AppSettings::fromJson(json);
    QVERIFY(std::holds_alternative<QString>(parsed));
    QVERIFY(!std::get<QString>(parsed).contains(kToken));
}

void TestAppSettings::reportsCredentialProblems_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("user without password") << "alice"
                                           << ""
                                           << "authPassword"
                                           << "both";
    QTest::newRow("password without user") << ""
                                           << "s3cret"
                                           << "authUser"
                                           << "both";
    QTest::newRow("user over 255 bytes") << QString(128, u'é') << "s3cret"
                                         << "authUser"
                                         << "255 bytes";
    QTest::newRow("password over 255 bytes")
        << "alice" << QStringLiteral("s3cret") + QString(250, u'x') << "authPassword"
        << "255 bytes";
    QTest::newRow("control character in user") << "ali\nce"
                                               << "s3cret"
                                               << "authUser"
                                               << "control";
    QTest::newRow("control character in password") << "alice"
                                                   << "s3cret\x7f"
                                                   << "authPassword"
                                                   << "control";
    QTest::newRow("colon in user") << "al:ice"
                                   << "s3cret"
                                   << "authUser"
                                   << "':'";
}

void TestAppSettings::reportsCredentialProblems()
{
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(QString, field);
    QFETCH(QString, messagePart);
    AppSettings settings = validSettings();
    settings.authUser = user;
    settings.authPassword = password;
    const QList<SettingsIssue> issues = settings.validate();
    QCOMPARE(fieldsOf(issues), QStringList{field});
    QVERIFY2(issues[0].message().contains(messagePart), qPrintable(issues[0].message()));
    QVERIFY2(!issues[0].message().contains(QStringLiteral("s3cret")),
             qPrintable(issues[0].message()));

    // The longest credentials RFC 1929 allows, and a LAN listen address with them, are fine.
    settings.authUser = QString(255, u'u');
    settings.authPassword = QString(255, u'p');
    settings.listen = QStringLiteral("0.0.0.0:30001");
    QCOMPARE(settings.validate(), QList<SettingsIssue>());
}

void TestAppSettings::convertsTheActiveServer()
{
    AppSettings settings = validSettings();
    ServerProfile& active = settings.servers[1];
    active.address = QStringLiteral("active.example:8443/path");
    active.preferredIp = QStringLiteral("198.51.100.7");
    active.dohServer = QStringLiteral("https://doh.example/dns-query");
    active.echDomain = QStringLiteral("ech.example");
    active.caFile = QStringLiteral("/etc/ca.pem");
    active.withoutEch = true;
    active.warmPoolSize = 8;
    settings.listen = QStringLiteral("0.0.0.0:30001");
    settings.routing = RoutingMode::None;
    settings.listDirectory = QStringLiteral("/lists");
    settings.rulesFile = QStringLiteral("/rules.txt");
    settings.authUser = QStringLiteral("alice");
    settings.authPassword = QStringLiteral("s3cret");
    settings.allowLanWithoutAuth = true;

    const auto converted = settings.toProxySettings();
    QVERIFY(std::holds_alternative<ProxySettings>(converted));
    const ProxySettings& proxy = std::get<ProxySettings>(converted);
    QCOMPARE(proxy.listen, QStringLiteral("0.0.0.0:30001"));
    QCOMPARE(proxy.routing, RoutingMode::None);
    QCOMPARE(proxy.listDirectory, QStringLiteral("/lists"));
    QCOMPARE(proxy.rulesFile, QStringLiteral("/rules.txt"));
    QCOMPARE(proxy.authUser, QStringLiteral("alice"));
    QCOMPARE(proxy.authPassword, QStringLiteral("s3cret"));
    QVERIFY(proxy.allowLanWithoutAuth);
    QCOMPARE(proxy.server.address, QStringLiteral("active.example:8443/path"));
    QCOMPARE(proxy.server.preferredIp, QStringLiteral("198.51.100.7"));
    QCOMPARE(proxy.server.token, kToken);
    QCOMPARE(proxy.server.dohServer, QStringLiteral("https://doh.example/dns-query"));
    QCOMPARE(proxy.server.echDomain, QStringLiteral("ech.example"));
    QCOMPARE(proxy.server.caFile, QStringLiteral("/etc/ca.pem"));
    QVERIFY(proxy.server.withoutEch);
    QCOMPARE(proxy.warmPoolSize, 8);
}

void TestAppSettings::refusesToConvertWithoutActiveServer()
{
    QVERIFY(std::holds_alternative<Problem>(AppSettings().toProxySettings()));
    AppSettings settings = validSettings();
    settings.activeServerId = ServerProfile::newId();
    QVERIFY(std::holds_alternative<Problem>(settings.toProxySettings()));
}

void TestAppSettings::convertsRoutingNoneWithoutAServer()
{
    AppSettings settings;
    settings.routing = RoutingMode::None;
    const auto converted = settings.toProxySettings();
    QVERIFY(std::holds_alternative<ProxySettings>(converted));
    QCOMPARE(std::get<ProxySettings>(converted).routing, RoutingMode::None);
    QVERIFY(std::get<ProxySettings>(converted).server.address.isEmpty());
}

void TestAppSettings::roundTripsThroughJson()
{
    AppSettings settings = validSettings();
    settings.servers[0].preferredIp = QStringLiteral("saas.sin.fan");
    settings.servers[0].withoutEch = true;
    settings.servers[0].caFile = QStringLiteral("/etc/ca.pem");
    settings.servers[0].connectionLimit = 250;
    settings.servers[0].warmPoolSize = 4;
    settings.listen = QStringLiteral("[::1]:1080");
    settings.routing = RoutingMode::Global;
    settings.listDirectory = QStringLiteral("/lists");
    settings.rulesFile = QStringLiteral("/rules.txt");
    settings.startMinimized = true;
    settings.language = QStringLiteral("zh_CN");
    settings.authUser = QStringLiteral("jürgen");
    settings.authPassword = QStringLiteral("pa:ss word");
    settings.allowLanWithoutAuth = true;

    const QJsonObject json = settings.toJson();
    QCOMPARE(json.value(QStringLiteral("version")).toInt(), AppSettings::kSchemaVersion);
    const auto parsed = AppSettings::fromJson(json);
    QVERIFY(std::holds_alternative<AppSettings>(parsed));
    QCOMPARE(std::get<AppSettings>(parsed), settings);
    QVERIFY(std::get<AppSettings>(parsed) != AppSettings());
}

void TestAppSettings::ignoresUnknownKeysAndKeepsDefaults()
{
    const QJsonObject json{{QStringLiteral("version"), 1},
                           {QStringLiteral("futureKey"), QJsonArray{1, 2}},
                           {QStringLiteral("servers"),
                            QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("a")},
                                                   {QStringLiteral("extra"), true}}}}};
    const auto parsed = AppSettings::fromJson(json);
    QVERIFY(std::holds_alternative<AppSettings>(parsed));
    const AppSettings& settings = std::get<AppSettings>(parsed);
    QCOMPARE(settings.listen, AppSettings().listen);
    QCOMPARE(settings.routing, RoutingMode::BypassCn);
    QCOMPARE(settings.servers.size(), 1);
    QCOMPARE(settings.servers[0].name, QStringLiteral("a"));
    QCOMPARE(settings.servers[0].connectionLimit, 1000);
    // Files from before authentication existed have no credentials and no LAN switch.
    QVERIFY(settings.authUser.isEmpty());
    QVERIFY(settings.authPassword.isEmpty());
    QVERIFY(!settings.allowLanWithoutAuth);
}

void TestAppSettings::rejectsWrongTypesNamingTheKey_data()
{
    QTest::addColumn<QJsonObject>("json");
    QTest::addColumn<QString>("key");

    const auto withVersion = [](QJsonObject object) {
        object.insert(QStringLiteral("version"), 1);
        return object;
    };
    const auto withServer = [&](const QString& key, const QJsonValue& value) {
        return withVersion({{QStringLiteral("servers"), QJsonArray{QJsonObject{{key, value}}}}});
    };
    QTest::newRow("no version") << QJsonObject() << "version";
    QTest::newRow("version string")
        << QJsonObject{{QStringLiteral("version"), QStringLiteral("1")}} << "version";
    QTest::newRow("newer version") << QJsonObject{{QStringLiteral("version"), 99}} << "version";
    QTest::newRow("listen number") << withVersion({{QStringLiteral("listen"), 30000}}) << "listen";
    QTest::newRow("servers object")
        << withVersion({{QStringLiteral("servers"), QJsonObject()}}) << "servers";
    QTest::newRow("server not object")
        << withVersion({{QStringLiteral("servers"), QJsonArray{1}}}) << "servers[0]";
    QTest::newRow("startMinimized string")
        << withVersion({{QStringLiteral("startMinimized"), QStringLiteral("yes")}})
        << "startMinimized";
    QTest::newRow("authUser number")
        << withVersion({{QStringLiteral("authUser"), 1}}) << "authUser";
    QTest::newRow("authPassword null")
        << withVersion({{QStringLiteral("authPassword"), QJsonValue()}}) << "authPassword";
    QTest::newRow("allowLanWithoutAuth string")
        << withVersion({{QStringLiteral("allowLanWithoutAuth"), QStringLiteral("true")}})
        << "allowLanWithoutAuth";
    QTest::newRow("unknown routing")
        << withVersion({{QStringLiteral("routingMode"), QStringLiteral("smart")}}) << "routingMode";
    QTest::newRow("address number")
        << withServer(QStringLiteral("address"), 443) << "servers[0].address";
    QTest::newRow("withoutEch string")
        << withServer(QStringLiteral("withoutEch"), QStringLiteral("1")) << "servers[0].withoutEch";
    QTest::newRow("limit fraction")
        << withServer(QStringLiteral("connectionLimit"), 1.5) << "servers[0].connectionLimit";
    QTest::newRow("limit huge") << withServer(QStringLiteral("connectionLimit"), 1e12)
                                << "servers[0].connectionLimit";
    QTest::newRow("token null") << withServer(QStringLiteral("token"), QJsonValue())
                                << "servers[0].token";
}

void TestAppSettings::rejectsWrongTypesNamingTheKey()
{
    QFETCH(QJsonObject, json);
    QFETCH(QString, key);
    const auto parsed = AppSettings::fromJson(json);
    QVERIFY(std::holds_alternative<QString>(parsed));
    const QString error = std::get<QString>(parsed);
    QVERIFY2(error.contains(u'"' + key + u'"'), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestAppSettings)
#include "tst_appsettings.moc"
