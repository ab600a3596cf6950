// The desktop app as a user drives it: tray actions, the server and routing menus, and the
// local demo from the dashboard with real traffic moving the chart and the connection table.
#include "AppController.h"
#include "EngineController.h"
#include "config/SettingsStore.h"
#include "dashboard/ClosedConnectionModel.h"
#include "dashboard/ConnectionTableModel.h"
#include "dashboard/ConnectionsPanel.h"
#include "dashboard/DashboardWindow.h"
#include "dashboard/ThroughputChart.h"
#include "demo/DemoTraffic.h"
#include "demo/LocalDemo.h"
#include "desktop/LoginItem.h"
#include "settings/SettingsDialog.h"
#include "tray/TrayController.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;

namespace {

constexpr int kWaitMs = 20'000;

ServerProfile server(const QString& name, quint16 port)
{
    ServerProfile profile;
    profile.id = ServerProfile::newId();
    profile.name = name;
    // Nothing answers there: the engine starts (it listens at once) and tunnels would fail.
    profile.address = QStringLiteral("localhost:%1").arg(port);
    profile.token = QStringLiteral("secret-token");
    profile.dohServer = QStringLiteral("https://127.0.0.1:%1/dns-query").arg(port);
    return profile;
}

QAction* routingItemIn(QMenu* menu, RoutingMode mode)
{
    for (QAction* action : menu->actions()) {
        if (action->data().toString() == routingModeName(mode))
            return action;
    }
    return nullptr;
}

QAction* actionNamed(QMenu* menu, const QString& text)
{
    for (QAction* action : menu->actions()) {
        if (action->text() == text || action->text().contains(text))
            return action;
    }
    return nullptr;
}

} // namespace

