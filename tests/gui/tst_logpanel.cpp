#include "TestFiles.h"
#include "dashboard/LogFilterModel.h"
#include "dashboard/LogModel.h"
#include "dashboard/LogPanel.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using echw::LogLine;
using echw::LogPanel;

namespace {

LogLine line(const QString& message, QtMsgType level = QtInfoMsg)
{
    return LogLine{QDateTime(QDate(2026, 12, 4), QTime(5, 47, 41, 123)), level,
                   QStringLiteral("echw.inbound"), message};
}

QPushButton* button(const LogPanel& panel, const char* name)
{
    auto* found = panel.findChild<QPushButton*>(QLatin1StringView(name));
    Q_ASSERT(found);
    return found;
}

} // namespace

class TestLogPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pauseHoldsNewLinesUntilResumed()
    {
        LogPanel panel;
        panel.append({line(QStringLiteral("first"))}, 0);
        button(panel, "logPauseButton")->click();
        QVERIFY(panel.isPaused());
        panel.append({line(QStringLiteral("second")), line(QStringLiteral("third"))}, 0);
        QCOMPARE(panel.view()->model()->rowCount(), 1);
        QVERIFY(button(panel, "logPauseButton")->text().contains(QStringLiteral("2")));

        button(panel, "logPauseButton")->click();
        QVERIFY(!panel.isPaused());
        QCOMPARE(panel.view()->model()->rowCount(), 3);
        QCOMPARE(panel.model()->line(2).message, QStringLiteral("third"));
    }

    void pausedLinesAreBoundedAndTheLossReported()
    {
        LogPanel panel;
        panel.setPaused(true);
        const int capacity = panel.model()->capacity();
        QList<LogLine> many(capacity + 5, line(QStringLiteral("x")));
        panel.append(many, 0);
        panel.setPaused(false);
        // The notice of the lost lines (5 while paused, 1 more to make room for the notice),
        // then the newest lines the view can hold.
        QCOMPARE(panel.model()->rowCount(), capacity);
        QCOMPARE(panel.model()->line(0).level, QtWarningMsg);
        QVERIFY2(panel.model()->line(0).message.startsWith(QStringLiteral("6 ")),
                 qPrintable(panel.model()->line(0).message));
    }

    void clearEmptiesTheView()
    {
        LogPanel panel;
        panel.append({line(QStringLiteral("a")), line(QStringLiteral("b"))}, 0);
        button(panel, "logClearButton")->click();
        QCOMPARE(panel.view()->model()->rowCount(), 0);
        panel.append({line(QStringLiteral("c"))}, 0);
        QCOMPARE(panel.view()->model()->rowCount(), 1);
    }

    void copiesTheSelectionOrEveryShownLine()
    {
        LogPanel panel;
        panel.append({line(QStringLiteral("one")), line(QStringLiteral("two"), QtWarningMsg),
                      line(QStringLiteral("three"))},
                     0);
        button(panel, "logCopyButton")->click();
        QCOMPARE(QApplication::clipboard()->text(),
                 QStringLiteral("2026-12-04 05:47:41.123 Info [echw.inbound] one\n"
                                "2026-12-04 05:47:41.123 Warning [echw.inbound] two\n"
                                "2026-12-04 05:47:41.123 Info [echw.inbound] three\n"));

        panel.view()->selectionModel()->select(panel.view()->model()->index(2, 0),
                                               QItemSelectionModel::Select |
                                                   QItemSelectionModel::Rows);
        panel.view()->selectionModel()->select(panel.view()->model()->index(0, 0),
                                               QItemSelectionModel::Select |
                                                   QItemSelectionModel::Rows);
        button(panel, "logCopyButton")->click();
        QCOMPARE(QApplication::clipboard()->text(),
                 QStringLiteral("2026-12-04 05:47:41.123 Info [echw.inbound] one\n"
                                "2026-12-04 05:47:41.123 Info [echw.inbound] three\n"));
    }

    void savesTheShownLinesOwnerOnly()
    {
        LogPanel panel;
        panel.append({line(QStringLiteral("kept"), QtWarningMsg), line(QStringLiteral("hidden"))},
                     0);
        panel.filter()->setMinimumLevel(QtWarningMsg);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("logs/saved.log"));
        QCOMPARE(panel.saveTo(path), QString());
        QFile saved(path);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QCOMPARE(saved.readAll(),
                 QByteArray("2026-12-04 05:47:41.123 Warning [echw.inbound] kept\n"));
        QCOMPARE(saved.permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());

        // A folder in the way: the reason, not a crash or a silent loss.
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("taken/saved.log")));
        QVERIFY(!panel.saveTo(dir.filePath(QStringLiteral("taken/saved.log"))).isEmpty());
    }
};

QTEST_MAIN(TestLogPanel)
#include "tst_logpanel.moc"
