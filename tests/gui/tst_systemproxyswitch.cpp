// The desktop app and the desktop's proxy settings, in a private session (bus, dconf, XDG
// folders: tests/support/desktop-session.sh): the tray switch, stop and quit put the user's
// settings back, and the real app killed with SIGKILL is recovered from at its next start.
#include "AppController.h"
#include "EngineController.h"
#include "SystemProxySwitch.h"
#include "config/SettingsStore.h"
#include "tray/TrayController.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;

namespace {

constexpr int kWaitMs = 20'000;

QString gsettingsGet(const QString& schema, const QString& key)
{
    QProcess process;
    process.start(QStringLiteral("gsettings"), {QStringLiteral("get"), schema, key});
    if (!process.waitForFinished(10000) || process.exitCode() != 0)
        return QStringLiteral("<failed>");
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

bool gsettingsSet(const QString& schema, const QString& key, const QString& value)
{
    QProcess process;
    process.start(QStringLiteral("gsettings"), {QStringLiteral("set"), schema, key, value});
    return process.waitForFinished(10000) && process.exitCode() == 0;
}

QString mode()
{
    return gsettingsGet(QStringLiteral("org.gnome.system.proxy"), QStringLiteral("mode"));
}

QString httpHost()
{
    return gsettingsGet(QStringLiteral("org.gnome.system.proxy.http"), QStringLiteral("host"));
}

QString httpPort()
{
    return gsettingsGet(QStringLiteral("org.gnome.system.proxy.http"), QStringLiteral("port"));
}

ServerProfile unreachableServer()
{
    ServerProfile profile;
    profile.id = ServerProfile::newId();
    profile.name = QStringLiteral("worker");
    // Nothing answers there: the engine starts (it listens at once) and tunnels would fail.
    profile.address = QStringLiteral("localhost:1");
    profile.token = QStringLiteral("secret-token");
    profile.dohServer = QStringLiteral("https://127.0.0.1:1/dns-query");
    return profile;
}

AppSettings settingsWith(bool systemProxy)
{
    AppSettings settings;
    settings.servers = {unreachableServer()};
    settings.activeServerId = settings.servers[0].id;
    settings.listen = QStringLiteral("127.0.0.1:0");
    settings.systemProxy = systemProxy;
    return settings;
}

QString portOf(const QString& listenAddress)
{
    return listenAddress.section(QLatin1Char(':'), -1);
}

} // namespace

class TestSystemProxySwitch : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY2(qEnvironmentVariable("GSETTINGS_BACKEND") == QStringLiteral("dconf"),
                 "run through tests/support/desktop-session.sh");
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        // The user's own setting before the app runs.
        QVERIFY(gsettingsSet(QStringLiteral("org.gnome.system.proxy"), QStringLiteral("mode"),
                             QStringLiteral("'auto'")));
    }

    void cleanup() { m_app.reset(); }

    void theTraySwitchSetsAndRestores()
    {
        launch(settingsWith(false));
        QCOMPARE(mode(), QStringLiteral("'auto'"));
        QAction* item = m_app->tray()->systemProxyAction();
        QVERIFY(item->isEnabled());
        QVERIFY(!item->isChecked());

        item->trigger();
        QVERIFY(item->isChecked());
        QCOMPARE(mode(), QStringLiteral("'manual'"));
        QCOMPARE(httpHost(), QStringLiteral("'127.0.0.1'"));
        QCOMPARE(httpPort(), portOf(m_app->engine()->listenAddress()));
        QVERIFY(SettingsStore(settingsPath()).load().settings.systemProxy);

        item->trigger();
        QVERIFY(!item->isChecked());
        QCOMPARE(mode(), QStringLiteral("'auto'"));
        QVERIFY(!SettingsStore(settingsPath()).load().settings.systemProxy);
        QVERIFY(!QFile::exists(recoveryPath()));
    }

    void stopAndQuitPutTheSettingsBack()
    {
        launch(settingsWith(true));
        QCOMPARE(mode(), QStringLiteral("'manual'"));
        QVERIFY(m_app->tray()->systemProxyAction()->isChecked());

        QSignalSpy stopped(m_app->engine(), &EngineController::stopped);
        m_app->tray()->startStopAction()->trigger();
        QVERIFY(stopped.wait(kWaitMs));
        QCOMPARE(mode(), QStringLiteral("'auto'"));
        // Still wanted: it comes back with the proxy.
        QVERIFY(m_app->tray()->systemProxyAction()->isChecked());

        QSignalSpy started(m_app->engine(), &EngineController::started);
        m_app->tray()->startStopAction()->trigger();
        QVERIFY(started.wait(kWaitMs));
        QCOMPARE(mode(), QStringLiteral("'manual'"));

        m_app->tray()->quitAction()->trigger();
        QCOMPARE(mode(), QStringLiteral("'auto'"));
        QVERIFY(!QFile::exists(recoveryPath()));
    }

    void aLogOutPutsTheSettingsBack()
    {
        launch(settingsWith(true));
        QCOMPARE(mode(), QStringLiteral("'manual'"));
        m_app->sessionEnding();
        QCOMPARE(mode(), QStringLiteral("'auto'"));
    }

    void theKilledAppIsRecoveredFromAtItsNextStart()
    {
        // The real app, as a user runs it; its settings and recovery file in the session's
        // XDG folders.
        const QString config =
            QDir(qEnvironmentVariable("XDG_CONFIG_HOME")).filePath(QStringLiteral("ech-workers"));
        const QString recovery =
            QDir(qEnvironmentVariable("XDG_DATA_HOME"))
                .filePath(QStringLiteral("ech-workers/system-proxy-recovery.json"));
        SettingsStore store(QDir(config).filePath(QStringLiteral("settings.json")));
        AppSettings settings = settingsWith(true);
        settings.startMinimized = true;
        QVERIFY(!store.save(settings));

        // Killed while the desktop points at it: the settings stay ours, the file says so.
        killAfterItSetTheProxy();
        QCOMPARE(mode(), QStringLiteral("'manual'"));
        QVERIFY(QFile::exists(recovery));

        // The next start, with the switch off, puts the user's setting back.
        settings.systemProxy = false;
        QVERIFY(!store.save(settings));
        {
            QProcess app;
            startApp(app);
            QTRY_COMPARE_WITH_TIMEOUT(mode(), QStringLiteral("'auto'"), kWaitMs);
            QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(recovery), kWaitMs);
            app.kill();
            app.waitForFinished(kWaitMs);
        }

        // Killed again, and meanwhile another program changes the settings: left alone.
        settings.systemProxy = true;
        QVERIFY(!store.save(settings));
        killAfterItSetTheProxy();
        QVERIFY(gsettingsSet(QStringLiteral("org.gnome.system.proxy.http"), QStringLiteral("host"),
                             QStringLiteral("'other.example'")));
        settings.systemProxy = false;
        QVERIFY(!store.save(settings));
        QProcess app;
        startApp(app);
        QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(recovery), kWaitMs);
        QCOMPARE(mode(), QStringLiteral("'manual'"));
        QCOMPARE(httpHost(), QStringLiteral("'other.example'"));
        app.kill();
        app.waitForFinished(kWaitMs);
    }

    void aSignalQuitsWithTheSettingsBack()
    {
        const QString config =
            QDir(qEnvironmentVariable("XDG_CONFIG_HOME")).filePath(QStringLiteral("ech-workers"));
        QVERIFY(!SettingsStore(QDir(config).filePath(QStringLiteral("settings.json")))
                     .save(settingsWith(true)));
        QProcess app;
        startApp(app);
        QTRY_COMPARE_WITH_TIMEOUT(mode(), QStringLiteral("'manual'"), kWaitMs);
        app.terminate(); // SIGTERM, as a log-out or `kill` sends it
        QVERIFY(app.waitForFinished(kWaitMs));
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 0);
        QCOMPARE(mode(), QStringLiteral("'auto'"));
    }