class TestAppController : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        qputenv("ECHW_SERVER_BIN", ECHW_SERVER_BIN);
        qputenv("ECHW_ORIGIN_BIN", ECHW_ORIGIN_BIN);
        // The login item is the XDG autostart entry under here, never the user's own.
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_dir->filePath(QStringLiteral("config"))));
    }

    void cleanup() { m_app.reset(); }

    void trayStartsAndStopsTheEngine()
    {
        saveSettings({server(QStringLiteral("one"), 1)});
        createApp();
        QSignalSpy started(m_app->engine(), &EngineController::started);
        m_app->launch(); // a configured server starts at launch
        QVERIFY(started.wait(kWaitMs));
        QVERIFY(m_app->engine()->isRunning());
        QCOMPARE(m_app->tray()->startStopAction()->text(), QStringLiteral("Stop proxy"));

        QSignalSpy stopped(m_app->engine(), &EngineController::stopped);
        m_app->tray()->startStopAction()->trigger();
        QVERIFY(stopped.wait(kWaitMs));
        QVERIFY(!m_app->engine()->isRunning());
        QCOMPARE(m_app->tray()->startStopAction()->text(), QStringLiteral("Start proxy"));

        m_app->tray()->startStopAction()->trigger();
        QVERIFY(started.wait(kWaitMs));
        QVERIFY(m_app->engine()->isRunning());
    }

    void serverMenuSwitchesAndPersistsTheActiveServer()
    {
        const ServerProfile first = server(QStringLiteral("first"), 1);
        const ServerProfile second = server(QStringLiteral("second"), 2);
        saveSettings({first, second});
        createApp();
        QSignalSpy started(m_app->engine(), &EngineController::started);
        m_app->launch();
        QVERIFY(started.wait(kWaitMs));

        QAction* choice = actionNamed(m_app->tray()->serverMenu(), QStringLiteral("second"));
        QVERIFY(choice);
        QVERIFY(!choice->isChecked());
        QSignalSpy reconfigured(m_app->engine(), &EngineController::reconfigured);
        QSignalSpy stopped(m_app->engine(), &EngineController::stopped);
        choice->trigger();
        QCOMPARE(m_app->settings().activeServerId, second.id);
        // New connections go to the new server; the proxy was not stopped for it.
        QVERIFY(reconfigured.wait(kWaitMs));
        QCOMPARE(stopped.size(), 0);
        QVERIFY(m_app->engine()->isRunning());
        QCOMPARE(SettingsStore(settingsPath()).load().settings.activeServerId, second.id);
        QVERIFY(actionNamed(m_app->tray()->serverMenu(), QStringLiteral("second"))->isChecked());
    }

    void routingMenuChangesAndPersistsTheMode()
    {
        saveSettings({server(QStringLiteral("one"), 1)});
        createApp();
        m_app->launch();
        QAction* none = routingItem(RoutingMode::None);
        QVERIFY(none);
        none->trigger();
        QCOMPARE(m_app->settings().routing, RoutingMode::None);
        QCOMPARE(SettingsStore(settingsPath()).load().settings.routing, RoutingMode::None);
        QVERIFY(none->isChecked());
    }

    void aSettingTheEngineDoesNotUseKeepsItRunning()
    {
        saveSettings({server(QStringLiteral("one"), 1)});
        createApp();
        QSignalSpy started(m_app->engine(), &EngineController::started);
        m_app->launch();
        QVERIFY(started.wait(kWaitMs));
        QSignalSpy stopped(m_app->engine(), &EngineController::stopped);

        AppSettings unrelated = m_app->settings();
        unrelated.language = QStringLiteral("zh_CN");
        unrelated.startMinimized = !unrelated.startMinimized;
        QSignalSpy snapshots(m_app->engine(), &EngineController::snapshotReady);
        QVERIFY(m_app->applySettings(unrelated));
        // A stop queued by the change would be followed by a stopped engine's snapshot (at most
        // one running snapshot was already on its way): two running ones mean none was.
        QVERIFY(QTest::qWaitFor([&] { return snapshots.size() >= 2; }, kWaitMs));
        for (const QList<QVariant>& arguments : snapshots)
            QVERIFY(arguments.at(0).value<EngineSnapshot>().running);
        QVERIFY(stopped.isEmpty());
        QVERIFY(m_app->engine()->isRunning());
    }

    void withoutServersTheDashboardOffersTheDemoAndItCarriesTraffic()
    {
        saveSettings({});
        createApp();
        m_app->launch();
        auto* demoButton =
            m_app->dashboard()->findChild<QPushButton*>(QStringLiteral("demoButton"));
        QVERIFY(demoButton);
        QVERIFY(demoButton->isVisibleTo(m_app->dashboard()));
        QVERIFY(!m_app->engine()->isRunning());

        QSignalSpy started(m_app->engine(), &EngineController::started);
        QTest::mouseClick(demoButton, Qt::LeftButton);
        QVERIFY(started.wait(kWaitMs));
        QVERIFY(m_app->isDemoActive());
        QVERIFY(!demoButton->isVisibleTo(m_app->dashboard()));

        // curl through the proxy as the hint suggests, next to the app's own demo traffic.
        QProcess curl;
        curl.start(QStringLiteral(ECHW_CURL_BIN),
                   {QStringLiteral("-sS"), QStringLiteral("--max-time"), QStringLiteral("15"),
                    QStringLiteral("-x"),
                    QStringLiteral("http://") + m_app->engine()->listenAddress(),
                    QStringLiteral("http://localhost:%1/hello").arg(m_app->demo()->originPort())});
        QVERIFY(curl.waitForFinished(kWaitMs));
        QCOMPARE(curl.exitCode(), 0);
        QVERIFY(curl.readAllStandardOutput().startsWith("hello from localhost:"));

        ThroughputChart* chart = m_app->dashboard()->throughputChart();
        const int pointsBefore = chart->pointCount();
        QVERIFY(QTest::qWaitFor(
            [&] {
                return m_app->dashboard()->connectionModel()->rowCount() >= 1 &&
                       chart->pointCount() >= pointsBefore + 2;
            },
            kWaitMs));
        auto* status = m_app->dashboard()->findChild<QLabel*>(QStringLiteral("statusLabel"));
        QVERIFY(status);
        QVERIFY(QTest::qWaitFor(
            [&] { return status->text().contains(QStringLiteral("ECH accepted")); }, kWaitMs));
        QVERIFY(status->text().contains(QStringLiteral("Local demo")));
        QVERIFY(m_app->demoTraffic()->isRunning());

        // curl's connection ended: the history has it, with what it carried.
        const QString curlTarget = QStringLiteral("localhost:%1").arg(m_app->demo()->originPort());
        ClosedConnectionModel* history = m_app->dashboard()->connectionsPanel()->closedModel();
        const auto curlRow = [&] {
            for (int row = 0; row < history->rowCount(); ++row) {
                if (history->index(row, ClosedConnectionModel::Target).data() == curlTarget)
                    return row;
            }
            return -1;
        };
        QVERIFY(QTest::qWaitFor([&] { return curlRow() >= 0; }, kWaitMs));
        QVERIFY(history->index(curlRow(), ClosedConnectionModel::Down).data() !=
                QStringLiteral("0 B"));
        QCOMPARE(history->index(curlRow(), ClosedConnectionModel::Via).data(),
                 QVariant(QStringLiteral("HTTP")));
    }

    void aRealServerReplacesTheDemo()
    {
        launchDemo();
        QSignalSpy started(m_app->engine(), &EngineController::started);

        AppSettings settings = m_app->settings();
        settings.servers = {server(QStringLiteral("real"), 1)};
        settings.activeServerId = settings.servers[0].id;
        QVERIFY(m_app->applySettings(settings));
        QVERIFY(!m_app->isDemoActive());
        QVERIFY(started.wait(kWaitMs)); // restarted on the real server
        QVERIFY(!m_app->demoTraffic()->isRunning());
        QCOMPARE(SettingsStore(settingsPath()).load().settings.servers.size(), 1);
    }

    void anErrorTheNewSettingsNoLongerCauseIsCleared()
    {
        saveSettings({});
        createApp();
        m_app->launch();
        m_app->startProxy();
        QLabel* status = statusLabel();
        QVERIFY(status->toolTip().contains(QStringLiteral("no server is configured")));

        AppSettings settings = m_app->settings();
        settings.servers = {server(QStringLiteral("added"), 1)};
        settings.activeServerId = settings.servers[0].id;
        QVERIFY(m_app->applySettings(settings));
        QVERIFY2(!status->toolTip().contains(QStringLiteral("Failed")),
                 qPrintable(status->toolTip()));
        QVERIFY(status->toolTip().contains(QStringLiteral("Server: added")));
        QVERIFY(status->toolTip().contains(QStringLiteral("Stopped")));
    }

    void anErrorTheNewSettingsStillCauseStays()
    {
        saveSettings({});
        createApp();
        m_app->launch();
        m_app->startProxy();
        AppSettings settings = m_app->settings();
        settings.routing = RoutingMode::Global;
        QVERIFY(m_app->applySettings(settings));
        QVERIFY(statusLabel()->toolTip().contains(QStringLiteral("no server is configured")));
    }

    void routingNoneStartsWithoutAServer()
    {
        saveSettings({}, RoutingMode::None);
        createApp();
        m_app->launch();
        QSignalSpy started(m_app->engine(), &EngineController::started);
        m_app->startProxy();
        QVERIFY(started.wait(kWaitMs));
        QVERIFY(m_app->engine()->isRunning());
        QVERIFY(!statusLabel()->toolTip().contains(QStringLiteral("Failed")));
    }

    void duringTheDemoTheTrayShowsWhatIsInEffect()
    {
        launchDemo(); // saved routing: bypass_cn, the default
        QCOMPARE(m_app->settings().routing, RoutingMode::BypassCn);
        QAction* global = routingItem(RoutingMode::Global);
        QVERIFY(global);
        QVERIFY(global->isChecked());
        for (QAction* item : m_app->tray()->routingMenu()->actions()) {
            QVERIFY(!item->isEnabled());
            QVERIFY(!item->toolTip().isEmpty());
        }
        // A choice that could not apply is not taken.
        routingItem(RoutingMode::None)->trigger();
        QCOMPARE(m_app->settings().routing, RoutingMode::BypassCn);

        const QList<QAction*> servers = m_app->tray()->serverMenu()->actions();
        QCOMPARE(servers.size(), 1);
        QCOMPARE(servers[0]->text(), m_app->demo()->profile().name);
        QVERIFY(servers[0]->isChecked());
        QVERIFY(m_app->tray()->toolTip().contains(m_app->demo()->profile().name));

        // After the demo: the saved mode again, and choosable.
        QSignalSpy stopped(m_app->engine(), &EngineController::stopped);
        m_app->stopProxy();
        QVERIFY(stopped.wait(kWaitMs));
        QVERIFY(routingItem(RoutingMode::BypassCn)->isChecked());
        QVERIFY(routingItem(RoutingMode::None)->isEnabled());
    }

    void theTrayTooltipShowsServerModeAndRate()
    {
        saveSettings({server(QStringLiteral("one"), 1)}, RoutingMode::Global);
        createApp();
        m_app->launch();
        QVERIFY(QTest::qWaitFor(
            [&] { return m_app->tray()->toolTip().contains(QStringLiteral("B/s")); }, kWaitMs));
        const QString tip = m_app->tray()->toolTip();
        QVERIFY2(tip.contains(QStringLiteral("Server: one")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("Mode: Global")), qPrintable(tip));
    }

    void aCorruptSettingsFileIsMovedAsideAndReported()
    {
        QFile file(settingsPath());
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{ not json");
        file.close();
        createApp();
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("Settings could not be read")));
        m_app->launch();
        QVERIFY(m_app->settings().servers.isEmpty());
        const QStringList aside =
            QDir(m_dir->path()).entryList({QStringLiteral("settings.json.*")});
        QCOMPARE(aside.size(), 1);
    }

    void quitStopsEverything()
    {
        launchDemo();
        QSignalSpy quit(m_app.get(), &AppController::quitRequested);
        m_app->tray()->quitAction()->trigger();
        QCOMPARE(quit.size(), 1);
        QVERIFY(!m_app->demo()->isReady());
        QVERIFY(!m_app->demoTraffic()->isRunning());
    }

    void ctrlQInTheDashboardQuits()
    {
        saveSettings({});
        createApp();
        m_app->launch();
        m_app->dashboard()->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_app->dashboard()));
        QSignalSpy quit(m_app.get(), &AppController::quitRequested);
        QTest::keyClick(m_app->dashboard(), Qt::Key_Q, Qt::ControlModifier);
        QCOMPARE(quit.size(), 1);
    }

    void theTrayTurnsStartAtLoginOnAndOff()
    {
        saveSettings({});
        createApp();
        m_app->launch();
        QAction* startAtLogin = m_app->tray()->startAtLoginAction();
        QVERIFY(startAtLogin->isVisible());
        QVERIFY(startAtLogin->isCheckable());
        QVERIFY(!startAtLogin->isChecked());

        startAtLogin->trigger();
        QVERIFY(startAtLogin->isChecked());
        QVERIFY(m_app->loginItem()->isEnabled());
        QFile entry(autostartEntryPath());
        QVERIFY(entry.open(QIODevice::ReadOnly));
        // It starts this program at login, minimized to the tray.
        QVERIFY(entry.readAll().contains(
            (QCoreApplication::applicationFilePath() + QStringLiteral(" --autostart")).toUtf8()));

        startAtLogin->trigger();
        QVERIFY(!startAtLogin->isChecked());
        QVERIFY(!QFile::exists(autostartEntryPath()));
    }

    void theTrayShowsTheEntryOnDisk()
    {
        saveSettings({});
        createApp();
        m_app->launch();
        QAction* startAtLogin = m_app->tray()->startAtLoginAction();
        startAtLogin->trigger();
        QVERIFY(startAtLogin->isChecked());
        // The user deletes the file; the menu shows it off the next time it opens.
        QVERIFY(QFile::remove(autostartEntryPath()));
        Q_EMIT m_app->tray()->menu()->aboutToShow();
        QVERIFY(!startAtLogin->isChecked());
    }

    void theSettingsShowAndChangeTheEntryOnDisk()
    {
        saveSettings({server(QStringLiteral("one"), 1)});
        createApp();
        m_app->launch();
        m_app->setStartAtLogin(true);
        QVERIFY(QFile::exists(autostartEntryPath()));

        m_app->openSettings();
        auto* dialog = m_app->dashboard()->findChild<SettingsDialog*>();
        QVERIFY(dialog);
        auto* box = dialog->findChild<QCheckBox*>(QStringLiteral("startAtLoginCheck"));
        QVERIFY(box);
        QVERIFY(box->isVisibleTo(box->parentWidget()));
        QVERIFY(box->isChecked());

        // Deleted by hand: the box shows it off when the settings are opened again.
        QVERIFY(QFile::remove(autostartEntryPath()));
        m_app->openSettings();
        QVERIFY(!box->isChecked());

        box->setChecked(true);
        auto* buttons = dialog->findChild<QDialogButtonBox*>(QStringLiteral("buttonBox"));
        QVERIFY(buttons);
        QTest::mouseClick(buttons->button(QDialogButtonBox::Apply), Qt::LeftButton);
        QVERIFY(QFile::exists(autostartEntryPath()));
        QVERIFY(m_app->tray()->startAtLoginAction()->isChecked());

        box->setChecked(false);
        QTest::mouseClick(buttons->button(QDialogButtonBox::Apply), Qt::LeftButton);
        QVERIFY(!QFile::exists(autostartEntryPath()));
    }

    void startedAtLoginTheWindowStaysMinimizedWithTheProxyRunning()
    {
        saveSettings({server(QStringLiteral("one"), 1)});
        createApp(/*startedAtLogin=*/true);
        QSignalSpy started(m_app->engine(), &EngineController::started);
        m_app->launch();
        QVERIFY(started.wait(kWaitMs));
        QVERIFY(m_app->engine()->isRunning());
        // The offscreen platform has no tray: the window, the app's home then, is minimized.
        QVERIFY(!TrayController::isSystemTrayAvailable());
        QVERIFY(m_app->dashboard()->isMinimized());
    }

    void startedByHandTheWindowIsNotMinimized()
    {
        saveSettings({server(QStringLiteral("one"), 1)});
        createApp();
        m_app->launch();
        QVERIFY(m_app->dashboard()->isVisible());
        QVERIFY(!m_app->dashboard()->isMinimized());
    }

    void aSecondLaunchBringsTheDashboardBack()
    {
        saveSettings({server(QStringLiteral("one"), 1)});
        createApp();
        m_app->launch();
        m_app->dashboard()->showMinimized();
        m_app->activate();
        QVERIFY(m_app->dashboard()->isVisible());
        QVERIFY(!m_app->dashboard()->isMinimized());
    }

