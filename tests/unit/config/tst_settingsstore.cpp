#include "config/SettingsStore.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#if defined(Q_OS_UNIX)
#include <csignal>
#include <sys/resource.h>
#include <unistd.h>
#endif

using echw::AppSettings;
using echw::RoutingMode;
using echw::ServerProfile;
using echw::SettingsStore;
using Status = echw::SettingsStore::LoadResult::Status;

namespace {

const QString kToken = QStringLiteral("s3cr3t-T0ken");

AppSettings sampleSettings()
{
    AppSettings settings;
    ServerProfile server;
    server.id = ServerProfile::newId();
    server.name = QStringLiteral("默认服务器");
    server.address = QStringLiteral("w.example:443");
    server.token = kToken;
    settings.servers = {server};
    settings.activeServerId = server.id;
    settings.routing = RoutingMode::Global;
    settings.startMinimized = true;
    return settings;
}

QByteArray readAll(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

bool writeAll(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QStringList backupsIn(const QDir& dir)
{
    return dir.entryList({QStringLiteral("settings.json.corrupt-*")}, QDir::Files);
}

} // namespace

class TestSettingsStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void missingFileGivesDefaults();
    void savesAndLoadsEqual();
    void createsTheFolder();
    void writesOwnerOnly();
    void movesACorruptFileAside_data();
    void movesACorruptFileAside();
    void keepsEarlierBackups();
    void refusesToOverwriteWhatItCouldNotMove();
    void failedSaveKeepsTheOldFileInReadOnlyFolder();
    void failedWriteKeepsTheOldFile();

private:
    QTemporaryDir m_dir;
};

void TestSettingsStore::missingFileGivesDefaults()
{
    SettingsStore store(m_dir.filePath(QStringLiteral("missing/settings.json")));
    const auto result = store.load();
    QCOMPARE(result.status, Status::Missing);
    QCOMPARE(result.settings, AppSettings());
    QVERIFY(result.reason.isEmpty());
}

void TestSettingsStore::savesAndLoadsEqual()
{
    SettingsStore store(m_dir.filePath(QStringLiteral("roundtrip.json")));
    const AppSettings settings = sampleSettings();
    QCOMPARE(store.save(settings), std::nullopt);
    const auto result = store.load();
    QCOMPARE(result.status, Status::Loaded);
    QCOMPARE(result.settings, settings);
    // Saving again replaces the file.
    AppSettings changed = settings;
    changed.language = QStringLiteral("en");
    QCOMPARE(store.save(changed), std::nullopt);
    QCOMPARE(store.load().settings, changed);
}

void TestSettingsStore::createsTheFolder()
{
    SettingsStore store(m_dir.filePath(QStringLiteral("a/b/settings.json")));
    QCOMPARE(store.save(sampleSettings()), std::nullopt);
    QCOMPARE(store.load().status, Status::Loaded);
}

void TestSettingsStore::writesOwnerOnly()
{
    const QString path = m_dir.filePath(QStringLiteral("mode.json"));
    // An existing world-readable file must not pass its mode on to the new one.
    QVERIFY(writeAll(path, "{}"));
    QVERIFY(QFile::setPermissions(path, QFile::permissions(path) | QFileDevice::ReadOther));
    SettingsStore store(path);
    QCOMPARE(store.save(sampleSettings()), std::nullopt);
    const auto expected = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    // permissions() also reports the ReadUser/WriteUser aliases for the current
    // user.
    const auto mask = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                      QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                      QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
#if defined(Q_OS_UNIX)
    QCOMPARE(QFile::permissions(path) & mask, expected);
#else
    Q_UNUSED(mask);
    Q_UNUSED(expected);
#endif
}

void TestSettingsStore::movesACorruptFileAside_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reasonPart");

    QTest::newRow("truncated") << QByteArray("{\"version\": 1, \"servers\": [") << "not valid JSON";
    QTest::newRow("binary") << QByteArray("\x00\xff\xfe garbage", 11) << "not valid JSON";
    QTest::newRow("array") << QByteArray("[1, 2]") << "JSON object";
    QTest::newRow("wrong type") << QByteArray("{\"version\": 1, \"listen\": 30000}")
                                << "\"listen\"";
    QTest::newRow("newer schema") << QByteArray("{\"version\": 999}") << "\"version\"";
}

