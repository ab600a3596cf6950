#include "TestFiles.h"
#include "config/CommandLine.h"

#include <QTemporaryDir>
#include <QTest>

using echw::CommandLine;
using echw::RoutingMode;

namespace {

QString writeSecret(const QTemporaryDir& dir, const QString& name, const QByteArray& content,
                    mode_t mode = 0600)
{
    return echw::test::writeFileWithMode(dir.filePath(name), content, mode);
}

CommandLine parseWith(const QStringList& arguments, const QProcessEnvironment& environment)
{
    return CommandLine::parse(
        QStringList{QStringLiteral("-f"), QStringLiteral("a.b:1")} + arguments, environment);
}

} // namespace

class TestCommandLine : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void appliesReferenceDefaults();
    void acceptsEveryReferenceFlag();
    void acceptsRoutingAndUdpFlags();
    void acceptsEqualsFormAndDoubleDash();
    void treatsBareBooleanAsTrue();
    void rejectsBadValuesNamingTheFlag_data();
    void rejectsBadValuesNamingTheFlag();
    void neverQuotesTheTokenInErrors();
    void splitsAuthAtTheFirstColon();
    void servesMetricsOnlyWhenAsked();
    void takesTheEngineThreadCount();
    void acceptsAllowLan();
    void rejectsBadAuthWithoutQuotingIt_data();
    void rejectsBadAuthWithoutQuotingIt();
    void readsTokenAndAuthFromFiles();
    void refusesASecretGivenByTwoFlags_data();
    void refusesASecretGivenByTwoFlags();
    void refusesASecretFileOtherUsersCanRead();
    void takesSecretsFromTheEnvironmentWhenNoFlagGivesThem();
    void checksSecretsFromFilesAndTheEnvironmentLikeFlags();
    void recognisesHelpAndVersion();
    void helpListsEveryReferenceFlag();
};

void TestCommandLine::appliesReferenceDefaults()
{
    const auto result = CommandLine::parse({QStringLiteral("-f"), QStringLiteral("w.example:443")});
    QCOMPARE(result.action, CommandLine::Action::Run);
    QCOMPARE(result.settings.listen, QStringLiteral("127.0.0.1:30000"));
    QCOMPARE(result.settings.server.dohServer, QStringLiteral("dns.alidns.com/dns-query"));
    QCOMPARE(result.settings.server.echDomain, QStringLiteral("cloudflare-ech.com"));
    QCOMPARE(result.settings.routing, RoutingMode::Global);
    QVERIFY(result.settings.server.token.isEmpty());
    QVERIFY(!result.settings.server.withoutEch);
    QCOMPARE(result.settings.warmPoolSize, 0); // drop-in: no warm pool unless asked
}

void TestCommandLine::acceptsEveryReferenceFlag()
{
    const auto result = CommandLine::parse(
        QStringLiteral("-l 0.0.0.0:30001 -f w.example:8443/ws -ip 198.51.100.7 -token secret "
                       "-dns https://doh.example/dns-query -ech ech.example -routing bypass_cn")
            .split(u' '));
    QCOMPARE(result.action, CommandLine::Action::Run);
    QCOMPARE(result.settings.listen, QStringLiteral("0.0.0.0:30001"));
    QCOMPARE(result.settings.server.address, QStringLiteral("w.example:8443/ws"));
    QCOMPARE(result.settings.server.preferredIp, QStringLiteral("198.51.100.7"));
    QCOMPARE(result.settings.server.token, QStringLiteral("secret"));
    QCOMPARE(result.settings.server.dohServer, QStringLiteral("https://doh.example/dns-query"));
    QCOMPARE(result.settings.server.echDomain, QStringLiteral("ech.example"));
    QCOMPARE(result.settings.routing, RoutingMode::BypassCn);
}

void TestCommandLine::acceptsRoutingAndUdpFlags()
{
    const auto result = CommandLine::parse(
        QStringLiteral("-f w.example:443 -routing bypass_cn -lists /tmp/l -rules /tmp/r.txt "
                       "-resolver https://doh.example/dns-query -cache-size 500 "
                       "-udp-dns https://dns.example/dns-query")
            .split(u' '));
    QCOMPARE(result.action, CommandLine::Action::Run);
    QCOMPARE(result.settings.listDirectory, QStringLiteral("/tmp/l"));
    QCOMPARE(result.settings.rulesFile, QStringLiteral("/tmp/r.txt"));
    QCOMPARE(result.settings.resolver, QStringLiteral("https://doh.example/dns-query"));
    QCOMPARE(result.settings.routeCacheSize, qsizetype(500));
    QCOMPARE(result.settings.udpDnsServer, QStringLiteral("https://dns.example/dns-query"));
    QCOMPARE(CommandLine::parse(QStringLiteral("-f w.example:443 -pool 16").split(u' '))
                 .settings.warmPoolSize,
             16);
    // A list update needs no server.
    QVERIFY(CommandLine::parse({QStringLiteral("-update-lists")}).updateLists);
    QCOMPARE(CommandLine::parse({QStringLiteral("-update-lists")}).action,
             CommandLine::Action::Run);
}

