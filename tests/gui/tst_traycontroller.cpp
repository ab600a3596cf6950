// The tray menu and tooltip on their own: the routing modes as Settings lists them, what is in
// effect, and a tooltip with the server, the mode and the rates.
#include "RoutingModes.h"
#include "config/AppSettings.h"
#include "settings/GeneralPage.h"
#include "tray/TrayController.h"

#include <QAction>
#include <QComboBox>
#include <QSignalSpy>
#include <QTest>

using namespace echw;

class TestTrayController : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void listsTheRoutingModesAsTheSettingsDo()
    {
        TrayController tray;
        GeneralPage page;
        auto* combo = page.findChild<QComboBox*>(QStringLiteral("routingCombo"));
        QVERIFY(combo);
        const QList<QAction*> items = tray.routingMenu()->actions();
        QCOMPARE(items.size(), combo->count());
        for (int i = 0; i < combo->count(); ++i) {
            QCOMPARE(items[i]->text(), combo->itemText(i));
            QCOMPARE(items[i]->data(), combo->itemData(i));
            QCOMPARE(items[i]->toolTip(), combo->itemData(i, Qt::ToolTipRole).toString());
        }
    }

    void aRoutingThatCannotApplyIsDisabledWithTheReason()
    {
        TrayController tray;
        const QString reason = QStringLiteral("the demo tunnels everything");
        tray.setRouting(RoutingMode::Global, reason);
        for (QAction* item : tray.routingMenu()->actions()) {
            QVERIFY(!item->isEnabled());
            QCOMPARE(item->toolTip(), reason);
            QCOMPARE(item->isChecked(), item->data().toString() == QStringLiteral("global"));
        }
        tray.setRouting(RoutingMode::None);
        for (QAction* item : tray.routingMenu()->actions()) {
            QVERIFY(item->isEnabled());
            QVERIFY(item->toolTip() != reason);
            QCOMPARE(item->isChecked(), item->data().toString() == QStringLiteral("none"));
        }
    }

    void theDemoServerIsShownAsTheServerInUse()
    {
        TrayController tray;
        QSignalSpy chosen(&tray, &TrayController::serverChosen);
        tray.setDemoServer(QStringLiteral("Local demo"));
        const QList<QAction*> items = tray.serverMenu()->actions();
        QCOMPARE(items.size(), 1);
        QCOMPARE(items[0]->text(), QStringLiteral("Local demo"));
        QVERIFY(items[0]->isChecked());
        items[0]->trigger();
        QVERIFY(items[0]->isChecked());
        QVERIFY(chosen.isEmpty());
    }

    void theTooltipShowsServerModeAndRates()
    {
        TrayController tray;
        tray.setSummary(QStringLiteral("Tokyo"), RoutingMode::BypassCn);
        tray.setState(ProxyState::Running, QStringLiteral("127.0.0.1:30000"));
        tray.setRates(2048, 1.5 * 1024 * 1024);
        const QString tip = tray.toolTip();
        QVERIFY2(tip.contains(QStringLiteral("Running: 127.0.0.1:30000")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("Server: Tokyo")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("Mode: Bypass mainland China")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("↑ 2.00 KiB/s")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("↓ 1.50 MiB/s")), qPrintable(tip));

        // Stopped, nothing flows: no rates.
        tray.setState(ProxyState::Stopped, {});
        QVERIFY(!tray.toolTip().contains(QStringLiteral("KiB/s")));
        QVERIFY(tray.toolTip().contains(QStringLiteral("Server: Tokyo")));
    }
};

QTEST_MAIN(TestTrayController)
#include "tst_traycontroller.moc"
