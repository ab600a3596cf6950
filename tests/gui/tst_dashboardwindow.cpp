#include "dashboard/ConnectionTableModel.h"
#include "dashboard/DashboardWindow.h"
#include "dashboard/ThroughputChart.h"

#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
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
        QCOMPARE(view->model(), m_window->connectionModel());
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
        QCOMPARE(labelText(*m_window, "statusLabel"),
                 QStringLiteral("Server: worker.example · Mode: bypass_cn · Stopped"));

        m_window->setEngineState(DashboardWindow::EngineState::Running,
                                 QStringLiteral("127.0.0.1:30000"));
        m_window->applySnapshot(snapshot(1));
        QCOMPARE(labelText(*m_window, "statusLabel"),
                 QStringLiteral("Server: worker.example · Mode: bypass_cn · Listening on "
                                "127.0.0.1:30000 · ECH accepted"));

        EngineSnapshot withoutEch = snapshot(2);
        withoutEch.tunnel.state = TunnelStatus::State::WithoutEch;
        m_window->applySnapshot(withoutEch);
        QVERIFY(labelText(*m_window, "statusLabel")
                    .endsWith(QStringLiteral("No-ECH mode: the server name is sent in clear")));

        EngineSnapshot failing = snapshot(3);
        failing.tunnel = {TunnelStatus::State::Failing, QStringLiteral("TLS alert 40")};
        m_window->applySnapshot(failing);
        QVERIFY(labelText(*m_window, "statusLabel")
                    .endsWith(QStringLiteral("Tunnel failing: TLS alert 40")));

        m_window->setServer({}, RoutingMode::Global);
        m_window->setEngineState(DashboardWindow::EngineState::Failed,
                                 QStringLiteral("port 30000 is in use"));
        QCOMPARE(
            labelText(*m_window, "statusLabel"),
            QStringLiteral("No server configured · Mode: global · Failed: port 30000 is in use"));
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
        QCOMPARE(view->model()->rowCount(), 3);

        auto* level = child<QComboBox>(*m_window, "logLevelCombo");
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

private:
    std::unique_ptr<DashboardWindow> m_window;
};

QTEST_MAIN(TestDashboardWindow)
#include "tst_dashboardwindow.moc"