private:
    QString settingsPath() const { return m_dir->filePath(QStringLiteral("settings.json")); }
    QString recoveryPath() const { return m_dir->filePath(QStringLiteral("recovery.json")); }

    void launch(const AppSettings& settings)
    {
        QVERIFY(!SettingsStore(settingsPath()).save(settings));
        AppController::Options options;
        options.settingsPath = settingsPath();
        options.demoStateDirectory = m_dir->filePath(QStringLiteral("demo"));
        options.systemProxyRecoveryPath = recoveryPath();
        options.interactive = false;
        m_app = std::make_unique<AppController>(options);
        QVERIFY(m_app->systemProxy()->supported());
        QSignalSpy started(m_app->engine(), &EngineController::started);
        m_app->launch();
        QVERIFY(started.wait(kWaitMs));
    }

    void startApp(QProcess& app)
    {
        app.setProgram(QStringLiteral(ECHW_GUI_BIN));
        app.setProcessChannelMode(QProcess::ForwardedChannels);
        app.start();
        QVERIFY(app.waitForStarted(kWaitMs));
    }

    void killAfterItSetTheProxy()
    {
        QProcess app;
        startApp(app);
        QTRY_COMPARE_WITH_TIMEOUT(mode(), QStringLiteral("'manual'"), kWaitMs);
        app.kill(); // SIGKILL: nothing of the app runs after this
        QVERIFY(app.waitForFinished(kWaitMs));
        QCOMPARE(app.exitStatus(), QProcess::CrashExit);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<AppController> m_app;
};

QTEST_MAIN(TestSystemProxySwitch)
#include "tst_systemproxyswitch.moc"