void TestCommandLine::acceptsEqualsFormAndDoubleDash()
{
    const auto result =
        CommandLine::parse({QStringLiteral("--f=w.example:443"), QStringLiteral("-routing=none")});
    QCOMPARE(result.action, CommandLine::Action::Run);
    QCOMPARE(result.settings.server.address, QStringLiteral("w.example:443"));
    QCOMPARE(result.settings.routing, RoutingMode::None);
}

void TestCommandLine::treatsBareBooleanAsTrue()
{
    const auto result = CommandLine::parse(
        {QStringLiteral("-fallback"), QStringLiteral("-f"), QStringLiteral("a.b:1")});
    QCOMPARE(result.action, CommandLine::Action::Run);
    QVERIFY(result.settings.server.withoutEch);
}

void TestCommandLine::rejectsBadValuesNamingTheFlag_data()
{
    QTest::addColumn<QString>("arguments");
    QTest::addColumn<QString>("flagInMessage");

    QTest::newRow("missing -f") << "-routing none"
                                << "-f";
    QTest::newRow("-f without port scheme") << "-f https://w.example"
                                            << "-f";
    QTest::newRow("-f bad port") << "-f w.example:99999"
                                 << "-f";
    QTest::newRow("-l no port") << "-f a.b:1 -l 127.0.0.1"
                                << "-l";
    QTest::newRow("-l bad host") << "-f a.b:1 -l nohost:80"
                                 << "-l";
    QTest::newRow("-routing unknown") << "-f a.b:1 -routing smart"
                                      << "-routing";
    QTest::newRow("-dns http") << "-f a.b:1 -dns http://doh.example/q"
                               << "-dns";
    QTest::newRow("-ech not a domain") << "-f a.b:1 -ech 1.2.3.4"
                                       << "-ech";
    QTest::newRow("-ip garbage") << "-f a.b:1 -ip a/b"
                                 << "-ip";
    QTest::newRow("-fallback non-boolean") << "-f a.b:1 -fallback=maybe"
                                           << "-fallback";
    QTest::newRow("-pool negative") << "-f a.b:1 -pool -1"
                                    << "-pool";
    QTest::newRow("-pool above 64") << "-f a.b:1 -pool 65"
                                    << "-pool";
    QTest::newRow("-threads zero") << "-f a.b:1 -threads 0"
                                   << "-threads";
    QTest::newRow("-threads not a number") << "-f a.b:1 -threads many"
                                           << "-threads";
    QTest::newRow("unknown flag") << "-f a.b:1 -bogus 1"
                                  << "-bogus";
    QTest::newRow("value missing") << "-f"
                                   << "-f";
    QTest::newRow("positional") << "-f a.b:1 extra"
                                << "extra";
}

void TestCommandLine::rejectsBadValuesNamingTheFlag()
{
    QFETCH(QString, arguments);
    QFETCH(QString, flagInMessage);
    const auto result = CommandLine::parse(arguments.split(u' '));
    QCOMPARE(result.action, CommandLine::Action::Error);
    QVERIFY2(result.error.contains(flagInMessage), qPrintable(result.error));
    QVERIFY(!result.error.contains(u'\n'));
}

void TestCommandLine::neverQuotesTheTokenInErrors()
{
    const auto result =
        CommandLine::parse({QStringLiteral("-f"), QStringLiteral("a.b:1"), QStringLiteral("-token"),
                            QStringLiteral("s3cret\nvalue")});
    QCOMPARE(result.action, CommandLine::Action::Error);
    QVERIFY(result.error.contains(QStringLiteral("-token")));
    QVERIFY(!result.error.contains(QStringLiteral("s3cret")));
}

void TestCommandLine::splitsAuthAtTheFirstColon()
{
    const auto result = CommandLine::parse(QStringLiteral("-f a.b:1 -l 0.0.0.0:1080 -auth "
                                                          "alice:pa:ss")
                                               .split(u' '));
    QCOMPARE(result.action, CommandLine::Action::Run);
    QCOMPARE(result.settings.authUser, QStringLiteral("alice"));
    QCOMPARE(result.settings.authPassword, QStringLiteral("pa:ss"));
    QVERIFY(!result.settings.allowLanWithoutAuth);
    // Without the flag there is no authentication.
    QVERIFY(CommandLine::parse({QStringLiteral("-f"), QStringLiteral("a.b:1")})
                .settings.authUser.isEmpty());
}

