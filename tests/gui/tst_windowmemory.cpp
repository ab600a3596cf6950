// The dashboard remembered between runs, and never placed past the screen's edges.
#include "WindowMemory.h"
#include "dashboard/ConnectionTableModel.h"
#include "dashboard/DashboardWindow.h"
#include "dashboard/ThroughputChart.h"

#include <QFile>
#include <QHeaderView>
#include <QScreen>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace echw;

class TestWindowMemory : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fitsAFrameIntoTheScreen_data()
    {
        QTest::addColumn<QRect>("frame");
        QTest::addColumn<QRect>("expected");
        const QRect screen(0, 0, 1280, 720);
        QTest::newRow("inside stays") << QRect(100, 100, 800, 600) << QRect(100, 100, 800, 600);
        QTest::newRow("past the right edge moves")
            << QRect(1000, 50, 800, 600) << QRect(480, 50, 800, 600);
        QTest::newRow("above the top moves") << QRect(10, -300, 800, 600) << QRect(10, 0, 800, 600);
        QTest::newRow("larger than the screen (2x scale) shrinks")
            << QRect(-50, -50, 2000, 1400) << screen;
        QTest::newRow("on a screen no longer there comes back")
            << QRect(3000, 2000, 640, 480) << QRect(640, 240, 640, 480);
        Q_UNUSED(screen);
    }

    void fitsAFrameIntoTheScreen()
    {
        QFETCH(QRect, frame);
        QFETCH(QRect, expected);
        QCOMPARE(fitIntoScreen(frame, QRect(0, 0, 1280, 720)), expected);
    }

    void remembersGeometryTabColumnsSortAndChart()
    {
        QTemporaryDir dir;
        const WindowMemory memory(dir.filePath(QStringLiteral("window-state.ini")));
        {
            DashboardWindow window;
            window.show();
            window.setGeometry(40, 30, 700, 500);
            window.findChild<QTabWidget*>(QStringLiteral("dashboardTabs"))->setCurrentIndex(2);
            auto* connections = window.findChild<QTableView*>(QStringLiteral("connectionsView"));
            connections->setColumnWidth(ConnectionTableModel::Via, 133);
            connections->setColumnHidden(ConnectionTableModel::Up, true);
            connections->horizontalHeader()->setSortIndicator(ConnectionTableModel::Down,
                                                              Qt::DescendingOrder);
            window.throughputChart()->setTimeWindow(ThroughputChart::Window::TenMinutes);
            window.throughputChart()->setSeparateScales(true);
            memory.save(window);
        }
        DashboardWindow window;
        QSignalSpy sorts(&window, &DashboardWindow::sortRequested);
        memory.restore(window);
        window.show();
        QCOMPARE(window.geometry().size(), QSize(700, 500));
        QCOMPARE(window.findChild<QTabWidget*>(QStringLiteral("dashboardTabs"))->currentIndex(), 2);
        auto* connections = window.findChild<QTableView*>(QStringLiteral("connectionsView"));
        QCOMPARE(connections->columnWidth(ConnectionTableModel::Via), 133);
        QVERIFY(connections->isColumnHidden(ConnectionTableModel::Up));
        QCOMPARE(connections->horizontalHeader()->sortIndicatorSection(),
                 int(ConnectionTableModel::Down));
        QCOMPARE(connections->horizontalHeader()->sortIndicatorOrder(), Qt::DescendingOrder);
        // The engine sorts, so it is asked for the restored order.
        QCOMPARE(sorts.size(), 1);
        QCOMPARE(window.throughputChart()->timeWindow(), ThroughputChart::Window::TenMinutes);
        QVERIFY(window.throughputChart()->separateScales());
    }

    void aWindowSavedLargerThanTheScreenOpensInsideIt()
    {
        QTemporaryDir dir;
        const WindowMemory memory(dir.filePath(QStringLiteral("window-state.ini")));
        const QRect available = QGuiApplication::primaryScreen()->availableGeometry();
        {
            DashboardWindow window;
            window.show();
            window.setGeometry(available.right() - 10, available.bottom() - 10,
                               available.width() * 2, available.height() * 2);
            memory.save(window);
        }
        DashboardWindow window;
        memory.restore(window);
        QVERIFY2(available.contains(window.frameGeometry()),
                 qPrintable(QStringLiteral("%1,%2 %3x%4")
                                .arg(window.frameGeometry().x())
                                .arg(window.frameGeometry().y())
                                .arg(window.frameGeometry().width())
                                .arg(window.frameGeometry().height())));
    }

    void aDamagedFileLeavesTheDefaults()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("window-state.ini"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("[dashboard]\ngeometry=@ByteArray(garbage)\nviews=@ByteArray(\\x1\\x2)\n");
        file.close();
        DashboardWindow window;
        WindowMemory(path).restore(window);
        QCOMPARE(window.findChild<QTabWidget*>(QStringLiteral("dashboardTabs"))->currentIndex(), 0);
        QVERIFY(!window.restoreViewState(QByteArray("\x01\x02", 2)));
    }
};

QTEST_MAIN(TestWindowMemory)
#include "tst_windowmemory.moc"
