// Light, Dark and System themes: the palette, the chart and the status line follow.
#include "Theme.h"
#include "dashboard/DashboardWindow.h"
#include "dashboard/ThroughputChart.h"

#include <QApplication>
#include <QLabel>
#include <QStyle>
#include <QTest>

using namespace echw;

namespace {

QColor statusColour(DashboardWindow& window)
{
    auto* label = window.findChild<QLabel*>(QStringLiteral("statusLabel"));
    return label ? label->palette().color(QPalette::WindowText) : QColor();
}

} // namespace

class TestTheme : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cleanup() { applyTheme(*qApp, Theme::System); }

    void namesRoundTrip()
    {
        for (Theme theme : {Theme::System, Theme::Light, Theme::Dark})
            QCOMPARE(themeFromName(themeName(theme)), theme);
        QCOMPARE(themeFromName(QStringLiteral("solarized")), std::nullopt);
    }

    void darkAndLightPalettes()
    {
        applyTheme(*qApp, Theme::Dark);
        QVERIFY(isDarkPalette(QApplication::palette()));
        QCOMPARE(QApplication::style()->name().toLower(), QStringLiteral("fusion"));
        applyTheme(*qApp, Theme::Light);
        QVERIFY(!isDarkPalette(QApplication::palette()));
    }

    void theSystemThemePutsBackWhatTheAppStartedWith()
    {
        const QPalette before = QApplication::palette();
        const QString style = QApplication::style()->name();
        applyTheme(*qApp, Theme::Dark);
        applyTheme(*qApp, Theme::System);
        QCOMPARE(QApplication::palette().color(QPalette::Window), before.color(QPalette::Window));
        QCOMPARE(QApplication::style()->name(), style);
    }

    void theChartAndTheStatusFollowATheme()
    {
        applyTheme(*qApp, Theme::Light);
        DashboardWindow window;
        window.show();
        window.setEngineState(DashboardWindow::EngineState::Failed, QStringLiteral("refused"));
        const QColor lightChart = window.throughputChart()->backgroundColor();
        const QColor lightStatus = statusColour(window);
        QVERIFY(lightChart.lightness() > 200);

        applyTheme(*qApp, Theme::Dark);
        QCoreApplication::processEvents();
        QCOMPARE(window.throughputChart()->backgroundColor(),
                 QApplication::palette().color(QPalette::Base));
        QVERIFY(window.throughputChart()->backgroundColor().lightness() < 60);
        // The same meaning (failure), a colour that reads on a dark window.
        const QColor darkStatus = statusColour(window);
        QVERIFY(darkStatus.isValid());
        QVERIFY(darkStatus != lightStatus);
        QVERIFY(darkStatus.lightness() > lightStatus.lightness());
        QCOMPARE(statusToneColor(StatusTone::Failure, window.palette()), darkStatus);
    }
};

QTEST_MAIN(TestTheme)
#include "tst_theme.moc"
