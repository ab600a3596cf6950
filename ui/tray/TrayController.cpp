#include "TrayController.h"

#include "RoutingModes.h"
#include "dashboard/DashboardFormat.h"

namespace echw {

namespace {

QString stateText(ProxyState state)
{
    switch (state) {
    case ProxyState::Stopped:
        return TrayController::tr("Stopped");
    case ProxyState::Starting:
        return TrayController::tr("Starting…");
    case ProxyState::Running:
        return TrayController::tr("Running");
    case ProxyState::Failing:
        return TrayController::tr("Failing");
    }
    return {};
}

} // namespace

TrayController::TrayController(QObject* parent)
    : QObject(parent)
    , m_status(m_menu.addAction(QString()))
    , m_startStop(m_menu.addAction(QString()))
    , m_serverMenu(m_menu.addMenu(tr("Server")))
    , m_serverGroup(new QActionGroup(m_serverMenu))
    , m_routingMenu(m_menu.addMenu(tr("Routing")))
    , m_routingGroup(new QActionGroup(m_routingMenu))
    , m_systemProxy(m_menu.addAction(tr("System proxy")))
    , m_copyEnvironment(m_menu.addAction(tr("Copy proxy environment for terminals")))
{
    m_systemProxy->setCheckable(true);
    // triggered, not toggled: setSystemProxy() reflecting the state must not ask again.
    connect(m_systemProxy, &QAction::triggered, this, &TrayController::systemProxyToggled);
    connect(m_copyEnvironment, &QAction::triggered, this,
            &TrayController::copyEnvironmentRequested);
    m_menu.setToolTipsVisible(true);
    m_status->setEnabled(false);
    m_menu.insertSeparator(m_startStop);
    connect(m_startStop, &QAction::triggered, this, [this] {
        if (m_state == ProxyState::Stopped)
            Q_EMIT startRequested();
        else
            Q_EMIT stopRequested();
    });

    m_routingMenu->setToolTipsVisible(true);
    for (const RoutingModeChoice& choice : routingModeChoices()) {
        QAction* action = m_routingMenu->addAction(choice.label);
        action->setCheckable(true);
        action->setData(routingModeName(choice.mode));
        action->setToolTip(choice.description);
        m_routingGroup->addAction(action);
        connect(action, &QAction::triggered, this,
                [this, mode = choice.mode] { Q_EMIT routingChosen(mode); });
    }
    m_serverMenu->setToolTipsVisible(true);

    m_menu.addSeparator();
    // Always in the menu: double-click on the icon does not reach us on every desktop.
    m_dashboard = m_menu.addAction(tr("Open dashboard"));
    m_settings = m_menu.addAction(tr("Settings…"));
    m_startAtLogin = m_menu.addAction(tr("Start at login"));
    m_startAtLogin->setCheckable(true);
    m_menu.addSeparator();
    m_quit = m_menu.addAction(tr("Quit"));
    connect(m_dashboard, &QAction::triggered, this, &TrayController::dashboardRequested);
    connect(m_settings, &QAction::triggered, this, &TrayController::settingsRequested);
    connect(m_startAtLogin, &QAction::triggered, this, &TrayController::startAtLoginToggled);
    connect(m_quit, &QAction::triggered, this, &TrayController::quitRequested);

    m_icon.setContextMenu(&m_menu);
    connect(&m_icon, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                    Q_EMIT dashboardRequested();
            });
    setServers({}, {});
    setState(ProxyState::Stopped, {});
}

bool TrayController::isSystemTrayAvailable()
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

void TrayController::show()
{
    if (isSystemTrayAvailable())
        m_icon.show();
}

