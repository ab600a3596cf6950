// RouteLists: loading both lists from files, the mapped-address lookup, the list date, where
// the bundled lists are found, and where bypass_cn looks for the lists (the engine's start-up
// log names the files it took).
#include "RunningProxy.h"
#include "routing/RouteLists.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;

namespace {

QString bundledDirectory()
{
    return QFINDTESTDATA("../../../resources/china-ip-list");
}

void writeFile(const QString& path, const QByteArray& content)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
}

template <typename T> T unwrap(std::variant<T, QString> value)
{
    if (auto* error = std::get_if<QString>(&value))
        qFatal("%s", qPrintable(*error));
    return std::get<T>(std::move(value));
}

QString errorOf(const RouteListsResult& result)
{
    const auto* error = std::get_if<QString>(&result);
    return error ? *error : QString();
}

} // namespace

class TestRouteLists : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void looksUpBothFamilies_data();
    void looksUpBothFamilies();
    void loadsBundledListsQuickly();
    void dateIsNewestModification();
    void dateIsNewestDeclared();
    void ipv6ListIsOptional();
    void rejectsBadFiles_data();
    void rejectsBadFiles();
    void rejectsOversizedFile();
    void findsFirstDirectoryWithAList();
    void bundledCandidatesStartNextToTheExecutable();
    void loadsTheListsTheBuildBundles();
    void searchesNextToTheExecutableThenTheWorkingDirectoryThenDownloadsThenBundled();
    void takesEachListFromTheFirstDirectoryHoldingIt();
    void prefersTheWorkingDirectoryOverDownloadedLists();
    void engineLogsTheListFilesItUses();
    void engineLooksOnlyInTheGivenListFolder();

private:
    // Runs with the working directory changed to `directory`, and changes it back.
    template <typename Check> static void inWorkingDirectory(const QString& directory, Check check);
    static std::optional<QString> startBypassCnEngine(ProxySettings settings);
};

template <typename Check>
void TestRouteLists::inWorkingDirectory(const QString& directory, Check check)
{
    const QString previous = QDir::currentPath();
    QVERIFY(QDir::setCurrent(directory));
    check();
    QVERIFY(QDir::setCurrent(previous));
}

// bypass_cn with no ECH (so nothing is fetched at start) and a worker that is never dialled.
std::optional<QString> TestRouteLists::startBypassCnEngine(ProxySettings settings)
{
    settings.listen = QStringLiteral("127.0.0.1:0");
    settings.routing = RoutingMode::BypassCn;
    settings.server.address = QStringLiteral("127.0.0.1:9");
    settings.server.withoutEch = true;
    EngineRuntime engine;
    return test::startProxy(engine, settings);
}

void TestRouteLists::looksUpBothFamilies_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("contained");

    QTest::newRow("IPv4 inside") << QStringLiteral("10.1.2.3") << true;
    QTest::newRow("IPv4 outside") << QStringLiteral("11.0.0.0") << false;
    QTest::newRow("mapped inside") << QStringLiteral("::ffff:10.1.2.3") << true;
    QTest::newRow("mapped first") << QStringLiteral("::ffff:10.0.0.0") << true;
    QTest::newRow("mapped one past last") << QStringLiteral("::ffff:11.0.0.0") << false;
    QTest::newRow("mapped, only in the IPv6 list") << QStringLiteral("::ffff:192.0.2.1") << false;
    QTest::newRow("IPv4-compatible is not mapped") << QStringLiteral("::10.1.2.3") << false;
    QTest::newRow("IPv6 inside") << QStringLiteral("2001:db8::1") << true;
    QTest::newRow("IPv6 outside") << QStringLiteral("2001:db9::") << false;
    QTest::newRow("unspecified") << QStringLiteral("::") << false;
    QTest::newRow("not an address") << QString() << false;
}

