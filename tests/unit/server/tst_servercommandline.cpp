// The server's flags: defaults, values, and one-line errors that name the flag.
#include "ServerCommandLine.h"
#include "TestFiles.h"

#include <QTemporaryDir>
#include <QTest>

using namespace echw::server;
using Action = ServerCommandLine::Action;

namespace {

const QString kState = QStringLiteral("/tmp/state");

ServerCommandLine parse(const QStringList& arguments,
                        const QProcessEnvironment& environment = QProcessEnvironment())
{
    return ServerCommandLine::parse(arguments, kState, environment);
}

QString writeToken(const QTemporaryDir& dir, const QByteArray& content, mode_t mode = 0600)
{
    return echw::test::writeFileWithMode(dir.filePath(QStringLiteral("token")), content, mode);
}

} // namespace

class TestServerCommandLine : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void hasLoopbackDefaults();
    void readsEveryFlag();
    void acceptsDoubleDashAndEquals();
    void replacesDefaultNamesWithRepeatedNameFlags();
    void refusesInternalTargetsByDefaultOffLoopback();
    void reportsBadValuesNamingTheFlag_data();
    void reportsBadValuesNamingTheFlag();
    void neverQuotesTheToken();
    void readsTheTokenFromAFile();
    void refusesTheTokenGivenByBothFlags();
    void refusesATokenFileOtherUsersCanRead();
    void takesTheTokenFromTheEnvironmentWhenNoFlagGivesIt();
    void offersHelpAndVersion();
};

