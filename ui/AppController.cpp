#include "AppController.h"

#include "EngineController.h"
#include "SystemProxySwitch.h"
#include "Theme.h"
#include "WindowMemory.h"
#include "config/LegacyConfigImport.h"
#include "dashboard/DashboardWindow.h"
#include "demo/DemoTraffic.h"
#include "demo/LocalDemo.h"
#include "desktop/LoginItem.h"
#include "settings/SettingsDialog.h"
#include "system/LogCollector.h"
#include "tray/TrayController.h"

#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QFileInfo>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QMessageBox>
#include <QStatusBar>

namespace echw {

Q_LOGGING_CATEGORY(lcApp, "echw.app")

namespace {

constexpr auto kLogInterval = std::chrono::milliseconds(250);

DashboardWindow::EngineState dashboardState(ProxyState state)
{
    switch (state) {
    case ProxyState::Stopped:
        return DashboardWindow::EngineState::Stopped;
    case ProxyState::Starting:
        return DashboardWindow::EngineState::Starting;
    case ProxyState::Running:
        return DashboardWindow::EngineState::Running;
    case ProxyState::Failing:
        return DashboardWindow::EngineState::Failed;
    }
    return DashboardWindow::EngineState::Stopped;
}

} // namespace

AppController::AppController(Options options, QObject* parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_store(m_options.settingsPath)
    , m_engine(std::make_unique<EngineController>())
    , m_dashboard(std::make_unique<DashboardWindow>())
    , m_tray(std::make_unique<TrayController>())
    , m_demo(std::make_unique<LocalDemo>())
    , m_demoTraffic(std::make_unique<DemoTraffic>())
    , m_systemProxy(std::make_unique<SystemProxySwitch>(
          m_options.systemProxyRecoveryPath.isEmpty()
              ? nullptr
              : SystemProxy::forThisDesktop(m_options.systemProxyRecoveryPath)))
    , m_loginItem(LoginItem::forThisPlatform(
          {QCoreApplication::applicationFilePath(), {QStringLiteral("--autostart")}}))
{
    m_dashboard->setWindowIcon(appIcon());
    m_dashboard->installEventFilter(this);
    wireEngine();
    wireDashboard();
    wireTray();
    connect(m_systemProxy.get(), &SystemProxySwitch::activeChanged, this,
            &AppController::refreshSystemProxyView);
    connect(m_systemProxy.get(), &SystemProxySwitch::failed, this,
            [this](const SystemProxyError& error) {
                refreshSystemProxyView();
                report(tr("The system proxy was not changed"), error.text());
            });
    if (m_options.log) {
        m_logTimer.setInterval(kLogInterval);
        connect(&m_logTimer, &QTimer::timeout, this, [this] {
            quint64 dropped = 0;
            QList<LogLine> lines = m_options.log->take(&dropped);
            if (!lines.isEmpty() || dropped > 0)
                m_dashboard->appendLog(lines, dropped);
        });
        m_logTimer.start();
    }
}

AppController::~AppController()
{
    m_demoTraffic->stop();
    delete m_settingsDialog.data();
}

void AppController::wireEngine()
{
    connect(m_engine.get(), &EngineController::started, this, [this](const QString& address) {
        qCInfo(lcApp, "the proxy is listening on %s", qPrintable(address));
        setState(ProxyState::Running, address);
        m_systemProxy->proxyRunning(address);
        if (m_demoActive && m_demo->isReady()) {
            const QString host = address.section(u':', 0, -2).remove(u'[').remove(u']');
            m_demoTraffic->start(host, quint16(address.section(u':', -1).toUInt()),
                                 m_demo->originPort());
            m_dashboard->setDemoHint(
                tr("Demo traffic is running. Try it yourself:\n"
                   "  curl --socks5-hostname %1 http://localhost:%2/bytes/50000000 -o /dev/null\n"
                   "  curl -x http://%1 http://localhost:%2/hello")
                    .arg(address)
                    .arg(m_demo->originPort()));
        }
    });
    connect(m_engine.get(), &EngineController::startFailed, this, [this](const QString& error) {
        setState(ProxyState::Failing, error);
        m_showingError = true;
        report(tr("The proxy did not start"), error);
    });
    connect(m_engine.get(), &EngineController::reconfigured, this, [this](const QString& address) {
        setState(ProxyState::Running, address);
        m_systemProxy->proxyRunning(address);
    });
    connect(
        m_engine.get(), &EngineController::reconfigureFailed, this,
        [this](const QString& error) { report(tr("The new settings were not applied"), error); });
    connect(m_engine.get(), &EngineController::stopped, this, [this] {
        m_systemProxy->proxyStopped();
        m_demoTraffic->stop();
        setState(ProxyState::Stopped, {});
        if (std::exchange(m_restartAfterStop, false))
            startProxy();
    });
    connect(m_engine.get(), &EngineController::snapshotReady, this,
            [this](const EngineSnapshot& snapshot) {
                m_dashboard->applySnapshot(snapshot);
                if (!snapshot.running)
                    return;
                // The dashboard shows the tunnel's state from the snapshot itself; the tray
                // icon turns red while the tunnel fails even though the proxy runs.
                const bool failing = snapshot.tunnel.state == TunnelStatus::State::Failing;
                m_state = failing ? ProxyState::Failing : ProxyState::Running;
                m_tray->setState(m_state,
                                 failing ? snapshot.tunnel.detail : snapshot.listenAddress);
                m_tray->setRates(snapshot.rateUp, snapshot.rateDown);
            });
}

void AppController::wireDashboard()
{
    DashboardWindow* window = m_dashboard.get();
    connect(window, &DashboardWindow::startRequested, this, &AppController::startProxy);
    connect(window, &DashboardWindow::stopRequested, this, &AppController::stopProxy);
    connect(window, &DashboardWindow::settingsRequested, this, &AppController::openSettings);
    connect(window, &DashboardWindow::quitRequested, this, &AppController::quit);
    connect(window, &DashboardWindow::demoRequested, this, &AppController::startDemo);
    connect(window, &DashboardWindow::closeConnectionRequested, m_engine.get(),
            &EngineController::closeConnection);
    connect(window, &DashboardWindow::sortRequested, m_engine.get(), &EngineController::setSort);
    if (m_options.log) {
        connect(window, &DashboardWindow::logLevelChosen, this,
                [this](QtMsgType level) { m_options.log->collectFrom(level); });
    }

    connect(m_demo.get(), &LocalDemo::ready, this, [this] {
        m_demoActive = true;
        refreshServerViews();
        if (m_engine->isRunning()) {
            m_restartAfterStop = true;
            m_engine->stop();
        } else {
            startProxy();
        }
    });
    connect(m_demo.get(), &LocalDemo::failed, this, [this](const QString& reason) {
        const bool wasActive = std::exchange(m_demoActive, false);
        m_demoTraffic->stop();
        refreshServerViews();
        if (wasActive)
            m_engine->stop();
        setState(ProxyState::Failing, reason);
        m_showingError = true;
        report(tr("The local demo did not start"), reason);
    });
}

void AppController::wireTray()
{
    TrayController* tray = m_tray.get();
    connect(tray, &TrayController::startRequested, this, &AppController::startProxy);
    connect(tray, &TrayController::stopRequested, this, &AppController::stopProxy);
    connect(tray, &TrayController::dashboardRequested, this, &AppController::showDashboard);
    connect(tray, &TrayController::settingsRequested, this, &AppController::openSettings);
    connect(tray, &TrayController::quitRequested, this, &AppController::quit);
    connect(tray, &TrayController::serverChosen, this, [this](const QString& id) {
        AppSettings changed = m_settings;
        changed.activeServerId = id;
        stopDemo();
        applySettings(changed);
        if (!m_engine->isRunning())
            startProxy();
    });
    connect(tray, &TrayController::systemProxyToggled, this, [this](bool wanted) {
        AppSettings changed = m_settings;
        changed.systemProxy = wanted;
        if (!applySettings(changed))
            refreshSystemProxyView();
    });
    connect(tray, &TrayController::copyEnvironmentRequested, this,
            &AppController::copyProxyEnvironment);
    connect(tray, &TrayController::routingChosen, this, [this](RoutingMode mode) {
        AppSettings changed = m_settings;
        changed.routing = mode;
        applySettings(changed);
    });
    connect(tray, &TrayController::startAtLoginToggled, this, &AppController::setStartAtLogin);
    // The entry on disk is the truth (the user may delete it): read again each time.
    connect(tray->menu(), &QMenu::aboutToShow, this, &AppController::refreshStartAtLogin);
    tray->startAtLoginAction()->setVisible(m_loginItem != nullptr);
    refreshStartAtLogin();
}

void AppController::launch()
{
    SettingsStore::LoadResult loaded = m_store.load();
    m_settings = loaded.settings;
    switch (loaded.status) {
    case SettingsStore::LoadResult::Status::Loaded:
    case SettingsStore::LoadResult::Status::Missing:
        break;
    case SettingsStore::LoadResult::Status::MovedAside:
        report(tr("Settings could not be read"),
               tr("%1\nThe file was moved to %2; the defaults are used.")
                   .arg(loaded.reason, loaded.backupPath));
        break;
    case SettingsStore::LoadResult::Status::Failed:
        report(
            tr("Settings could not be read"),
            tr("%1\nThe file was left as it is and will not be overwritten.").arg(loaded.reason));
        break;
    }
    if (loaded.status == SettingsStore::LoadResult::Status::Missing && m_options.interactive)
        offerLegacyImport();
    refreshServerViews();
    // Before anything else touches them: what a crashed run left in the desktop's settings.
    m_systemProxy->recover();
    m_systemProxy->setWanted(m_settings.systemProxy);
    refreshSystemProxyView();
    applyThemeSetting();
    WindowMemory(m_options.windowStatePath).restore(*m_dashboard);

    m_tray->show();
    if (!TrayController::isSystemTrayAvailable()) {
        qCInfo(lcApp, "no system tray: the dashboard window is the app's home");
        // At login the home waits minimized, as it would in the tray.
        if (m_options.startedAtLogin)
            m_dashboard->showMinimized();
        else
            m_dashboard->show();
        m_dashboard->statusBar()->showMessage(
            tr("No system tray was found: this window is the app's home, and closing it quits."));
    } else if (!(m_settings.startMinimized || m_options.startedAtLogin) ||
               m_settings.servers.isEmpty()) {
        m_dashboard->show();
    }
    if (m_options.startedAtLogin)
        qCInfo(lcApp, "started at login: the window stays minimized");
    if (m_settings.activeServer())
        startProxy();
}

void AppController::offerLegacyImport()
{
    for (const QString& path : legacyConfigCandidates()) {
        if (!QFileInfo::exists(path))
            continue;
        const LegacyImport imported = importLegacyConfigFile(path);
        if (imported.servers.isEmpty())
            return;
        const auto answer = QMessageBox::question(
            nullptr, tr("Import servers"),
            tr("Settings of the ECH Workers Python GUI were found at %1 with %n server(s). "
               "Import them?",
               nullptr, int(imported.servers.size()))
                .arg(path));
        if (answer != QMessageBox::Yes)
            return;
        AppSettings merged = m_settings;
        imported.mergeInto(merged);
        applySettings(merged);
        if (!imported.problems.isEmpty())
            report(tr("Some entries were not imported"), imported.problems.join(u'\n'));
        return;
    }
}

std::variant<ProxySettings, Problem>
AppController::engineSettingsFor(const AppSettings& settings) const
{
    AppSettings effective = settings;
    if (m_demoActive) {
        effective.servers = {m_demo->profile()};
        effective.activeServerId = m_demo->profile().id;
        // The demo website is on loopback: tunnel everything so the demo shows the tunnel.
        effective.routing = RoutingMode::Global;
    }
    auto converted = effective.toProxySettings();
    if (auto* proxy = std::get_if<ProxySettings>(&converted)) {
        if (!m_demoActive)
            proxy->echCacheFile = m_options.echCacheFile;
        proxy->updatedListDirectory = m_options.updatedListDirectory;
    }
    return converted;
}

std::variant<EngineConfig, QString>
AppController::engineConfigFor(const AppSettings& settings) const
{
    const auto converted = engineSettingsFor(settings);
    if (auto* problem = std::get_if<Problem>(&converted))
        return problem->text();
    auto parsed = EngineConfig::parse(std::get<ProxySettings>(converted));
    if (auto* error = std::get_if<ConfigError>(&parsed))
        return error->text();
    return std::get<EngineConfig>(std::move(parsed));
}

std::optional<EngineConfig> AppController::engineConfigToRun()
{
    auto config = engineConfigFor(m_settings);
    if (auto* error = std::get_if<QString>(&config)) {
        showStoppedWithError(*error);
        return std::nullopt;
    }
    return std::get<EngineConfig>(std::move(config));
}

void AppController::startProxy()
{
    if (m_engine->isRunning())
        return;
    const auto config = engineConfigToRun();
    if (!config)
        return;
    setState(ProxyState::Starting, config->listenText);
    m_engine->start(*config);
}

void AppController::stopProxy()
{
    m_restartAfterStop = false;
    stopDemo();
    m_engine->stop();
}

void AppController::startDemo()
{
    const LocalDemo::Programs programs = LocalDemo::findPrograms();
    setState(ProxyState::Starting, tr("starting the local demo server"));
    m_demo->start(programs, m_options.demoStateDirectory);
}

void AppController::stopDemo()
{
    if (!m_demoActive)
        return;
    m_demoActive = false;
    m_demoTraffic->stop();
    m_demo->stop();
    m_dashboard->setDemoHint({});
    refreshServerViews();
}

bool AppController::applySettings(const AppSettings& settings)
{
    if (const auto error = m_store.save(settings)) {
        report(tr("Settings were not saved"), *error);
        return false;
    }
    const auto engineBefore = engineSettingsFor(m_settings);
    const bool systemProxyBefore = m_settings.systemProxy;
    const QString themeBefore = m_settings.theme;
    m_settings = settings;
    if (m_settings.theme != themeBefore)
        applyThemeSetting();
    if (m_settings.systemProxy != systemProxyBefore) {
        if (m_settings.systemProxy && !m_systemProxy->supported()) {
            const auto target = systemProxyTargetFor(
                m_engine->isRunning() ? m_engine->listenAddress() : m_settings.listen);
            QString text = m_systemProxy->unsupportedReason();
            if (target)
                text += tr("\n\nFor programs started from a terminal:\n%1")
                            .arg(proxyEnvironmentCommands(*target));
            report(tr("The system proxy cannot be set here"), text);
        }
        m_systemProxy->setWanted(m_settings.systemProxy);
        refreshSystemProxyView();
    }
    // A real server replaces the demo.
    if (m_demoActive && m_settings.activeServer()) {
        stopDemo();
        m_restartAfterStop = true;
        m_engine->stop();
    }
    refreshServerViews();
    const bool engineSettingsChanged = !(engineSettingsFor(m_settings) == engineBefore);
    // An error about the settings before is stale now: say what these settings give instead.
    if (m_showingError && !m_engine->isRunning() && engineSettingsChanged) {
        const auto config = engineConfigFor(m_settings);
        if (auto* error = std::get_if<QString>(&config))
            showStoppedWithError(*error);
        else
            setState(ProxyState::Stopped, {});
    }
    // Only what the engine uses reaches it, and then for new connections: open ones go on.
    if (m_engine->isRunning() && !m_demoActive && engineSettingsChanged) {
        // A configuration that cannot run never replaces one that runs.
        const auto config = engineConfigFor(m_settings);
        if (auto* error = std::get_if<QString>(&config))
            report(tr("The new settings were not applied"), *error);
        else
            m_engine->reconfigure(std::get<EngineConfig>(config));
    }
    return true;
}

void AppController::openSettings()
{
    if (!m_settingsDialog) {
        m_settingsDialog = new SettingsDialog(m_settings, m_dashboard.get());
        m_settingsDialog->setAttribute(Qt::WA_DeleteOnClose);
        m_settingsDialog->setCertificateDirectory(m_options.certificateDirectory);
        connect(m_settingsDialog, &SettingsDialog::applied, this,
                [this](const AppSettings& settings) { applySettings(settings); });
        connect(m_settingsDialog, &SettingsDialog::startAtLoginChosen, this,
                &AppController::setStartAtLogin);
        if (m_settings.servers.isEmpty())
            m_settingsDialog->addServer();
    }
    refreshStartAtLogin();
    m_settingsDialog->show();
    m_settingsDialog->raise();
    m_settingsDialog->activateWindow();
}

void AppController::quit()
{
    // First: the desktop must not point at a proxy that is about to go.
    m_systemProxy->proxyStopped();
    m_demoTraffic->stop();
    m_demoActive = false;
    m_demo->stop();
    m_engine->stop();
    rememberWindow();
    m_dashboard->hide();
    Q_EMIT quitRequested();
}

void AppController::sessionEnding()
{
    m_systemProxy->proxyStopped();
    rememberWindow();
}

void AppController::applyThemeSetting()
{
    if (auto* app = qobject_cast<QApplication*>(QCoreApplication::instance()))
        applyTheme(*app, themeFromName(m_settings.theme).value_or(Theme::System));
}

void AppController::rememberWindow()
{
    if (m_dashboard->isVisible())
        WindowMemory(m_options.windowStatePath).save(*m_dashboard);
}

void AppController::refreshSystemProxyView()
{
    m_tray->setSystemProxy(m_settings.systemProxy, m_systemProxy->isActive(),
                           m_systemProxy->supported(), m_systemProxy->unsupportedReason());
}

void AppController::copyProxyEnvironment()
{
    QString lines = m_systemProxy->environmentCommands();
    if (lines.isEmpty()) {
        const auto target = systemProxyTargetFor(m_settings.listen);
        lines = target ? proxyEnvironmentCommands(*target) : QString();
    }
    QGuiApplication::clipboard()->setText(lines);
    m_tray->showMessage(tr("Copied"),
                        tr("Paste it into a terminal: programs started there use the proxy."));
}

void AppController::activate()
{
    qCInfo(lcApp, "a second launch: the dashboard comes to the front");
    showDashboard();
}

void AppController::setStartAtLogin(bool enabled)
{
    if (m_loginItem && m_loginItem->isEnabled() != enabled) {
        if (const auto error = m_loginItem->setEnabled(enabled))
            report(enabled ? tr("Start at login was not turned on")
                           : tr("Start at login was not turned off"),
                   *error);
    }
    refreshStartAtLogin();
}

void AppController::refreshStartAtLogin()
{
    if (!m_loginItem)
        return;
    const bool enabled = m_loginItem->isEnabled();
    m_tray->setStartAtLogin(enabled);
    if (m_settingsDialog)
        m_settingsDialog->setStartAtLogin(enabled);
}

void AppController::refreshServerViews()
{
    const ServerProfile* active = m_demoActive ? &m_demo->profile() : m_settings.activeServer();
    const QString name =
        active ? (active->name.isEmpty() ? active->address : active->name) : QString();
    // What is in effect, not only what is saved: the demo runs on its own server, global.
    const RoutingMode mode = m_demoActive ? RoutingMode::Global : m_settings.routing;
    m_dashboard->setServer(name, mode);
    m_dashboard->setDemoOffered(m_settings.servers.isEmpty() && !m_demoActive);
    m_tray->setSummary(name, mode);
    if (m_demoActive) {
        m_tray->setDemoServer(name);
        m_tray->setRouting(mode, tr("The local demo sends everything through the tunnel, to "
                                    "show it; routing applies to your own servers."));
    } else {
        m_tray->setServers(m_settings.servers, m_settings.activeServerId);
        m_tray->setRouting(mode);
    }
}

void AppController::showStoppedWithError(const QString& error)
{
    setState(ProxyState::Stopped, {});
    m_dashboard->setEngineState(DashboardWindow::EngineState::Failed, error);
    m_showingError = true;
}

void AppController::setState(ProxyState state, const QString& detail)
{
    m_showingError = false;
    m_state = state;
    m_tray->setState(state, detail);
    m_dashboard->setEngineState(dashboardState(state), detail);
}

void AppController::showDashboard()
{
    m_dashboard->showNormal();
    m_dashboard->raise();
    m_dashboard->activateWindow();
}

void AppController::report(const QString& title, const QString& text)
{
    qCWarning(lcApp, "%s: %s", qPrintable(title), qPrintable(text));
    if (m_options.interactive)
        QMessageBox::warning(m_dashboard->isVisible() ? m_dashboard.get() : nullptr, title, text);
}

bool AppController::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_dashboard.get() && event->type() == QEvent::Close &&
        TrayController::isSystemTrayAvailable()) {
        // With a tray the app lives on there; closing the window only hides it.
        event->ignore();
        rememberWindow();
        m_dashboard->hide();
        if (!std::exchange(m_closeHintShown, true))
            m_tray->showMessage(tr("ECH Workers is still running"),
                                tr("The proxy keeps running in the tray. Quit from its menu."));
        return true;
    }
    if (watched == m_dashboard.get() && event->type() == QEvent::Close)
        quit();
    return QObject::eventFilter(watched, event);
}

} // namespace echw
