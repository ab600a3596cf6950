#include "DashboardWindow.h"

#include "ConnectionTableModel.h"
#include "ConnectionsPanel.h"
#include "DashboardFormat.h"
#include "ElidedLabel.h"
#include "LogPanel.h"
#include "RoutingDecisionModel.h"
#include "RoutingModes.h"
#include "TableSetup.h"
#include "TextFilterModel.h"
#include "Theme.h"
#include "ThroughputChart.h"

#include <QAction>
#include <QDataStream>
#include <QEvent>
#include <QFontDatabase>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSignalBlocker>
#include <QStringList>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace echw {

namespace {

const QString kSeparator = QStringLiteral(" · ");

StatusTone statusTone(DashboardWindow::EngineState state, TunnelStatus::State tunnel)
{
    switch (state) {
    case DashboardWindow::EngineState::Stopped:
        return StatusTone::Off;
    case DashboardWindow::EngineState::Starting:
        return StatusTone::Warning;
    case DashboardWindow::EngineState::Failed:
        return StatusTone::Failure;
    case DashboardWindow::EngineState::Running:
        break;
    }
    switch (tunnel) {
    case TunnelStatus::State::Failing:
        return StatusTone::Failure;
    case TunnelStatus::State::WithoutEch:
        return StatusTone::Warning;
    default:
        return StatusTone::Good;
    }
}

QString tunnelText(const TunnelStatus& tunnel)
{
    switch (tunnel.state) {
    case TunnelStatus::State::Unused:
        return {};
    case TunnelStatus::State::Untried:
        return DashboardWindow::tr("tunnel not opened yet");
    case TunnelStatus::State::EchAccepted:
        return DashboardWindow::tr("ECH accepted");
    case TunnelStatus::State::WithoutEch:
        return DashboardWindow::tr("No-ECH mode: the server name is sent in clear");
    case TunnelStatus::State::Failing:
        return DashboardWindow::tr("Tunnel failing: %1").arg(tunnel.detail);
    }
    return {};
}

} // namespace

DashboardWindow::DashboardWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_decisionModel(new RoutingDecisionModel(RoutingDecisionModel::kDefaultCapacity, this))
{
    setWindowTitle(tr("ECH Workers"));

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->addWidget(createTopBar());
    layout->addWidget(createCounters());
    layout->addWidget(createDemoPanel());
    m_chart = new ThroughputChart(central);
    m_chart->setObjectName(QStringLiteral("throughputChart"));
    layout->addWidget(m_chart, 2);

    m_tabs = new QTabWidget(central);
    m_tabs->setObjectName(QStringLiteral("dashboardTabs"));
    m_connectionsPanel = new ConnectionsPanel(m_tabs);
    connect(m_connectionsPanel, &ConnectionsPanel::closeRequested, this,
            &DashboardWindow::closeConnectionRequested);
    connect(m_connectionsPanel, &ConnectionsPanel::sortRequested, this,
            &DashboardWindow::sortRequested);
    m_tabs->addTab(m_connectionsPanel, tr("Connections"));
    m_tabs->addTab(createRoutingTab(), tr("Routing"));
    m_logPanel = new LogPanel(m_tabs);
    connect(m_logPanel, &LogPanel::levelChosen, this, &DashboardWindow::logLevelChosen);
    m_tabs->addTab(m_logPanel, tr("Log"));
    layout->addWidget(m_tabs, 3);
    setCentralWidget(central);

    createShortcuts();

    resize(1000, 700);
    updateStatus();
    updateDemoPanel();
}

DashboardWindow::~DashboardWindow() = default;

ConnectionTableModel* DashboardWindow::connectionModel() const
{
    return m_connectionsPanel->openModel();
}

namespace {

constexpr quint32 kViewStateMagic = 0x45575631; // "EWV1"

} // namespace

QByteArray DashboardWindow::saveViewState() const
{
    QByteArray state;
    QDataStream out(&state, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_0);
    out << kViewStateMagic << qint32(m_tabs->currentIndex())
        << m_connectionsPanel->openHeaderState() << m_decisionsView->horizontalHeader()->saveState()
        << m_logPanel->view()->horizontalHeader()->saveState()
        << qint32(m_chart->timeWindow() == ThroughputHistory::Window::TenMinutes ? 10 : 1)
        << m_chart->separateScales() << m_connectionsPanel->closedHeaderState();
    return state;
}

