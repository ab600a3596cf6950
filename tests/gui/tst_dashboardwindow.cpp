#include "dashboard/ConnectionTableModel.h"
#include "dashboard/DashboardWindow.h"
#include "dashboard/TableSetup.h"
#include "dashboard/ThroughputChart.h"

#include <QAction>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using echw::ConnectionSample;
using echw::ConnectionSort;
using echw::ConnectionSortKey;
using echw::ConnectionTableModel;
using echw::DashboardWindow;
using echw::EngineSnapshot;
using echw::LogLine;
using echw::RouteAction;
using echw::RoutingMode;
using echw::TunnelStatus;

namespace {

ConnectionSample connection(quint64 id, RouteAction route)
{
    ConnectionSample sample;
    sample.id = id;
    sample.target = QStringLiteral("site%1.example:443").arg(id);
    sample.inbound = QStringLiteral("HTTP CONNECT");
    sample.route = route;
    return sample;
}

EngineSnapshot snapshot(quint64 sequence)
{
    EngineSnapshot result;
    result.sequence = sequence;
    result.running = true;
    result.listenAddress = QStringLiteral("127.0.0.1:30000");
    result.tunnel.state = TunnelStatus::State::EchAccepted;
    result.connections = {connection(10, RouteAction::Tunnel), connection(11, RouteAction::Tunnel),
                          connection(12, RouteAction::Direct)};
    result.activeConnections = 3;
    result.tunnelConnections = 2;
    result.directConnections = 1;
    result.totalConnections = 42;
    result.rateUp = 2048;
    result.rateDown = 1.5 * 1024 * 1024;
    result.bytesUp = 4096;
    result.bytesDown = 10 * 1024 * 1024;
    return result;
}

template <typename T> T* child(const QWidget& window, const char* name)
{
    auto* widget = window.findChild<T*>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no child %s", name);
    return widget;
}

QString labelText(const QWidget& window, const char* name)
{
    return child<QLabel>(window, name)->text();
}

void clickHeader(QHeaderView* header, int section)
{
    const QPoint center(header->sectionViewportPosition(section) + header->sectionSize(section) / 2,
                        header->height() / 2);
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, center);
}

} // namespace

class TestDashboardWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_window = std::make_unique<DashboardWindow>();
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void cleanup() { m_window.reset(); }

    void snapshotsUpdateCountersTableAndChart()
    {
        m_window->applySnapshot(snapshot(1));
        QCOMPARE(labelText(*m_window, "activeCountLabel"),
                 QStringLiteral("Active 3 (tunnel 2, direct 1)"));
        QCOMPARE(labelText(*m_window, "totalCountLabel"), QStringLiteral("Total 42"));
        QCOMPARE(labelText(*m_window, "rateLabel"), QStringLiteral("↑ 2.00 KiB/s  ↓ 1.50 MiB/s"));
        QCOMPARE(labelText(*m_window, "transferredLabel"),
                 QStringLiteral("↑ 4.00 KiB  ↓ 10.0 MiB total"));
        auto* view = child<QTableView>(*m_window, "connectionsView");
        QCOMPARE(m_window->connectionModel()->rowCount(), 3);
        QCOMPARE(view->model()->rowCount(), 3);
        QCOMPARE(m_window->throughputChart()->pointCount(), 1);

        EngineSnapshot next = snapshot(2);
        next.connections.removeFirst();
        next.activeConnections = 2;
        m_window->applySnapshot(next);
        QCOMPARE(view->model()->rowCount(), 2);
        QCOMPARE(m_window->throughputChart()->pointCount(), 2);
        QCOMPARE(labelText(*m_window, "activeCountLabel"),
                 QStringLiteral("Active 2 (tunnel 2, direct 1)"));
    }

    void statusLineShowsServerModeListenAddressAndTunnel()
    {
        m_window->setServer(QStringLiteral("worker.example"), RoutingMode::BypassCn);
        m_window->setEngineState(DashboardWindow::EngineState::Stopped, {});
        QCOMPARE(statusText(),
                 QStringLiteral("Server: worker.example · Mode: Bypass mainland China · Stopped"));

        m_window->setEngineState(DashboardWindow::EngineState::Running,
                                 QStringLiteral("127.0.0.1:30000"));
        m_window->applySnapshot(snapshot(1));
        QCOMPARE(
            statusText(),
            QStringLiteral("Server: worker.example · Mode: Bypass mainland China · Listening on "
                           "127.0.0.1:30000 · ECH accepted"));

        EngineSnapshot withoutEch = snapshot(2);
        withoutEch.tunnel.state = TunnelStatus::State::WithoutEch;
        m_window->applySnapshot(withoutEch);
        QVERIFY(
            statusText().endsWith(QStringLiteral("No-ECH mode: the server name is sent in clear")));

        EngineSnapshot failing = snapshot(3);
        failing.tunnel = {TunnelStatus::State::Failing, QStringLiteral("TLS alert 40")};
        m_window->applySnapshot(failing);
        QVERIFY(statusText().endsWith(QStringLiteral("Tunnel failing: TLS alert 40")));

        m_window->setServer({}, RoutingMode::Global);
        m_window->setEngineState(DashboardWindow::EngineState::Failed,
                                 QStringLiteral("port 30000 is in use"));
        QCOMPARE(
            statusText(),
            QStringLiteral("No server configured · Mode: Global · Failed: port 30000 is in use"));
    }

    void aLongStatusIsElidedAtTheRightWithTheWholeTextAsTooltip()
    {
        QString reason = QStringLiteral("connect to localhost:1 failed");
        while (reason.size() < 600)
            reason += QStringLiteral(", then again to localhost:1");
        m_window->setServer(QStringLiteral("worker.example"), RoutingMode::Global);
        m_window->setEngineState(DashboardWindow::EngineState::Failed, reason);
        auto* status = child<QLabel>(*m_window, "statusLabel");
        const QString whole = status->toolTip();
        QVERIFY(whole.endsWith(reason));

        m_window->resize(700, 600);
        QTRY_VERIFY(status->text().endsWith(QChar(0x2026)));
        QVERIFY(status->fontMetrics().horizontalAdvance(status->text()) <=
                status->contentsRect().width());
        QVERIFY(whole.startsWith(status->text().chopped(1)));
        const qsizetype narrowLength = status->text().size();

        // Wider: more of the text, recomputed on the resize.
        m_window->resize(1400, 600);
        QTRY_VERIFY(status->text().size() > narrowLength);
        QVERIFY(status->text().endsWith(QChar(0x2026)));
        QCOMPARE(status->toolTip(), whole);

        // A status that fits is shown whole.
        m_window->setEngineState(DashboardWindow::EngineState::Stopped, {});
        QCOMPARE(status->text(), status->toolTip());
        QVERIFY(!status->text().endsWith(QChar(0x2026)));
    }

    void ctrlFFocusesTheSearchBoxOfTheCurrentTab()
    {
        activate();
        auto* tabs = child<QTabWidget>(*m_window, "dashboardTabs");
        auto* search = child<QLineEdit>(*m_window, "logSearchEdit");
        search->setText(QStringLiteral("earlier"));
        tabs->setCurrentIndex(tabs->indexOf(search->parentWidget()));
        child<QTableView>(*m_window, "logView")->setFocus();
        QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(search->hasFocus());
        QCOMPARE(search->selectedText(), QStringLiteral("earlier"));

        // Each tab its own box: on the Connections tab, its filter.
        tabs->setCurrentIndex(0);
        child<QTableView>(*m_window, "connectionsView")->setFocus();
        QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(child<QLineEdit>(*m_window, "connectionsFilterEdit")->hasFocus());
        QVERIFY(!search->hasFocus());
    }

    void deleteClosesTheSelectedConnections()
    {
        activate();
        m_window->applySnapshot(snapshot(1));
        auto* view = child<QTableView>(*m_window, "connectionsView");
        QSignalSpy close(m_window.get(), &DashboardWindow::closeConnectionRequested);
        view->setFocus();
        view->selectRow(0);
        view->selectionModel()->select(view->model()->index(2, 0),
                                       QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QTest::keyClick(view, Qt::Key_Delete);
        QCOMPARE(close.size(), 2);
        QSet<quint64> ids{close[0][0].value<quint64>(), close[1][0].value<quint64>()};
        QCOMPARE(ids, (QSet<quint64>{10, 12}));

        // Delete typed in the log's search box edits the text and closes nothing.
        auto* search = child<QLineEdit>(*m_window, "logSearchEdit");
        auto* tabs = child<QTabWidget>(*m_window, "dashboardTabs");
        tabs->setCurrentIndex(tabs->indexOf(search->parentWidget()));
        search->setText(QStringLiteral("ab"));
        search->setFocus();
        search->setCursorPosition(0);
        QTest::keyClick(search, Qt::Key_Delete);
        QCOMPARE(search->text(), QStringLiteral("b"));
        QCOMPARE(close.size(), 2);
    }

    void ctrlQQuitsAndCtrlCommaOpensTheSettings()
    {
        activate();
        QSignalSpy quit(m_window.get(), &DashboardWindow::quitRequested);
        QSignalSpy settings(m_window.get(), &DashboardWindow::settingsRequested);
        QTest::keyClick(m_window.get(), Qt::Key_Comma, Qt::ControlModifier);
        QCOMPARE(settings.size(), 1);
        QCOMPARE(quit.size(), 0);
        QTest::keyClick(m_window.get(), Qt::Key_Q, Qt::ControlModifier);
        QCOMPARE(quit.size(), 1);
    }

    void startStopButtonAsksForWhatTheStateAllows()
    {
        QSignalSpy start(m_window.get(), &DashboardWindow::startRequested);
        QSignalSpy stop(m_window.get(), &DashboardWindow::stopRequested);
        QSignalSpy settings(m_window.get(), &DashboardWindow::settingsRequested);
        auto* button = child<QPushButton>(*m_window, "startStopButton");
        QCOMPARE(button->text(), QStringLiteral("Start"));
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(start.count(), 1);

        m_window->setEngineState(DashboardWindow::EngineState::Running,
                                 QStringLiteral("127.0.0.1:30000"));
        QCOMPARE(button->text(), QStringLiteral("Stop"));
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(stop.count(), 1);
        QCOMPARE(start.count(), 1);

        QTest::mouseClick(child<QPushButton>(*m_window, "settingsButton"), Qt::LeftButton);
        QCOMPARE(settings.count(), 1);
    }

    void headerClickAsksTheEngineToSortAndTheViewDoesNot()
    {
        m_window->applySnapshot(snapshot(1));
        QSignalSpy sorts(m_window.get(), &DashboardWindow::sortRequested);
        auto* view = child<QTableView>(*m_window, "connectionsView");
        QHeaderView* header = view->horizontalHeader();

        clickHeader(header, ConnectionTableModel::DownRate);
        QCOMPARE(sorts.count(), 1);
        QCOMPARE(sorts[0][0].value<ConnectionSort>(),
                 (ConnectionSort{ConnectionSortKey::RateDown, true}));
        QCOMPARE(header->sortIndicatorSection(), int(ConnectionTableModel::DownRate));
        QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);

        clickHeader(header, ConnectionTableModel::DownRate);
        QCOMPARE(sorts.count(), 2);
        QCOMPARE(sorts[1][0].value<ConnectionSort>(),
                 (ConnectionSort{ConnectionSortKey::RateDown, false}));

        clickHeader(header, ConnectionTableModel::Target);
        QCOMPARE(sorts.count(), 3);
        QCOMPARE(sorts[2][0].value<ConnectionSort>(),
                 (ConnectionSort{ConnectionSortKey::Target, false}));

        // No engine order for Via: nothing asked, the indicator stays on Target.
        clickHeader(header, ConnectionTableModel::Via);
        QCOMPARE(sorts.count(), 3);
        QCOMPARE(header->sortIndicatorSection(), int(ConnectionTableModel::Target));

        // The rows stay in the engine's order until the engine sends them sorted.
        QCOMPARE(view->model()->index(0, 0).data(ConnectionTableModel::ConnectionIdRole),
                 QVariant::fromValue(quint64(10)));
        QVERIFY(!view->isSortingEnabled());
    }

    void closeButtonAsksToCloseTheSelectedConnection()
    {
        m_window->applySnapshot(snapshot(1));
        QSignalSpy closes(m_window.get(), &DashboardWindow::closeConnectionRequested);
        auto* close = child<QPushButton>(*m_window, "closeConnectionButton");
        QVERIFY(!close->isEnabled());

        child<QTableView>(*m_window, "connectionsView")->selectRow(1);
        QVERIFY(close->isEnabled());
        QTest::mouseClick(close, Qt::LeftButton);
        QCOMPARE(closes.count(), 1);
        QCOMPARE(closes[0][0].value<quint64>(), quint64(11));
    }

    void demoButtonOnlyWhenOffered()
    {
        QSignalSpy demo(m_window.get(), &DashboardWindow::demoRequested);
        auto* button = child<QPushButton>(*m_window, "demoButton");
        QVERIFY(!button->isVisible());
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(demo.count(), 0);

        m_window->setDemoOffered(true);
        QVERIFY(button->isVisible());
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(demo.count(), 1);

        m_window->setDemoOffered(false);
        QVERIFY(!button->isVisible());
        auto* hint = child<QLabel>(*m_window, "demoHintLabel");
        m_window->setDemoHint(QStringLiteral("curl -x socks5h://127.0.0.1:30000 https://a.test/"));
        QVERIFY(hint->isVisible());
        QVERIFY(hint->text().startsWith(QStringLiteral("curl")));
        m_window->setDemoHint({});
        QVERIFY(!hint->isVisible());
    }

    void logTabFiltersByLevelAndSearch()
    {
        const QDateTime now = QDateTime::currentDateTime();
        m_window->appendLog(
            {LogLine{now, QtDebugMsg, QStringLiteral("echw.dns"), QStringLiteral("query sent")},
             LogLine{now, QtInfoMsg, QStringLiteral("echw.tunnel"), QStringLiteral("Tunnel open")},
             LogLine{now, QtWarningMsg, QStringLiteral("echw.tunnel"),
                     QStringLiteral("tunnel slow")}},
            0);
        auto* view = child<QTableView>(*m_window, "logView");
        // Info is shown by default; Debug when asked for (and then collected).
        QCOMPARE(view->model()->rowCount(), 2);
        auto* level = child<QComboBox>(*m_window, "logLevelCombo");
        QSignalSpy chosen(m_window.get(), &DashboardWindow::logLevelChosen);
        level->setCurrentIndex(level->findText(QStringLiteral("Debug")));
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.at(0).at(0).value<QtMsgType>(), QtDebugMsg);
        QCOMPARE(view->model()->rowCount(), 3);

        level->setCurrentIndex(level->findText(QStringLiteral("Warning")));
        QCOMPARE(view->model()->rowCount(), 1);

        level->setCurrentIndex(level->findText(QStringLiteral("Debug")));
        child<QLineEdit>(*m_window, "logSearchEdit")->setText(QStringLiteral("TUNNEL"));
        QCOMPARE(view->model()->rowCount(), 2);

        // Lost lines are reported in the log itself.
        child<QLineEdit>(*m_window, "logSearchEdit")->clear();
        m_window->appendLog({}, 5);
        QCOMPARE(view->model()->rowCount(), 4);
        QVERIFY(view->model()->index(3, 3).data().toString().startsWith(QStringLiteral("5 ")));
    }

    void aWiderWindowWidensTheTargetAndTheReason()
    {
        auto* view = child<QTableView>(*m_window, "connectionsView");
        m_window->resize(1000, 700);
        QTRY_VERIFY(view->horizontalHeader()->length() <= view->viewport()->width() + 1);
        const int target = view->columnWidth(ConnectionTableModel::Target);
        const int matched = view->columnWidth(ConnectionTableModel::Matched);
        const int duration = view->columnWidth(ConnectionTableModel::Duration);
        m_window->resize(1580, 700);
        QTRY_VERIFY(view->columnWidth(ConnectionTableModel::Target) > target + 200);
        QVERIFY(view->columnWidth(ConnectionTableModel::Matched) > matched + 200);
        QCOMPARE(view->columnWidth(ConnectionTableModel::Duration), duration);
    }

    void theHeaderMenuHidesColumnsAndTheChoiceIsRemembered()
    {
        auto* view = child<QTableView>(*m_window, "connectionsView");
        std::unique_ptr<QMenu> menu(echw::columnChoiceMenu(view, nullptr));
        QCOMPARE(menu->actions().size(), int(ConnectionTableModel::ColumnCount));
        QAction* via = menu->actions().at(ConnectionTableModel::Via);
        QCOMPARE(via->text(), QStringLiteral("Via"));
        QVERIFY(via->isChecked());
        via->trigger();
        QVERIFY(view->isColumnHidden(ConnectionTableModel::Via));

        const QByteArray state = m_window->saveViewState();
        DashboardWindow next;
        QVERIFY(next.restoreViewState(state));
        auto* nextView = child<QTableView>(next, "connectionsView");
        QVERIFY(nextView->isColumnHidden(ConnectionTableModel::Via));
        QVERIFY(!nextView->isColumnHidden(ConnectionTableModel::Target));
        // Restored or not, the informative columns still stretch.
        QCOMPARE(nextView->horizontalHeader()->sectionResizeMode(ConnectionTableModel::Target),
                 QHeaderView::Stretch);

        // The last shown column cannot be hidden: nothing would be left to click on.
        for (int column = 0; column < ConnectionTableModel::ColumnCount; ++column)
            view->setColumnHidden(column, column != ConnectionTableModel::Target);
        std::unique_ptr<QMenu> last(echw::columnChoiceMenu(view, nullptr));
        QVERIFY(!last->actions().at(ConnectionTableModel::Target)->isEnabled());
        QVERIFY(last->actions().at(ConnectionTableModel::Via)->isEnabled());
    }

    void theRoutingTabFiltersItsDecisions()
    {
        EngineSnapshot update = snapshot(1);
        for (const char* host : {"a.example", "b.example", "c.test"}) {
            echw::RoutingDecision decision;
            decision.target = *echw::TargetAddress::fromHostPort(QString::fromLatin1(host), 443);
            update.decisions.append(decision);
        }
        m_window->applySnapshot(update);
        auto* view = child<QTableView>(*m_window, "decisionsView");
        QCOMPARE(view->model()->rowCount(), 3);
        child<QLineEdit>(*m_window, "routingSearchEdit")->setText(QStringLiteral("EXAMPLE"));
        QCOMPARE(view->model()->rowCount(), 2);
        child<QLineEdit>(*m_window, "routingSearchEdit")->setText(QStringLiteral("Global"));
        QCOMPARE(view->model()->rowCount(), 3); // the reason, "routing: Global", is searched too
    }

private:
    // Window shortcuts reach only the active window.
    void activate()
    {
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    }

    // The whole status line (the label shows it elided when the window is too narrow).
    QString statusText() const { return child<QLabel>(*m_window, "statusLabel")->toolTip(); }

    std::unique_ptr<DashboardWindow> m_window;
};

QTEST_MAIN(TestDashboardWindow)
#include "tst_dashboardwindow.moc"
