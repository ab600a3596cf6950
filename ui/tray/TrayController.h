#pragma once

#include "config/AppSettings.h"
#include "tray/TrayIcons.h"

#include <QActionGroup>
#include <QMenu>
#include <QObject>
#include <QSystemTrayIcon>

#include <optional>
#include <utility>

namespace echw {

// The tray icon and its menu: start/stop (the icon shows the state), the server and routing
// submenus, the dashboard, settings and quit. The menu exists with or without a system tray,
// so the dashboard can offer the same actions and tests can trigger them.
class TrayController final : public QObject {
    Q_OBJECT
public:
    explicit TrayController(QObject* parent = nullptr);

    // False on desktops without a system tray: then the dashboard is the app's home.
    static bool isSystemTrayAvailable();
    // Shows the icon when a tray exists.
    void show();

    // A state other than Running drops the rates from the tooltip.
    void setState(ProxyState state, const QString& detail);
    // The menus show what is in effect: the user's servers with the one in use checked, or,
    // during the local demo, only the demo server.
    void setServers(const QList<ServerProfile>& servers, const QString& activeId);
    void setDemoServer(const QString& name);
    // Checks the mode in effect; a non-empty reason disables every choice with it as their
    // tooltip (nothing chosen there could apply).
    void setRouting(RoutingMode mode, const QString& unavailableReason = {});
    // For the tooltip: the server in use (empty: none) and the mode in effect.
    void setSummary(const QString& serverName, RoutingMode mode);
    // The current rates in bytes per second, shown in the tooltip while running.
    void setRates(double up, double down);
    QString toolTip() const { return m_icon.toolTip(); }
    // Checks the "Start at login" item as the login item on disk is.
    void setStartAtLogin(bool enabled);
    void showMessage(const QString& title, const QString& text);
    // The "System proxy" item: checked while the user wants it (the setting), its tooltip
    // telling whether the desktop points at the proxy now; disabled with the reason as its
    // tooltip where the desktop has no setting we can change.
    void setSystemProxy(bool wanted, bool active, bool supported, const QString& reason);

    QMenu* menu() { return &m_menu; }
    QAction* startStopAction() { return m_startStop; }
    QAction* dashboardAction() { return m_dashboard; }
    QAction* settingsAction() { return m_settings; }
    QAction* startAtLoginAction() { return m_startAtLogin; }
    QAction* quitAction() { return m_quit; }
    QMenu* serverMenu() { return m_serverMenu; }
    QMenu* routingMenu() { return m_routingMenu; }
    QAction* systemProxyAction() { return m_systemProxy; }
    QAction* copyEnvironmentAction() { return m_copyEnvironment; }

Q_SIGNALS:
    void startRequested();
    void stopRequested();
    void serverChosen(const QString& id);
    void routingChosen(echw::RoutingMode mode);
    void systemProxyToggled(bool wanted);
    void copyEnvironmentRequested();
    void dashboardRequested();
    void settingsRequested();
    void startAtLoginToggled(bool enabled);
    void quitRequested();

private:
    void clearServers();
    void updateToolTip();

    QMenu m_menu;
    QSystemTrayIcon m_icon;
    QAction* m_status;
    QAction* m_startStop;
    QMenu* m_serverMenu;
    QActionGroup* m_serverGroup;
    QMenu* m_routingMenu;
    QActionGroup* m_routingGroup;
    QAction* m_systemProxy;
    QAction* m_copyEnvironment;
    QAction* m_dashboard;
    QAction* m_settings;
    QAction* m_startAtLogin;
    QAction* m_quit;
    ProxyState m_state = ProxyState::Stopped;
    QString m_statusText;
    QString m_serverName;
    RoutingMode m_mode = RoutingMode::Global;
    std::optional<std::pair<double, double>> m_rates; // up, down
};

} // namespace echw