bool DashboardWindow::restoreViewState(const QByteArray& state)
{
    QDataStream in(state);
    in.setVersion(QDataStream::Qt_6_0);
    quint32 magic = 0;
    qint32 tab = 0;
    qint32 minutes = 1;
    QByteArray connections;
    QByteArray decisions;
    QByteArray log;
    in >> magic >> tab >> connections >> decisions >> log >> minutes;
    if (in.status() != QDataStream::Ok || magic != kViewStateMagic)
        return false;
    // Added later: a state saved before has no scale choice and keeps the shared scale, nor a
    // history table.
    bool separateScales = false;
    QByteArray closed;
    if (!in.atEnd())
        in >> separateScales;
    if (!in.atEnd())
        in >> closed;
    if (tab >= 0 && tab < m_tabs->count())
        m_tabs->setCurrentIndex(tab);
    m_decisionsView->horizontalHeader()->restoreState(decisions);
    m_logPanel->view()->horizontalHeader()->restoreState(log);
    // A state saved by an older version may hold other resize modes.
    stretchDecisionColumns();
    m_logPanel->stretchColumns();
    m_connectionsPanel->restoreHeaderStates(connections, closed);
    m_chart->setTimeWindow(minutes == 10 ? ThroughputHistory::Window::TenMinutes
                                         : ThroughputHistory::Window::OneMinute);
    m_chart->setSeparateScales(in.status() == QDataStream::Ok && separateScales);
    return true;
}

void DashboardWindow::changeEvent(QEvent* event)
{
    QMainWindow::changeEvent(event);
    // A new theme: the status colour is chosen for the palette's window.
    if (event->type() == QEvent::PaletteChange && m_statusLabel)
        updateStatus();
}

QWidget* DashboardWindow::createTopBar()
{
    auto* bar = new QWidget(this);
    auto* layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);

    m_statusLabel = new ElidedLabel(bar);
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_statusLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_statusLabel->font();
    bold.setBold(true);
    m_statusLabel->setFont(bold);
    // Any width: the label elides what does not fit rather than push the buttons away.
    m_statusLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_startStopButton = new QPushButton(tr("Start"), bar);
    m_startStopButton->setObjectName(QStringLiteral("startStopButton"));
    connect(m_startStopButton, &QPushButton::clicked, this, &DashboardWindow::onStartStopClicked);

    m_settingsButton = new QPushButton(tr("Settings…"), bar);
    m_settingsButton->setObjectName(QStringLiteral("settingsButton"));
    connect(m_settingsButton, &QPushButton::clicked, this, &DashboardWindow::settingsRequested);

    layout->addWidget(m_statusLabel, 1);
    layout->addWidget(m_startStopButton);
    layout->addWidget(m_settingsButton);
    return bar;
}

QWidget* DashboardWindow::createCounters()
{
    auto* row = new QWidget(this);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(24);
    auto addCounter = [&](QLabel*& label, const QString& name) {
        label = new QLabel(row);
        label->setObjectName(name);
        layout->addWidget(label);
    };
    addCounter(m_activeCountLabel, QStringLiteral("activeCountLabel"));
    addCounter(m_totalCountLabel, QStringLiteral("totalCountLabel"));
    addCounter(m_rateLabel, QStringLiteral("rateLabel"));
    addCounter(m_transferredLabel, QStringLiteral("transferredLabel"));
    layout->addStretch();
    updateCounters({});
    return row;
}

QWidget* DashboardWindow::createDemoPanel()
{
    m_demoPanel = new QFrame(this);
    m_demoPanel->setObjectName(QStringLiteral("demoPanel"));
    m_demoPanel->setFrameShape(QFrame::StyledPanel);
    auto* layout = new QVBoxLayout(m_demoPanel);

    auto* offer = new QHBoxLayout;
    m_demoSentence = new QLabel(
        tr("No worker yet? A demo server on this machine shows the whole path — local "
           "proxy, TLS 1.3 with Encrypted Client Hello, WebSocket tunnel — in one click."),
        m_demoPanel);
    m_demoSentence->setWordWrap(true);
    m_demoButton = new QPushButton(tr("Try a local demo server"), m_demoPanel);
    m_demoButton->setObjectName(QStringLiteral("demoButton"));
    m_demoButton->setDefault(true);
    QFont bold = m_demoButton->font();
    bold.setBold(true);
    m_demoButton->setFont(bold);
    connect(m_demoButton, &QPushButton::clicked, this, [this] {
        if (m_demoOffered)
            Q_EMIT demoRequested();
    });
    offer->addWidget(m_demoSentence, 1);
    offer->addWidget(m_demoButton);
    layout->addLayout(offer);

    m_demoHintLabel = new QLabel(m_demoPanel);
    m_demoHintLabel->setObjectName(QStringLiteral("demoHintLabel"));
    m_demoHintLabel->setTextFormat(Qt::PlainText);
    m_demoHintLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_demoHintLabel->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(m_demoHintLabel);
    return m_demoPanel;
}