void TestRouteLists::looksUpBothFamilies()
{
    QFETCH(QString, address);
    QFETCH(bool, contained);
    RouteLists lists;
    lists.ipv4 = std::get<Ipv4RangeSet>(
        Ipv4RangeSet::parse("10.0.0.0 10.255.255.255\n", QStringLiteral("v4")));
    // A mapped range in the IPv6 list is never consulted: mapped addresses are IPv4.
    lists.ipv6 = std::get<Ipv6RangeSet>(Ipv6RangeSet::parse(
        "2001:db8:: 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff\n::ffff:192.0.2.0 ::ffff:192.0.2.255\n",
        QStringLiteral("v6")));
    QCOMPARE(lists.contains(QHostAddress(address)), contained);
}

void TestRouteLists::loadsBundledListsQuickly()
{
    const QDir dir(bundledDirectory());
    QElapsedTimer timer;
    timer.start();
    const RouteLists lists = unwrap(loadRouteLists(dir.filePath(QStringLiteral("chn_ip.txt")),
                                                   dir.filePath(QStringLiteral("chn_ip_v6.txt"))));
    // Informational: the benchmark holds the limit (30 ms).
    qInfo("read and parsed both bundled lists in %lld us", timer.nsecsElapsed() / 1000);
    QVERIFY(lists.ipv4.rangeCount() > 1000);
    QVERIFY(lists.ipv6.rangeCount() > 100);
    QVERIFY(lists.contains(QHostAddress(QStringLiteral("114.114.114.114"))));
    QVERIFY(lists.contains(QHostAddress(QStringLiteral("::ffff:114.114.114.114"))));
    QVERIFY(lists.contains(QHostAddress(QStringLiteral("240e::1"))));
    QVERIFY(!lists.contains(QHostAddress(QStringLiteral("8.8.8.8"))));
    QVERIFY(!lists.contains(QHostAddress(QStringLiteral("::ffff:8.8.8.8"))));
    QVERIFY(!lists.contains(QHostAddress(QStringLiteral("2001:4860:4860::8888"))));
    // The snapshot says how old it is; its file times (of the checkout) do not.
    QVERIFY(lists.ipv4.declaredDate());
    QCOMPARE(lists.date, *lists.ipv4.declaredDate());

    const RouteLists again = unwrap(loadRouteListsFromDirectory(dir.path()));
    QCOMPARE(again.ipv4.ranges(), lists.ipv4.ranges());
    QCOMPARE(again.ipv6.ranges(), lists.ipv6.ranges());
}

void TestRouteLists::dateIsNewestModification()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString ipv4 = dir.filePath(QStringLiteral("chn_ip.txt"));
    const QString ipv6 = dir.filePath(QStringLiteral("chn_ip_v6.txt"));
    writeFile(ipv4, "1.0.1.0 1.0.1.255\n");
    writeFile(ipv6, "240e:: 240e::ff\n");
    const QDateTime older(QDate(2024, 3, 1), QTime(12, 0));
    const QDateTime newer(QDate(2025, 6, 1), QTime(12, 0));
    for (const auto& [path, time] : {std::pair{ipv4, older}, std::pair{ipv6, newer}}) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.setFileTime(time, QFileDevice::FileModificationTime));
    }
    QCOMPARE(unwrap(loadRouteLists(ipv4, ipv6)).date, QDate(2025, 6, 1));
    QCOMPARE(unwrap(loadRouteLists(ipv4)).date, QDate(2024, 3, 1));
}

void TestRouteLists::dateIsNewestDeclared()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    writeFile(dir.filePath(QStringLiteral("chn_ip.txt")),
              "# date: 2026-08-23\n1.0.1.0 1.0.1.255\n");
    writeFile(dir.filePath(QStringLiteral("chn_ip_v6.txt")),
              "# date: 2026-08-20\n240e:: 240e::ff\n");
    QCOMPARE(unwrap(loadRouteListsFromDirectory(dir.path())).date, QDate(2026, 8, 23));
}