void TestCommandLine::servesMetricsOnlyWhenAsked()
{
    QVERIFY(CommandLine::parse(QStringLiteral("-f a.b:1").split(u' '))
                .settings.metricsListen.isEmpty());
    const auto result = CommandLine::parse(
        QStringLiteral("-f a.b:1 -metrics 127.0.0.1:9464 -metrics-allow-lan").split(u' '));
    QCOMPARE(result.action, CommandLine::Action::Run);
    QCOMPARE(result.settings.metricsListen, QStringLiteral("127.0.0.1:9464"));
    QVERIFY(result.settings.metricsAllowLan);
    const auto bad = CommandLine::parse(QStringLiteral("-f a.b:1 -metrics nope").split(u' '));
    QCOMPARE(bad.action, CommandLine::Action::Error);
    QVERIFY(bad.error.contains(QStringLiteral("-metrics")));
}

void TestCommandLine::takesTheEngineThreadCount()
{
    // 0: the caller picks one per core.
    QCOMPARE(CommandLine::parse(QStringLiteral("-f a.b:1").split(u' ')).threads, 0);
    const auto result = CommandLine::parse(QStringLiteral("-f a.b:1 -threads 4").split(u' '));
    QCOMPARE(result.action, CommandLine::Action::Run);
    QCOMPARE(result.threads, 4);
}

void TestCommandLine::acceptsAllowLan()
{
    const auto result =
        CommandLine::parse(QStringLiteral("-f a.b:1 -l 0.0.0.0:1080 -allow-lan").split(u' '));
    QCOMPARE(result.action, CommandLine::Action::Run);
    QVERIFY(result.settings.allowLanWithoutAuth);
    QVERIFY(result.settings.authUser.isEmpty());
}

void TestCommandLine::rejectsBadAuthWithoutQuotingIt_data()
{
    QTest::addColumn<QString>("value");
    QTest::newRow("no colon") << QStringLiteral("s3cretonly");
    QTest::newRow("empty user") << QStringLiteral(":s3cret");
    QTest::newRow("empty password") << QStringLiteral("s3cret:");
    QTest::newRow("password over 255 bytes") << QStringLiteral("u:s3cret") + QString(250, u'x');
    QTest::newRow("user over 255 bytes")
        << QStringLiteral("s3cret") + QString(250, u'x') + QStringLiteral(":p");
    QTest::newRow("control character") << QStringLiteral("u:s3cret\tx");
}

void TestCommandLine::rejectsBadAuthWithoutQuotingIt()
{
    QFETCH(QString, value);
    const auto result = CommandLine::parse(
        {QStringLiteral("-f"), QStringLiteral("a.b:1"), QStringLiteral("-auth"), value});
    QCOMPARE(result.action, CommandLine::Action::Error);
    QVERIFY2(result.error.contains(QStringLiteral("-auth")), qPrintable(result.error));
    QVERIFY2(!result.error.contains(QStringLiteral("s3cret")), qPrintable(result.error));
}

void TestCommandLine::readsTokenAndAuthFromFiles()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString token = writeSecret(dir, QStringLiteral("token"), "s3cret-token\n");
    const QString auth = writeSecret(dir, QStringLiteral("auth"), "alice:pa:ss\r\n");
    const auto result =
        parseWith({QStringLiteral("-token-file"), token, QStringLiteral("-auth-file=") + auth},
                  QProcessEnvironment());
    QCOMPARE(result.action, CommandLine::Action::Run);
    QCOMPARE(result.settings.server.token, QStringLiteral("s3cret-token"));
    QCOMPARE(result.settings.authUser, QStringLiteral("alice"));
    QCOMPARE(result.settings.authPassword, QStringLiteral("pa:ss"));
}

void TestCommandLine::refusesASecretGivenByTwoFlags_data()
{
    QTest::addColumn<QString>("first");
    QTest::addColumn<QString>("second");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("error");
    const QString token = QStringLiteral("flags -token and -token-file both give the token: use "
                                         "one of them");
    const QString auth = QStringLiteral("flags -auth and -auth-file both give the login: use one "
                                        "of them");
    QTest::newRow("token, then its file") << "token"
                                          << "token-file"
                                          << "s3cret" << token;
    QTest::newRow("token file, then the flag") << "token-file"
                                               << "token"
                                               << "s3cret" << token;
    QTest::newRow("auth, then its file") << "auth"
                                         << "auth-file"
                                         << "u:s3cret" << auth;
    QTest::newRow("auth file, then the flag") << "auth-file"
                                              << "auth"
                                              << "u:s3cret" << auth;
}