QWidget* DashboardWindow::createRoutingTab()
{
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);

    auto* filter =
        new TextFilterModel({RoutingDecisionModel::Target, RoutingDecisionModel::Addresses,
                             RoutingDecisionModel::Route, RoutingDecisionModel::Why},
                            tab);
    filter->setSourceModel(m_decisionModel);
    auto* search = new QLineEdit(tab);
    search->setObjectName(QStringLiteral("routingSearchEdit"));
    search->setPlaceholderText(tr("Filter by target, address, route or reason"));
    search->setClearButtonEnabled(true);
    connect(search, &QLineEdit::textChanged, filter, &TextFilterModel::setText);

    m_decisionsView = new QTableView(tab);
    m_decisionsView->setObjectName(QStringLiteral("decisionsView"));
    m_decisionsView->setModel(filter);
    configureTable(m_decisionsView);
    setColumnWidths(m_decisionsView, {{RoutingDecisionModel::Time, 80},
                                      {RoutingDecisionModel::Addresses, 180},
                                      {RoutingDecisionModel::Route, 70},
                                      {RoutingDecisionModel::Cache, 60},
                                      {RoutingDecisionModel::Resolve, 80},
                                      {RoutingDecisionModel::Lookup, 80}});
    stretchDecisionColumns();
    offerColumnChoice(m_decisionsView);
    layout->addWidget(search);
    layout->addWidget(m_decisionsView);
    return tab;
}

void DashboardWindow::stretchDecisionColumns()
{
    stretchColumns(m_decisionsView, {RoutingDecisionModel::Target, RoutingDecisionModel::Why});
}

void DashboardWindow::applySnapshot(const EngineSnapshot& snapshot)
{
    updateCounters(snapshot);
    m_chart->add(snapshot.rateUp, snapshot.rateDown);
    m_connectionsPanel->apply(snapshot.connections, snapshot.closed, snapshot.droppedClosed,
                              QTime::currentTime());
    m_decisionModel->append(snapshot.decisions);

    bool statusChanged = false;
    if (snapshot.tunnel != m_tunnel) {
        m_tunnel = snapshot.tunnel;
        statusChanged = true;
    }
    if (!snapshot.listenAddress.isEmpty() && snapshot.listenAddress != m_listenAddress) {
        m_listenAddress = snapshot.listenAddress;
        statusChanged = true;
    }
    if (statusChanged)
        updateStatus();
}

void DashboardWindow::updateCounters(const EngineSnapshot& snapshot)
{
    m_activeCountLabel->setText(tr("Active %1 (tunnel %2, direct %3)")
                                    .arg(snapshot.activeConnections)
                                    .arg(snapshot.tunnelConnections)
                                    .arg(snapshot.directConnections));
    m_totalCountLabel->setText(tr("Total %1").arg(snapshot.totalConnections));
    m_rateLabel->setText(QStringLiteral("↑ %1  ↓ %2")
                             .arg(formatRate(snapshot.rateUp), formatRate(snapshot.rateDown)));
    m_transferredLabel->setText(
        tr("↑ %1  ↓ %2 total")
            .arg(formatBytes(double(snapshot.bytesUp)), formatBytes(double(snapshot.bytesDown))));
}

void DashboardWindow::appendLog(const QList<LogLine>& lines, quint64 dropped)
{
    m_logPanel->append(lines, dropped);
}

void DashboardWindow::setEngineState(EngineState state, const QString& detail)
{
    m_engineState = state;
    m_stateDetail = detail;
    if (state == EngineState::Running && !detail.isEmpty())
        m_listenAddress = detail;
    if (state != EngineState::Running)
        m_tunnel = {};
    const bool active = state == EngineState::Running || state == EngineState::Starting;
    m_startStopButton->setText(active ? tr("Stop") : tr("Start"));
    updateStatus();
}