void TestRouteLists::ipv6ListIsOptional()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString ipv4 = dir.filePath(QStringLiteral("chn_ip.txt"));
    writeFile(ipv4, "1.0.1.0 1.0.1.255\n");
    QVERIFY(unwrap(loadRouteLists(ipv4)).ipv6.isEmpty());
    QVERIFY(
        unwrap(loadRouteLists(ipv4, dir.filePath(QStringLiteral("missing.txt")))).ipv6.isEmpty());
    const RouteLists lists = unwrap(loadRouteListsFromDirectory(dir.path()));
    QCOMPARE(lists.ipv4.rangeCount(), 1);
    QVERIFY(lists.ipv6.isEmpty());
    // An empty IPv6 list is no IPv6 ranges, not an error.
    writeFile(dir.filePath(QStringLiteral("chn_ip_v6.txt")), "");
    QVERIFY(unwrap(loadRouteListsFromDirectory(dir.path())).ipv6.isEmpty());
}

void TestRouteLists::rejectsBadFiles_data()
{
    QTest::addColumn<QByteArray>("ipv4");
    QTest::addColumn<QByteArray>("ipv6");
    QTest::addColumn<QString>("error"); // %1: the directory

    const QByteArray good4 = "1.0.1.0 1.0.1.255\n";
    const QByteArray good6 = "240e:: 240e::ff\n";
    QTest::newRow("bad IPv4 line")
        << QByteArray("1.0.1.0 1.0.1.255\n1.0.2.0 1.0.2\n") << good6
        << QStringLiteral("%1/chn_ip.txt line 2: \"1.0.2\" is not an IPv4 address");
    QTest::newRow("bad IPv6 line")
        << good4 << QByteArray("240e:: 240e::ff\n240f::\n")
        << QStringLiteral("%1/chn_ip_v6.txt line 2: \"240f::\" is not a \"START END\" pair of "
                          "IPv6 addresses");
    QTest::newRow("empty IPv4 list") << QByteArray("# nothing\n") << good6
                                     << QStringLiteral("%1/chn_ip.txt holds no address ranges");
}

void TestRouteLists::rejectsBadFiles()
{
    QFETCH(QByteArray, ipv4);
    QFETCH(QByteArray, ipv6);
    QFETCH(QString, error);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    writeFile(dir.filePath(QStringLiteral("chn_ip.txt")), ipv4);
    writeFile(dir.filePath(QStringLiteral("chn_ip_v6.txt")), ipv6);
    QCOMPARE(errorOf(loadRouteListsFromDirectory(dir.path())),
             error.arg(QDir::toNativeSeparators(dir.path())));
}

void TestRouteLists::rejectsOversizedFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("chn_ip.txt"));
    writeFile(path, "1.0.1.0 1.0.1.255\n#" + QByteArray(kMaxListFileSize, 'x'));
    QVERIFY(errorOf(loadRouteLists(path)).contains(QStringLiteral("too large")));

    QVERIFY(errorOf(loadRouteLists(dir.filePath(QStringLiteral("missing.txt"))))
                .startsWith(QStringLiteral("cannot read ")));
}

void TestRouteLists::findsFirstDirectoryWithAList()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QDir dir(root.path());
    for (const char* name : {"empty", "first", "second"})
        QVERIFY(dir.mkdir(QLatin1StringView(name)));
    writeFile(dir.filePath(QStringLiteral("first/chn_ip.txt")), "1.0.1.0 1.0.1.255\n");
    writeFile(dir.filePath(QStringLiteral("second/chn_ip.txt")), "1.0.1.0 1.0.1.255\n");
    // Only the IPv6 list is not enough.
    writeFile(dir.filePath(QStringLiteral("empty/chn_ip_v6.txt")), "240e:: 240e::ff\n");

    const QStringList candidates{
        dir.filePath(QStringLiteral("missing")), dir.filePath(QStringLiteral("empty")),
        dir.filePath(QStringLiteral("first")), dir.filePath(QStringLiteral("second"))};
    QCOMPARE(findListDirectory(candidates), dir.filePath(QStringLiteral("first")));
    QCOMPARE(findListDirectory(candidates.mid(3)), dir.filePath(QStringLiteral("second")));
    QCOMPARE(findListDirectory(candidates.first(2)), QString());
    QCOMPARE(findListDirectory({}), QString());
}

