#pragma once

#include "config/ProxySettings.h"
#include "metrics/EngineSnapshot.h"
#include "system/LogCollector.h"

#include <QColor>
#include <QList>
#include <QMainWindow>
#include <QString>

class QComboBox;
class QFrame;
class QLabel;
class QLineEdit;
class QPushButton;
class QTabWidget;
class QTableView;

namespace echw {

class ConnectionTableModel;
class ConnectionsPanel;
class ElidedLabel;
class LogPanel;
class RoutingDecisionModel;
class ThroughputChart;

// The main window: status line, counters, throughput chart and the connections / routing / log
// tabs. It only displays what it is given and asks for actions through signals; the app
// controller wires it to the engine.
class DashboardWindow final : public QMainWindow {
    Q_OBJECT
public:
    enum class EngineState { Stopped, Starting, Running, Failed };

    explicit DashboardWindow(QWidget* parent = nullptr);
    ~DashboardWindow() override;

    // Counts, chart, tables and tunnel status.
    void applySnapshot(const EngineSnapshot& snapshot);
    void appendLog(const QList<LogLine>& lines, quint64 dropped);
    // Running: `detail` is the listen address; Failed: the error.
    void setEngineState(EngineState state, const QString& detail);
    // An empty name: no server configured.
    void setServer(const QString& serverName, RoutingMode mode);
    // Shows a prominent "Try a local demo server" button and one sentence about it.
    void setDemoOffered(bool offered);
    // E.g. the curl command lines to try; empty hides it.
    void setDemoHint(const QString& text);

    // The tab, the tables' column widths and sort order, the chart's time window, for
    // WindowMemory; restoring bytes it cannot read changes nothing and returns false.
    QByteArray saveViewState() const;
    bool restoreViewState(const QByteArray& state);

    ConnectionTableModel* connectionModel() const;
    ConnectionsPanel* connectionsPanel() const { return m_connectionsPanel; }
    ThroughputChart* throughputChart() const { return m_chart; }

Q_SIGNALS:
    void startRequested();
    void stopRequested();
    void settingsRequested();
    // Ctrl+Q (the platform's Quit keys).
    void quitRequested();
    void demoRequested();
    void closeConnectionRequested(quint64 id);
    void sortRequested(const echw::ConnectionSort& sort);
    // The log view's level: the collector is asked for Debug lines only while it shows them.
    void logLevelChosen(QtMsgType level);

protected:
    void changeEvent(QEvent* event) override;

private:
    QWidget* createTopBar();
    QWidget* createCounters();
    QWidget* createDemoPanel();
    QWidget* createRoutingTab();

    void stretchDecisionColumns();
    void updateCounters(const EngineSnapshot& snapshot);
    void updateStatus();
    void updateDemoPanel();
    void onStartStopClicked();
    void createShortcuts();
    // Ctrl+F: the current tab's search or filter box, where it has one.
    void focusSearchOfCurrentTab();

    EngineState m_engineState = EngineState::Stopped;
    QString m_stateDetail;
    QString m_listenAddress;
    QString m_serverName;
    RoutingMode m_mode = RoutingMode::Global;
    TunnelStatus m_tunnel;
    bool m_demoOffered = false;
    QString m_demoHint;
    QColor m_statusColor;

    RoutingDecisionModel* m_decisionModel;

    ElidedLabel* m_statusLabel = nullptr;
    QPushButton* m_startStopButton = nullptr;
    QPushButton* m_settingsButton = nullptr;
    QLabel* m_activeCountLabel = nullptr;
    QLabel* m_totalCountLabel = nullptr;
    QLabel* m_rateLabel = nullptr;
    QLabel* m_transferredLabel = nullptr;
    QFrame* m_demoPanel = nullptr;
    QLabel* m_demoSentence = nullptr;
    QPushButton* m_demoButton = nullptr;
    QLabel* m_demoHintLabel = nullptr;
    ThroughputChart* m_chart = nullptr;
    QTabWidget* m_tabs = nullptr;
    ConnectionsPanel* m_connectionsPanel = nullptr;
    QTableView* m_decisionsView = nullptr;
    LogPanel* m_logPanel = nullptr;
};

} // namespace echw
