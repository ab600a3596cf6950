#pragma once

#include "config/AppSettings.h"
#include "config/EngineConfig.h"
#include "config/SettingsStore.h"
#include "tray/TrayIcons.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <variant>

namespace echw {

class DashboardWindow;
class DemoTraffic;
class EngineController;
class LocalDemo;
class LogCollector;
class LoginItem;
class SettingsDialog;
class SystemProxySwitch;
class TrayController;

// The desktop app: settings, the engine on its thread, the dashboard, the tray and the local
// demo, wired together. Views hold no logic; what a click means is decided here.
class AppController final : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString settingsPath;       // the settings JSON file
        QString demoStateDirectory; // the demo server's keys and certificate
        QString echCacheFile;       // empty: ECH configs are not kept between runs
        QString updatedListDirectory;
        // Where CA certificates of servers added from share links are kept.
        QString certificateDirectory;
        // Where the system proxy keeps what to put back (see SystemProxy); empty: the app
        // never changes the desktop's proxy settings (tests that do not ask for it).
        QString systemProxyRecoveryPath;
        // The dashboard's geometry, tab, columns (WindowMemory); empty: not remembered.
        QString windowStatePath;
        LogCollector* log = nullptr; // where the log view's lines come from; may be null
        // False in tests: no message boxes, no first-run import question.
        bool interactive = true;
        // Started by the desktop at login (--autostart): the window stays minimized.
        bool startedAtLogin = false;
    };

    explicit AppController(Options options, QObject* parent = nullptr);
    ~AppController() override;

    // Loads the settings (reporting a corrupt file), offers the reference GUI's config on a
    // first run, shows the tray and the dashboard, and starts the proxy when a server is set.
    void launch();

    void startProxy();
    void stopProxy();
    void startDemo();
    // Saves, and restarts a running proxy with the new settings; false (and a message) when
    // they could not be saved.
    bool applySettings(const AppSettings& settings);
    void openSettings();
    void quit();
    // The session is ending (log-out): the desktop's proxy settings go back now, as the
    // process may not get to run its quit.
    void sessionEnding();
    // A second launch asked to be seen: the dashboard comes to the front.
    void activate();
    // Writes or removes the login item (a message when that fails); the tray and the settings
    // show what is on disk afterwards.
    void setStartAtLogin(bool enabled);

    const AppSettings& settings() const { return m_settings; }
    bool isDemoActive() const { return m_demoActive; }
    DashboardWindow* dashboard() const { return m_dashboard.get(); }
    TrayController* tray() const { return m_tray.get(); }
    EngineController* engine() const { return m_engine.get(); }
    SystemProxySwitch* systemProxy() const { return m_systemProxy.get(); }
    LocalDemo* demo() const { return m_demo.get(); }
    DemoTraffic* demoTraffic() const { return m_demoTraffic.get(); }
    // Null where the platform has none yet.
    LoginItem* loginItem() const { return m_loginItem.get(); }

Q_SIGNALS:
    // The user chose Quit; the engine and the demo are stopped by then.
    void quitRequested();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void wireEngine();
    void wireDashboard();
    void wireTray();
    void offerLegacyImport();
    void refreshServerViews();
    void refreshSystemProxyView();
    void copyProxyEnvironment();
    void applyThemeSetting();
    void rememberWindow();
    void refreshStartAtLogin();
    void setState(ProxyState state, const QString& detail);
    // Stopped, with the reason the proxy is not running on the dashboard until the state or
    // the settings change.
    void showStoppedWithError(const QString& error);
    void stopDemo();
    void showDashboard();
    void report(const QString& title, const QString& text);
    // What the engine runs with these settings (the demo's server while it is active), or
    // why it cannot run.
    std::variant<ProxySettings, Problem> engineSettingsFor(const AppSettings& settings) const;
    std::variant<EngineConfig, QString> engineConfigFor(const AppSettings& settings) const;
    std::optional<EngineConfig> engineConfigToRun();

    Options m_options;
    SettingsStore m_store;
    AppSettings m_settings;
    std::unique_ptr<EngineController> m_engine;
    std::unique_ptr<DashboardWindow> m_dashboard;
    std::unique_ptr<TrayController> m_tray;
    std::unique_ptr<LocalDemo> m_demo;
    std::unique_ptr<DemoTraffic> m_demoTraffic;
    std::unique_ptr<SystemProxySwitch> m_systemProxy;
    std::unique_ptr<LoginItem> m_loginItem;
    QPointer<SettingsDialog> m_settingsDialog;
    QTimer m_logTimer;
    ProxyState m_state = ProxyState::Stopped;
    bool m_demoActive = false;
    bool m_restartAfterStop = false;
    // The dashboard shows why the proxy is not running (a start that failed or could not be
    // made); a change of what the engine would run replaces it.
    bool m_showingError = false;
    bool m_closeHintShown = false;
};

} // namespace echw