void TestRouteLists::bundledCandidatesStartNextToTheExecutable()
{
    const QDir executableDir(QCoreApplication::applicationDirPath());
    const QStringList candidates = bundledListCandidates();
    QVERIFY(candidates.size() >= 3);
    QCOMPARE(candidates[0], executableDir.filePath(QStringLiteral("china-ip-list")));
    QCOMPARE(candidates[1],
             QDir::cleanPath(executableDir.filePath(QStringLiteral("../share/ech-workers/"
                                                                   "china-ip-list"))));
    QCOMPARE(candidates[2], QStringLiteral(":/china-ip-list"));
}

void TestRouteLists::loadsTheListsTheBuildBundles()
{
    const QString directory = bundledListDirectory();
    if (directory.isEmpty())
        QSKIP("this build bundles no lists (neither ECHW_SOURCE_DIR nor the :/china-ip-list "
              "resource)");
    const RouteLists lists = unwrap(loadRouteListsFromDirectory(directory));
    QVERIFY(lists.ipv4.rangeCount() > 1000);
    QVERIFY(lists.ipv6.rangeCount() > 100);
    QVERIFY(lists.date.isValid());
}

void TestRouteLists::searchesNextToTheExecutableThenTheWorkingDirectoryThenDownloadsThenBundled()
{
    QTemporaryDir working;
    QVERIFY(working.isValid());
    inWorkingDirectory(working.path(), [] {
        const QStringList path = listSearchPath(QStringLiteral("/updated"));
        QCOMPARE(path, QStringList({QCoreApplication::applicationDirPath(), QDir::currentPath(),
                                    QStringLiteral("/updated")}) +
                           bundledListCandidates());
        // No download folder: the bundled lists follow the working directory.
        QCOMPARE(listSearchPath(QString()).at(2), bundledListCandidates().at(0));
    });
}

void TestRouteLists::takesEachListFromTheFirstDirectoryHoldingIt()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QDir dir(root.path());
    for (const char* name : {"emptyIpv4", "ipv4", "both"})
        QVERIFY(dir.mkdir(QLatin1StringView(name)));
    // An empty file is one the reference would download anew: the next directory's counts.
    writeFile(dir.filePath(QStringLiteral("emptyIpv4/chn_ip.txt")), "");
    writeFile(dir.filePath(QStringLiteral("emptyIpv4/chn_ip_v6.txt")), "240e:: 240e::ff\n");
    writeFile(dir.filePath(QStringLiteral("ipv4/chn_ip.txt")), "1.0.1.0 1.0.1.255\n");
    writeFile(dir.filePath(QStringLiteral("both/chn_ip.txt")), "1.0.2.0 1.0.2.255\n");
    writeFile(dir.filePath(QStringLiteral("both/chn_ip_v6.txt")), "240f:: 240f::ff\n");

    const QStringList directories{
        dir.filePath(QStringLiteral("missing")), dir.filePath(QStringLiteral("emptyIpv4")),
        dir.filePath(QStringLiteral("ipv4")), dir.filePath(QStringLiteral("both"))};
    ListFiles files = findListFiles(directories);
    QCOMPARE(files.ipv4, dir.filePath(QStringLiteral("ipv4/chn_ip.txt")));
    QCOMPARE(files.ipv6, dir.filePath(QStringLiteral("emptyIpv4/chn_ip_v6.txt")));
    files = findListFiles(directories.mid(3));
    QCOMPARE(files.ipv4, dir.filePath(QStringLiteral("both/chn_ip.txt")));
    QCOMPARE(files.ipv6, dir.filePath(QStringLiteral("both/chn_ip_v6.txt")));
    files = findListFiles(directories.first(2));
    QCOMPARE(files.ipv4, QString());
    files = findListFiles(directories.mid(2, 1));
    QCOMPARE(files.ipv6, QString());
}