void DashboardWindow::setServer(const QString& serverName, RoutingMode mode)
{
    m_serverName = serverName;
    m_mode = mode;
    updateStatus();
}

void DashboardWindow::setDemoOffered(bool offered)
{
    m_demoOffered = offered;
    updateDemoPanel();
}

void DashboardWindow::setDemoHint(const QString& text)
{
    m_demoHint = text;
    updateDemoPanel();
}

void DashboardWindow::updateDemoPanel()
{
    m_demoSentence->setVisible(m_demoOffered);
    m_demoButton->setVisible(m_demoOffered);
    m_demoButton->setEnabled(m_demoOffered);
    m_demoHintLabel->setText(m_demoHint);
    m_demoHintLabel->setVisible(!m_demoHint.isEmpty());
    m_demoPanel->setVisible(m_demoOffered || !m_demoHint.isEmpty());
}

void DashboardWindow::updateStatus()
{
    QStringList parts;
    parts.append(m_serverName.isEmpty() ? tr("No server configured")
                                        : tr("Server: %1").arg(m_serverName));
    parts.append(tr("Mode: %1").arg(routingModeLabel(m_mode)));
    switch (m_engineState) {
    case EngineState::Stopped:
        parts.append(tr("Stopped"));
        break;
    case EngineState::Starting:
        parts.append(tr("Starting…"));
        break;
    case EngineState::Failed:
        parts.append(m_stateDetail.isEmpty() ? tr("Failed") : tr("Failed: %1").arg(m_stateDetail));
        break;
    case EngineState::Running:
        parts.append(tr("Listening on %1").arg(m_listenAddress));
        if (const QString tunnel = tunnelText(m_tunnel); !tunnel.isEmpty())
            parts.append(tunnel);
        break;
    }
    const QString text = parts.join(kSeparator);
    m_statusLabel->setFullText(text);

    // A palette change restyles the label; only do it when the colour really changes.
    const QColor color = statusToneColor(statusTone(m_engineState, m_tunnel.state), palette());
    if (color != m_statusColor) {
        m_statusColor = color;
        QPalette palette = m_statusLabel->palette();
        palette.setColor(QPalette::WindowText, color);
        m_statusLabel->setPalette(palette);
    }
}

void DashboardWindow::onStartStopClicked()
{
    if (m_engineState == EngineState::Running || m_engineState == EngineState::Starting)
        Q_EMIT stopRequested();
    else
        Q_EMIT startRequested();
}

namespace {

// The platform's keys for a standard action, and the ones the README promises everywhere: most
// platforms have no Preferences binding, KDE's is Ctrl+Shift+comma.
QList<QKeySequence> standardKeysWith(QKeySequence::StandardKey key, const QKeySequence& promised)
{
    QList<QKeySequence> keys = QKeySequence::keyBindings(key);
    if (!keys.contains(promised))
        keys.append(promised);
    return keys;
}

} // namespace

void DashboardWindow::createShortcuts()
{
    auto addShortcut = [this](QWidget* owner, const QList<QKeySequence>& keys,
                              Qt::ShortcutContext context, auto&& slot) {
        auto* action = new QAction(owner);
        action->setShortcuts(keys);
        action->setShortcutContext(context);
        connect(action, &QAction::triggered, this, slot);
        owner->addAction(action);
    };
    addShortcut(this, standardKeysWith(QKeySequence::Find, QKeySequence(Qt::CTRL | Qt::Key_F)),
                Qt::WindowShortcut, [this] { focusSearchOfCurrentTab(); });
    addShortcut(this, standardKeysWith(QKeySequence::Quit, QKeySequence(Qt::CTRL | Qt::Key_Q)),
                Qt::WindowShortcut, [this] { Q_EMIT quitRequested(); });
    addShortcut(this,
                standardKeysWith(QKeySequence::Preferences, QKeySequence(Qt::CTRL | Qt::Key_Comma)),
                Qt::WindowShortcut, [this] { Q_EMIT settingsRequested(); });
}

void DashboardWindow::focusSearchOfCurrentTab()
{
    QWidget* tab = m_tabs->currentWidget();
    auto* search = tab ? tab->findChild<QLineEdit*>() : nullptr;
    if (!search)
        return;
    search->setFocus(Qt::ShortcutFocusReason);
    search->selectAll();
}

} // namespace echw