void TrayController::setState(ProxyState state, const QString& detail)
{
    m_state = state;
    m_icon.setIcon(proxyStateIcon(state));
    const QString status = detail.isEmpty()
                               ? stateText(state)
                               : QStringLiteral("%1: %2").arg(stateText(state), detail);
    m_status->setText(status);
    m_statusText = status;
    if (state != ProxyState::Running)
        m_rates.reset();
    updateToolTip();
    m_startStop->setText(state == ProxyState::Stopped ? tr("Start proxy") : tr("Stop proxy"));
}

void TrayController::setSummary(const QString& serverName, RoutingMode mode)
{
    m_serverName = serverName;
    m_mode = mode;
    updateToolTip();
}

void TrayController::setRates(double up, double down)
{
    m_rates = std::pair(up, down);
    updateToolTip();
}

void TrayController::updateToolTip()
{
    QStringList lines{QStringLiteral("ECH Workers: %1").arg(m_statusText)};
    lines.append(QStringLiteral("%1 · %2").arg(
        m_serverName.isEmpty() ? tr("No server configured") : tr("Server: %1").arg(m_serverName),
        tr("Mode: %1").arg(routingModeLabel(m_mode))));
    if (m_rates)
        lines.append(QStringLiteral("↑ %1  ↓ %2")
                         .arg(formatRate(m_rates->first), formatRate(m_rates->second)));
    m_icon.setToolTip(lines.join(u'\n'));
}

void TrayController::clearServers()
{
    for (QAction* action : m_serverGroup->actions())
        delete action;
}

void TrayController::setDemoServer(const QString& name)
{
    clearServers();
    // Checked as the server in use; triggering it changes nothing, so it asks for nothing.
    QAction* demo = m_serverMenu->addAction(name);
    demo->setCheckable(true);
    demo->setChecked(true);
    demo->setToolTip(tr("The local demo server on this machine, in use until you add a server "
                        "of your own in Settings"));
    m_serverGroup->addAction(demo);
}

void TrayController::setServers(const QList<ServerProfile>& servers, const QString& activeId)
{
    clearServers();
    for (const ServerProfile& server : servers) {
        const QString name = server.name.isEmpty() ? server.address : server.name;
        QAction* action = m_serverMenu->addAction(name);
        action->setCheckable(true);
        action->setChecked(server.id == activeId);
        action->setData(server.id);
        m_serverGroup->addAction(action);
        connect(action, &QAction::triggered, this,
                [this, id = server.id] { Q_EMIT serverChosen(id); });
    }
    if (servers.isEmpty()) {
        QAction* none = m_serverMenu->addAction(tr("No server yet: add one in Settings"));
        none->setEnabled(false);
        m_serverGroup->addAction(none);
    }
}

void TrayController::setRouting(RoutingMode mode, const QString& unavailableReason)
{
    const QList<RoutingModeChoice> choices = routingModeChoices();
    for (QAction* action : m_routingGroup->actions()) {
        action->setChecked(action->data().toString() == routingModeName(mode));
        action->setEnabled(unavailableReason.isEmpty());
        for (const RoutingModeChoice& choice : choices) {
            if (action->data().toString() == routingModeName(choice.mode))
                action->setToolTip(unavailableReason.isEmpty() ? choice.description
                                                               : unavailableReason);
        }
    }
}

void TrayController::setSystemProxy(bool wanted, bool active, bool supported, const QString& reason)
{
    m_systemProxy->setChecked(wanted && supported);
    m_systemProxy->setEnabled(supported);
    if (!supported)
        m_systemProxy->setToolTip(reason);
    else if (active)
        m_systemProxy->setToolTip(tr("The desktop's proxy settings point at this proxy now"));
    else
        m_systemProxy->setToolTip(tr("Points the desktop's proxy settings at this proxy while "
                                     "it runs"));
}

void TrayController::setStartAtLogin(bool enabled)
{
    m_startAtLogin->setChecked(enabled);
}

void TrayController::showMessage(const QString& title, const QString& text)
{
    if (m_icon.isVisible())
        m_icon.showMessage(title, text, proxyStateIcon(m_state));
}

} // namespace echw