void TestRouteLists::prefersTheWorkingDirectoryOverDownloadedLists()
{
    QTemporaryDir working;
    QTemporaryDir updated;
    QVERIFY(working.isValid() && updated.isValid());
    writeFile(updated.filePath(QStringLiteral("chn_ip.txt")), "1.0.1.0 1.0.1.255\n");
    writeFile(updated.filePath(QStringLiteral("chn_ip_v6.txt")), "240e:: 240e::ff\n");
    inWorkingDirectory(working.path(), [&] {
        ListFiles files = findListFiles(listSearchPath(updated.path()));
        QCOMPARE(files.ipv4, QDir(updated.path()).filePath(QStringLiteral("chn_ip.txt")));

        writeFile(working.filePath(QStringLiteral("chn_ip.txt")), "1.0.2.0 1.0.2.255\n");
        files = findListFiles(listSearchPath(updated.path()));
        QCOMPARE(files.ipv4, QDir(working.path()).filePath(QStringLiteral("chn_ip.txt")));
        // The IPv6 list is looked up on its own.
        QCOMPARE(files.ipv6, QDir(updated.path()).filePath(QStringLiteral("chn_ip_v6.txt")));
    });
}

void TestRouteLists::engineLogsTheListFilesItUses()
{
    QTemporaryDir working;
    QTemporaryDir updated;
    QVERIFY(working.isValid() && updated.isValid());
    writeFile(working.filePath(QStringLiteral("chn_ip.txt")),
              "1.0.1.0 1.0.1.255\n1.0.8.0 1.0.8.255\n");
    writeFile(updated.filePath(QStringLiteral("chn_ip.txt")), "1.0.2.0 1.0.2.255\n");
    writeFile(updated.filePath(QStringLiteral("chn_ip_v6.txt")), "240e:: 240e::ff\n");
    inWorkingDirectory(working.path(), [&] {
        QTest::ignoreMessage(
            QtInfoMsg,
            QRegularExpression(
                QStringLiteral("^China lists %1 and %2 \\(.*\\): 2 IPv4 and 1 IPv6 ranges")
                    .arg(QRegularExpression::escape(
                             QDir(working.path()).filePath(QStringLiteral("chn_ip.txt"))),
                         QRegularExpression::escape(
                             QDir(updated.path()).filePath(QStringLiteral("chn_ip_v6.txt"))))));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^no-ECH mode")));
        ProxySettings settings;
        settings.updatedListDirectory = updated.path();
        const auto error = startBypassCnEngine(settings);
        QVERIFY2(!error, qPrintable(error.value_or(QString())));
    });
}

// A folder the user names is the one place looked at: a mistake in it is reported, not
// papered over with lists from elsewhere.
void TestRouteLists::engineLooksOnlyInTheGivenListFolder()
{
    QTemporaryDir working;
    QTemporaryDir given;
    QVERIFY(working.isValid() && given.isValid());
    writeFile(working.filePath(QStringLiteral("chn_ip.txt")), "1.0.1.0 1.0.1.255\n");
    inWorkingDirectory(working.path(), [&] {
        ProxySettings settings;
        settings.listDirectory = given.path();
        const auto error = startBypassCnEngine(settings);
        QVERIFY(error);
        QVERIFY2(
            error->startsWith(QStringLiteral("cannot read %1")
                                  .arg(QDir(given.path()).filePath(QStringLiteral("chn_ip.txt")))),
            qPrintable(*error));
    });
}

QTEST_GUILESS_MAIN(TestRouteLists)
#include "tst_routelists.moc"