private:
    QAction* routingItem(RoutingMode mode) const
    {
        return routingItemIn(m_app->tray()->routingMenu(), mode);
    }

    QLabel* statusLabel() const
    {
        auto* status = m_app->dashboard()->findChild<QLabel*>(QStringLiteral("statusLabel"));
        if (!status)
            qFatal("the dashboard has no status label");
        return status;
    }

    QString autostartEntryPath() const
    {
        return m_dir->filePath(QStringLiteral("config/autostart/ech-workers.desktop"));
    }

    QString settingsPath() const { return m_dir->filePath(QStringLiteral("settings.json")); }

    void saveSettings(const QList<ServerProfile>& servers,
                      RoutingMode routing = AppSettings{}.routing)
    {
        AppSettings settings;
        settings.routing = routing;
        settings.servers = servers;
        settings.activeServerId = servers.isEmpty() ? QString() : servers[0].id;
        settings.listen = QStringLiteral("127.0.0.1:0");
        QVERIFY(!SettingsStore(settingsPath()).save(settings));
    }

    // A first run (no servers) with the local demo started and the proxy running on it.
    void launchDemo()
    {
        saveSettings({});
        createApp();
        m_app->launch();
        QSignalSpy started(m_app->engine(), &EngineController::started);
        m_app->startDemo();
        QVERIFY(started.wait(kWaitMs));
        QVERIFY(m_app->isDemoActive());
    }

    void createApp(bool startedAtLogin = false)
    {
        AppController::Options options;
        options.settingsPath = settingsPath();
        options.demoStateDirectory = m_dir->filePath(QStringLiteral("demo"));
        options.interactive = false;
        options.startedAtLogin = startedAtLogin;
        m_app = std::make_unique<AppController>(options);
        m_app->engine()->setSnapshotInterval(std::chrono::milliseconds(100));
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<AppController> m_app;
};

QTEST_MAIN(TestAppController)
#include "tst_appcontroller.moc"
