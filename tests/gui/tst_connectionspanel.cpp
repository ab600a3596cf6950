#include "dashboard/ClosedConnectionModel.h"
#include "dashboard/ConnectionTableModel.h"
#include "dashboard/ConnectionsPanel.h"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using echw::ClosedConnectionModel;
using echw::ConnectionSample;
using echw::ConnectionsPanel;
using echw::ConnectionTableModel;
using echw::RouteAction;

namespace {

ConnectionSample connection(quint64 id, const QString& host, RouteAction route)
{
    ConnectionSample sample;
    sample.id = id;
    sample.target = host + QStringLiteral(":443");
    sample.inbound = QStringLiteral("SOCKS5");
    sample.route = route;
    sample.bytesDown = 4096 * id;
    return sample;
}

const QList<ConnectionSample> kOpen = {
    connection(1, QStringLiteral("www.example.com"), RouteAction::Tunnel),
    connection(2, QStringLiteral("cdn.example.com"), RouteAction::Direct),
    connection(3, QStringLiteral("mirror.test"), RouteAction::Tunnel)};

const QTime kAt(10, 20, 30);

QPushButton* button(const ConnectionsPanel& panel, const char* name)
{
    auto* found = panel.findChild<QPushButton*>(QLatin1StringView(name));
    Q_ASSERT(found);
    return found;
}

QSet<quint64> shownIds(const QTableView* view)
{
    QSet<quint64> ids;
    for (int row = 0; row < view->model()->rowCount(); ++row) {
        ids.insert(view->model()
                       ->index(row, 0)
                       .data(ConnectionTableModel::ConnectionIdRole)
                       .value<quint64>());
    }
    return ids;
}

QStringList shownTargets(const QTableView* view, int column)
{
    QStringList targets;
    for (int row = 0; row < view->model()->rowCount(); ++row)
        targets.append(view->model()->index(row, column).data().toString());
    return targets;
}

} // namespace

class TestConnectionsPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void theFilterNarrowsBothTablesBySearchedColumnsOnly()
    {
        ConnectionsPanel panel;
        panel.apply(kOpen,
                    {connection(7, QStringLiteral("old.example.com"), RouteAction::Direct),
                     connection(8, QStringLiteral("gone.test"), RouteAction::Tunnel)},
                    0, kAt);
        QCOMPARE(panel.openView()->model()->rowCount(), 3);
        QCOMPARE(panel.closedView()->model()->rowCount(), 2);

        panel.filterEdit()->setText(QStringLiteral("EXAMPLE"));
        QCOMPARE(shownIds(panel.openView()), (QSet<quint64>{1, 2}));
        QCOMPARE(shownTargets(panel.closedView(), ClosedConnectionModel::Target),
                 QStringList{QStringLiteral("old.example.com:443")});

        // The route is searched; byte counts and times are not.
        panel.filterEdit()->setText(QStringLiteral("direct"));
        QCOMPARE(shownIds(panel.openView()), (QSet<quint64>{2}));
        panel.filterEdit()->setText(QStringLiteral("KiB"));
        QCOMPARE(panel.openView()->model()->rowCount(), 0);
        panel.filterEdit()->setText(QStringLiteral("10:20"));
        QCOMPARE(panel.closedView()->model()->rowCount(), 0);

        panel.filterEdit()->clear();
        QCOMPARE(panel.openView()->model()->rowCount(), 3);
    }

    void closeAllAsksToCloseWhatTheFilterShows()
    {
        ConnectionsPanel panel;
        QSignalSpy closes(&panel, &ConnectionsPanel::closeRequested);
        QPushButton* closeAll = button(panel, "closeAllConnectionsButton");
        QVERIFY(!closeAll->isEnabled());

        panel.apply(kOpen, {}, 0, kAt);
        panel.filterEdit()->setText(QStringLiteral("tunnel"));
        QVERIFY(closeAll->isEnabled());
        closeAll->click();
        QSet<quint64> asked;
        for (const QList<QVariant>& call : std::as_const(closes))
            asked.insert(call.at(0).value<quint64>());
        QCOMPARE(asked, (QSet<quint64>{1, 3}));
        QCOMPARE(closes.size(), 2);

        panel.filterEdit()->setText(QStringLiteral("nothing matches this"));
        QVERIFY(!closeAll->isEnabled());
    }

    void pauseFreezesBothTablesAndResumeShowsWhatHappened()
    {
        ConnectionsPanel panel;
        panel.apply(kOpen, {}, 0, kAt);
        button(panel, "connectionsPauseButton")->click();
        QVERIFY(panel.isPaused());

        // Connection 1 finished and 4 opened while paused.
        QList<ConnectionSample> now = kOpen.mid(1);
        now.append(connection(4, QStringLiteral("new.example.com"), RouteAction::Direct));
        panel.apply(now, {kOpen.first()}, 0, kAt);
        QCOMPARE(shownIds(panel.openView()), (QSet<quint64>{1, 2, 3}));
        QCOMPARE(panel.closedView()->model()->rowCount(), 0);
        QVERIFY(button(panel, "connectionsPauseButton")->text().contains(u'1'));

        button(panel, "connectionsPauseButton")->click();
        QVERIFY(!panel.isPaused());
        QCOMPARE(shownIds(panel.openView()), (QSet<quint64>{2, 3, 4}));
        QCOMPARE(shownTargets(panel.closedView(), ClosedConnectionModel::Target),
                 QStringList{QStringLiteral("www.example.com:443")});
        QCOMPARE(panel.closedView()->model()->index(0, ClosedConnectionModel::Closed).data(),
                 QVariant(QStringLiteral("10:20:30")));
    }

    void whatFinishesWhilePausedIsBoundedByTheHistory()
    {
        ConnectionsPanel panel;
        panel.setPaused(true);
        const int capacity = panel.closedModel()->capacity();
        quint64 id = 0;
        for (int batch = 0; batch < 3; ++batch) {
            QList<ConnectionSample> closed;
            for (int i = 0; i < capacity / 2 + 1; ++i, ++id)
                closed.append(
                    connection(id, QStringLiteral("h%1.test").arg(id), RouteAction::Direct));
            panel.apply({}, closed, 0, kAt);
        }
        panel.setPaused(false);
        QCOMPARE(panel.closedModel()->rowCount(), capacity);
        // Newest on top, the oldest beyond the capacity gone.
        QCOMPARE(panel.closedModel()->index(0, ClosedConnectionModel::Target).data(),
                 QVariant(QStringLiteral("h%1.test:443").arg(id - 1)));
        QCOMPARE(panel.closedModel()->index(capacity - 1, ClosedConnectionModel::Target).data(),
                 QVariant(QStringLiteral("h%1.test:443").arg(id - quint64(capacity))));
    }

    void eachPageOffersItsOwnActions()
    {
        ConnectionsPanel panel;
        panel.apply(kOpen, {connection(9, QStringLiteral("a.test"), RouteAction::Direct)}, 0, kAt);
        QCOMPARE(panel.page(), ConnectionsPanel::Page::Open);
        QVERIFY(button(panel, "closeConnectionButton")->isVisibleTo(&panel));
        QVERIFY(button(panel, "closeAllConnectionsButton")->isVisibleTo(&panel));
        QVERIFY(!button(panel, "clearHistoryButton")->isVisibleTo(&panel));

        button(panel, "closedConnectionsButton")->click();
        QCOMPARE(panel.page(), ConnectionsPanel::Page::Closed);
        QVERIFY(panel.closedView()->isVisibleTo(&panel));
        QVERIFY(!panel.openView()->isVisibleTo(&panel));
        QVERIFY(!button(panel, "closeConnectionButton")->isVisibleTo(&panel));
        QVERIFY(!button(panel, "closeAllConnectionsButton")->isVisibleTo(&panel));
        QVERIFY(button(panel, "clearHistoryButton")->isVisibleTo(&panel));

        button(panel, "openConnectionsButton")->click();
        QCOMPARE(panel.page(), ConnectionsPanel::Page::Open);
        QVERIFY(panel.openView()->isVisibleTo(&panel));
    }

    void lostFinishedConnectionsAreSaidAndClearForgetsThem()
    {
        ConnectionsPanel panel;
        auto* notice = panel.findChild<QLabel*>(QStringLiteral("droppedClosedNotice"));
        QVERIFY(notice);
        panel.apply({}, {connection(5, QStringLiteral("a.test"), RouteAction::Direct)}, 7, kAt);
        QVERIFY(!notice->isVisibleTo(&panel)); // it concerns the history, not the open page
        panel.showPage(ConnectionsPanel::Page::Closed);
        QVERIFY(notice->isVisibleTo(&panel));
        QVERIFY(notice->text().startsWith(QStringLiteral("7 ")));

        QPushButton* clear = button(panel, "clearHistoryButton");
        QVERIFY(clear->isEnabled());
        clear->click();
        QCOMPARE(panel.closedModel()->rowCount(), 0);
        QVERIFY(!notice->isVisibleTo(&panel));
        QVERIFY(!clear->isEnabled());
    }
};

QTEST_MAIN(TestConnectionsPanel)
#include "tst_connectionspanel.moc"