void TestServerCommandLine::hasLoopbackDefaults()
{
    const auto c = parse({});
    QCOMPARE(c.action, Action::Run);
    QCOMPARE(c.listenAddress, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(c.listenPort, 8443);
    QVERIFY(c.settings.token.isEmpty());
    QVERIFY(!c.settings.dohEnabled);
    QVERIFY(c.settings.allowInternalTargets);
    QCOMPARE(c.credentials.publicName, QStringLiteral("ech-public.invalid"));
    QCOMPARE(c.credentials.serverNames,
             QStringList({QStringLiteral("localhost"), QStringLiteral("127.0.0.1")}));
    QCOMPARE(c.credentials.stateDir, kState);
    QCOMPARE(c.logLevel, QStringLiteral("info"));
    QVERIFY(!c.settings.failAfterBytes);
}

void TestServerCommandLine::readsEveryFlag()
{
    const auto c = parse(
        {QStringLiteral("-l"), QStringLiteral("[::1]:0"), QStringLiteral("-token"),
         QStringLiteral("s3cret"), QStringLiteral("-public-name"),
         QStringLiteral("Cover.Example.com"), QStringLiteral("-cert"), QStringLiteral("c.pem"),
         QStringLiteral("-key"), QStringLiteral("k.pem"), QStringLiteral("-state"),
         QStringLiteral("/srv/ech"), QStringLiteral("-doh"), QStringLiteral("-dial-timeout"),
         QStringLiteral("3"), QStringLiteral("-fail-after-bytes"), QStringLiteral("1000"),
         QStringLiteral("-loglevel"), QStringLiteral("debug")});
    QCOMPARE(c.action, Action::Run);
    QCOMPARE(c.listenAddress, QHostAddress(QHostAddress::LocalHostIPv6));
    QCOMPARE(c.listenPort, 0);
    QCOMPARE(c.settings.token, QByteArray("s3cret"));
    QCOMPARE(c.credentials.publicName, QStringLiteral("cover.example.com"));
    QCOMPARE(c.credentials.certificateFile, QStringLiteral("c.pem"));
    QCOMPARE(c.credentials.keyFile, QStringLiteral("k.pem"));
    QCOMPARE(c.credentials.stateDir, QStringLiteral("/srv/ech"));
    QVERIFY(c.settings.dohEnabled);
    QCOMPARE(c.settings.dialTimeout, std::chrono::milliseconds(3000));
    QCOMPARE(c.settings.failAfterBytes, std::optional<qint64>(1000));
    QCOMPARE(c.logLevel, QStringLiteral("debug"));
}

void TestServerCommandLine::acceptsDoubleDashAndEquals()
{
    const auto c = parse({QStringLiteral("--l=0.0.0.0:9000"), QStringLiteral("--doh=false"),
                          QStringLiteral("--token=abc")});
    QCOMPARE(c.action, Action::Run);
    QCOMPARE(c.listenAddress, QHostAddress(QHostAddress::AnyIPv4));
    QCOMPARE(c.listenPort, 9000);
    QVERIFY(!c.settings.dohEnabled);
    QCOMPARE(c.settings.token, QByteArray("abc"));
}

void TestServerCommandLine::replacesDefaultNamesWithRepeatedNameFlags()
{
    const auto c = parse({QStringLiteral("-name"), QStringLiteral("worker.example.com"),
                          QStringLiteral("-name"), QStringLiteral("203.0.113.5"),
                          QStringLiteral("-name"), QStringLiteral("*.example.net")});
    QCOMPARE(c.action, Action::Run);
    QCOMPARE(c.credentials.serverNames,
             QStringList({QStringLiteral("worker.example.com"), QStringLiteral("203.0.113.5"),
                          QStringLiteral("*.example.net")}));
}

void TestServerCommandLine::refusesInternalTargetsByDefaultOffLoopback()
{
    QVERIFY(!parse({QStringLiteral("-l"), QStringLiteral("0.0.0.0:443")})
                 .settings.allowInternalTargets);
    QVERIFY(parse({QStringLiteral("-l"), QStringLiteral("0.0.0.0:443"),
                   QStringLiteral("-allow-internal-targets")})
                .settings.allowInternalTargets);
    QVERIFY(
        !parse({QStringLiteral("-allow-internal-targets=false")}).settings.allowInternalTargets);
}

void TestServerCommandLine::reportsBadValuesNamingTheFlag_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("flag");
    QTest::newRow("listen") << QStringList{QStringLiteral("-l"), QStringLiteral("nowhere")}
                            << QStringLiteral("-l");
    QTest::newRow("port") << QStringList{QStringLiteral("-l"), QStringLiteral("127.0.0.1:70000")}
                          << QStringLiteral("-l");
    QTest::newRow("public name ip")
        << QStringList{QStringLiteral("-public-name"), QStringLiteral("192.0.2.1")}
        << QStringLiteral("-public-name");
    QTest::newRow("name") << QStringList{QStringLiteral("-name"), QStringLiteral("a b")}
                          << QStringLiteral("-name");
    QTest::newRow("dial timeout") << QStringList{QStringLiteral("-dial-timeout"),
                                                 QStringLiteral("0")}
                                  << QStringLiteral("-dial-timeout");
    QTest::newRow("fail after") << QStringList{QStringLiteral("-fail-after-bytes"),
                                               QStringLiteral("many")}
                                << QStringLiteral("-fail-after-bytes");
    QTest::newRow("loglevel") << QStringList{QStringLiteral("-loglevel"), QStringLiteral("loud")}
                              << QStringLiteral("-loglevel");
    QTest::newRow("doh value") << QStringList{QStringLiteral("-doh=yes")} << QStringLiteral("-doh");
    QTest::newRow("cert alone") << QStringList{QStringLiteral("-cert"), QStringLiteral("c.pem")}
                                << QStringLiteral("-cert");
    QTest::newRow("missing value")
        << QStringList{QStringLiteral("-state")} << QStringLiteral("-state");
    QTest::newRow("unknown") << QStringList{QStringLiteral("-f"), QStringLiteral("x")}
                             << QStringLiteral("-f");
}

void TestServerCommandLine::reportsBadValuesNamingTheFlag()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, flag);
    const auto c = parse(arguments);
    QCOMPARE(c.action, Action::Error);
    QVERIFY2(c.error.contains(flag), qPrintable(c.error));
    QVERIFY(!c.error.contains(u'\n'));
}