void TestCommandLine::refusesASecretGivenByTwoFlags()
{
    QFETCH(QString, first);
    QFETCH(QString, second);
    QFETCH(QString, value);
    QFETCH(QString, error);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = writeSecret(dir, QStringLiteral("secret"), value.toUtf8());
    const auto argumentFor = [&](const QString& flag) {
        return flag.endsWith(QStringLiteral("-file")) ? file : value;
    };
    const auto result =
        parseWith({u'-' + first, argumentFor(first), u'-' + second, argumentFor(second)},
                  QProcessEnvironment());
    QCOMPARE(result.action, CommandLine::Action::Error);
    QCOMPARE(result.error, error);
}

void TestCommandLine::refusesASecretFileOtherUsersCanRead()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString token = writeSecret(dir, QStringLiteral("token"), "s3cret\n", 0644);
    const auto result = parseWith({QStringLiteral("-token-file"), token}, QProcessEnvironment());
    QCOMPARE(result.action, CommandLine::Action::Error);
    QVERIFY2(result.error.startsWith(QStringLiteral("invalid value for flag -token-file: %1 is "
                                                    "readable by other users (mode 0644): like "
                                                    "ssh with a private key")
                                         .arg(token)),
             qPrintable(result.error));
    QVERIFY(result.error.contains(QStringLiteral("chmod 600")));
    QVERIFY(!result.error.contains(QStringLiteral("s3cret")));
}

void TestCommandLine::takesSecretsFromTheEnvironmentWhenNoFlagGivesThem()
{
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("ECH_WORKERS_TOKEN"), QStringLiteral("env-token"));
    environment.insert(QStringLiteral("ECH_WORKERS_AUTH"), QStringLiteral("bob:env-password"));
    const auto fromEnvironment = parseWith({}, environment);
    QCOMPARE(fromEnvironment.action, CommandLine::Action::Run);
    QCOMPARE(fromEnvironment.settings.server.token, QStringLiteral("env-token"));
    QCOMPARE(fromEnvironment.settings.authUser, QStringLiteral("bob"));
    QCOMPARE(fromEnvironment.settings.authPassword, QStringLiteral("env-password"));

    // A flag, in either form, comes first.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto flags = parseWith({QStringLiteral("-token"), QStringLiteral("flag-token"),
                                  QStringLiteral("-auth-file"),
                                  writeSecret(dir, QStringLiteral("auth"), "carol:file\n")},
                                 environment);
    QCOMPARE(flags.action, CommandLine::Action::Run);
    QCOMPARE(flags.settings.server.token, QStringLiteral("flag-token"));
    QCOMPARE(flags.settings.authUser, QStringLiteral("carol"));
}

void TestCommandLine::checksSecretsFromFilesAndTheEnvironmentLikeFlags()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString token = writeSecret(dir, QStringLiteral("token"), "s3cret,x\n");
    auto result = parseWith({QStringLiteral("-token-file"), token}, QProcessEnvironment());
    QCOMPARE(result.error, QStringLiteral("invalid value for flag -token-file: it must not contain "
                                          "line breaks or commas"));

    QProcessEnvironment environment;
    environment.insert(QStringLiteral("ECH_WORKERS_AUTH"), QStringLiteral("s3cret-without-colon"));
    result = parseWith({}, environment);
    QCOMPARE(result.action, CommandLine::Action::Error);
    QCOMPARE(result.error, QStringLiteral("invalid value for environment variable "
                                          "ECH_WORKERS_AUTH: expected USER:PASSWORD, both "
                                          "non-empty"));
}

void TestCommandLine::recognisesHelpAndVersion()
{
    QCOMPARE(CommandLine::parse({QStringLiteral("--help")}).action, CommandLine::Action::Help);
    QCOMPARE(CommandLine::parse({QStringLiteral("-h")}).action, CommandLine::Action::Help);
    QCOMPARE(CommandLine::parse({QStringLiteral("--version")}).action,
             CommandLine::Action::Version);
}

void TestCommandLine::helpListsEveryReferenceFlag()
{
    const QString help = CommandLine::help();
    for (const char* flag :
         {"-l ", "-f ", "-ip ", "-token ", "-dns ", "-ech ", "-routing ", "-auth ", "-allow-lan ",
          "-token-file FILE", "-auth-file FILE", "ECH_WORKERS_TOKEN ", "ECH_WORKERS_AUTH "})
        QVERIFY2(help.contains(QLatin1StringView(flag)), flag);
}

QTEST_APPLESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