void TestSettingsStore::movesACorruptFileAside()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reasonPart);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("settings.json"));
    QVERIFY(writeAll(path, bytes));
    SettingsStore store(path);
    const auto result = store.load();
    QCOMPARE(result.status, Status::MovedAside);
    QCOMPARE(result.settings, AppSettings());
    QVERIFY2(result.reason.contains(reasonPart), qPrintable(result.reason));
    QVERIFY(!QFile::exists(path));
    QVERIFY(result.backupPath.startsWith(path + QStringLiteral(".corrupt-")));
    QCOMPARE(readAll(result.backupPath), bytes);
    QCOMPARE(backupsIn(QDir(dir.path())).size(), 1);

    // The next save starts a fresh file and leaves the backup alone.
    QCOMPARE(store.save(sampleSettings()), std::nullopt);
    QCOMPARE(readAll(result.backupPath), bytes);
    QCOMPARE(store.load().status, Status::Loaded);
}

void TestSettingsStore::keepsEarlierBackups()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("settings.json"));
    SettingsStore store(path);
    QVERIFY(writeAll(path, "first"));
    const auto first = store.load();
    QVERIFY(writeAll(path, "second"));
    const auto second = store.load();
    QCOMPARE(first.status, Status::MovedAside);
    QCOMPARE(second.status, Status::MovedAside);
    QVERIFY(first.backupPath != second.backupPath);
    QCOMPARE(readAll(first.backupPath), QByteArray("first"));
    QCOMPARE(readAll(second.backupPath), QByteArray("second"));
}

void TestSettingsStore::refusesToOverwriteWhatItCouldNotMove()
{
#if defined(Q_OS_UNIX)
    if (::geteuid() == 0)
        QSKIP("root ignores directory permissions");
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("settings.json"));
    QVERIFY(writeAll(path, "not json"));
    QVERIFY(QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    SettingsStore store(path);
    const auto result = store.load();
    QCOMPARE(result.status, Status::Failed);
    QVERIFY(result.reason.contains(QStringLiteral("not valid JSON")));
    QVERIFY(store.save(sampleSettings()).has_value());
    QVERIFY(QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                  QFileDevice::ExeOwner));
    QVERIFY(store.save(sampleSettings()).has_value()); // still refused until a load succeeds
    QCOMPARE(readAll(path), QByteArray("not json"));
#else
    QSKIP("needs POSIX directory permissions");
#endif
}

void TestSettingsStore::failedSaveKeepsTheOldFileInReadOnlyFolder()
{
#if defined(Q_OS_UNIX)
    if (::geteuid() == 0)
        QSKIP("root ignores directory permissions; failedWriteKeepsTheOldFile "
              "covers this");
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("settings.json"));
    SettingsStore store(path);
    const AppSettings old = sampleSettings();
    QCOMPARE(store.save(old), std::nullopt);
    const QByteArray oldBytes = readAll(path);
    QVERIFY(QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    const auto error = store.save(AppSettings());
    QVERIFY(QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                  QFileDevice::ExeOwner));
    QVERIFY(error.has_value());
    QVERIFY(!error->contains(kToken));
    QCOMPARE(readAll(path), oldBytes);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("settings.json")});
#else
    QSKIP("needs POSIX directory permissions");
#endif
}

void TestSettingsStore::failedWriteKeepsTheOldFile()
{
#if defined(Q_OS_UNIX)
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("settings.json"));
    SettingsStore store(path);
    const AppSettings old = sampleSettings();
    QCOMPARE(store.save(old), std::nullopt);
    const QByteArray oldBytes = readAll(path);

    // A file size limit makes the write itself fail part-way, even for root: the
    // case a full disk would cause. SIGXFSZ is ignored so write() returns EFBIG
    // instead.
    AppSettings bigger = old;
    bigger.servers[0].name = QString(4096, u'x');
    rlimit saved{};
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = saved;
    small.rlim_cur = 64;
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
    const auto error = store.save(bigger);
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previousHandler);

    QVERIFY(error.has_value());
    QCOMPARE(readAll(path), oldBytes);
    QCOMPARE(store.load().settings, old);
    // No temporary file is left behind either.
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("settings.json")});
#else
    QSKIP("needs RLIMIT_FSIZE");
#endif
}

QTEST_GUILESS_MAIN(TestSettingsStore)
#include "tst_settingsstore.moc"