void TestServerCommandLine::neverQuotesTheToken()
{
    for (const QString& token :
         {QStringLiteral("se cret"), QStringLiteral("se,cret"), QStringLiteral("sécret")}) {
        const auto c = parse({QStringLiteral("-token"), token});
        QCOMPARE(c.action, Action::Error);
        QVERIFY(c.error.contains(QStringLiteral("-token")));
        QVERIFY(!c.error.contains(QStringLiteral("cret")));
    }
}

void TestServerCommandLine::readsTheTokenFromAFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto c = parse({QStringLiteral("-token-file"), writeToken(dir, "s3cret\n")});
    QCOMPARE(c.action, Action::Run);
    QCOMPARE(c.settings.token, QByteArray("s3cret"));

    // Checked as the flag's value is.
    const auto bad = parse({QStringLiteral("-token-file"), writeToken(dir, "se cret\n")});
    QCOMPARE(bad.action, Action::Error);
    QCOMPARE(bad.error, QStringLiteral("invalid value for flag -token-file: use visible ASCII "
                                       "without spaces, commas or other separators"));
}

void TestServerCommandLine::refusesTheTokenGivenByBothFlags()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = writeToken(dir, "s3cret\n");
    for (const QStringList& arguments :
         {QStringList{QStringLiteral("-token"), QStringLiteral("s3cret"),
                      QStringLiteral("-token-file"), file},
          QStringList{QStringLiteral("-token-file"), file, QStringLiteral("-token"),
                      QStringLiteral("s3cret")}}) {
        const auto c = parse(arguments);
        QCOMPARE(c.action, Action::Error);
        QCOMPARE(c.error, QStringLiteral("flags -token and -token-file both give the token: use "
                                         "one of them"));
    }
}

void TestServerCommandLine::refusesATokenFileOtherUsersCanRead()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = writeToken(dir, "s3cret\n", 0640);
    const auto c = parse({QStringLiteral("-token-file"), file});
    QCOMPARE(c.action, Action::Error);
    QVERIFY2(c.error.startsWith(QStringLiteral("invalid value for flag -token-file: %1 is "
                                               "readable by other users (mode 0640): like ssh")
                                    .arg(file)),
             qPrintable(c.error));
    QVERIFY(!c.error.contains(QStringLiteral("s3cret")));
}

void TestServerCommandLine::takesTheTokenFromTheEnvironmentWhenNoFlagGivesIt()
{
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("ECH_WORKERS_SERVER_TOKEN"), QStringLiteral("env-s3cret"));
    QCOMPARE(parse({}, environment).settings.token, QByteArray("env-s3cret"));
    QCOMPARE(parse({QStringLiteral("-token"), QStringLiteral("flag")}, environment).settings.token,
             QByteArray("flag"));
    // The client's variable is not the server's.
    QProcessEnvironment client;
    client.insert(QStringLiteral("ECH_WORKERS_TOKEN"), QStringLiteral("client"));
    QVERIFY(parse({}, client).settings.token.isEmpty());

    QProcessEnvironment bad;
    bad.insert(QStringLiteral("ECH_WORKERS_SERVER_TOKEN"), QStringLiteral("s3 cret"));
    const auto c = parse({}, bad);
    QCOMPARE(c.action, Action::Error);
    QCOMPARE(c.error, QStringLiteral("invalid value for environment variable "
                                     "ECH_WORKERS_SERVER_TOKEN: use visible ASCII without spaces, "
                                     "commas or other separators"));
}

void TestServerCommandLine::offersHelpAndVersion()
{
    QCOMPARE(parse({QStringLiteral("--help")}).action, Action::Help);
    QCOMPARE(parse({QStringLiteral("-h")}).action, Action::Help);
    QCOMPARE(parse({QStringLiteral("--version")}).action, Action::Version);
    QVERIFY(ServerCommandLine::help().contains(QStringLiteral("-fail-after-bytes")));
    QVERIFY(ServerCommandLine::help().contains(QStringLiteral("-token-file FILE")));
    QVERIFY(ServerCommandLine::help().contains(QStringLiteral("ECH_WORKERS_SERVER_TOKEN ")));
}

QTEST_GUILESS_MAIN(TestServerCommandLine)
#include "tst_servercommandline.moc"
