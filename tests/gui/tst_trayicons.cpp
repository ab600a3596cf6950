// The app and tray icons from their SVGs: crisp at any size, one colour per state.
#include "tray/TrayIcons.h"

#include <QImage>
#include <QTest>

using namespace echw;

namespace {

// The colour of the icon's background, just inside its left edge at mid-height.
QColor background(const QIcon& icon, int size)
{
    const QImage image = icon.pixmap(QSize(size, size)).toImage();
    return image.pixelColor(size / 8, size / 2);
}

int opaquePixels(const QImage& image)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            count += qAlpha(image.pixel(x, y)) > 0;
    }
    return count;
}

} // namespace

class TestTrayIcons : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyIconRendersAtTheSizeAsked()
    {
        QList<QIcon> icons{appIcon()};
        for (ProxyState state :
             {ProxyState::Stopped, ProxyState::Starting, ProxyState::Running, ProxyState::Failing})
            icons.append(proxyStateIcon(state));
        for (const QIcon& icon : icons) {
            QVERIFY(!icon.isNull());
            for (int size : {16, 22, 64, 256}) {
                const QImage image = icon.pixmap(QSize(size, size)).toImage();
                QCOMPARE(image.size(), QSize(size, size));
                // Drawn, not empty, and not a full square: the corners are rounded off.
                QVERIFY(opaquePixels(image) > size * size / 2);
                QCOMPARE(qAlpha(image.pixel(0, 0)), 0);
            }
        }
    }

    void theStatesHaveTheirOwnColours()
    {
        const QColor stopped = background(proxyStateIcon(ProxyState::Stopped), 64);
        const QColor starting = background(proxyStateIcon(ProxyState::Starting), 64);
        const QColor running = background(proxyStateIcon(ProxyState::Running), 64);
        const QColor failing = background(proxyStateIcon(ProxyState::Failing), 64);
        QVERIFY(stopped.saturation() < 60); // grey
        QVERIFY(running.green() > running.red() && running.green() > running.blue());
        QVERIFY(failing.red() > failing.green() && failing.red() > failing.blue());
        QVERIFY(starting.red() > starting.blue() && starting.green() > starting.blue());
        QVERIFY(starting != failing);
    }

    void aLargeIconIsRenderedNotScaledUp()
    {
        // A 256 px pixmap scaled up from a 16 px one smears the icon's left and right edges
        // over many half-transparent pixels along the middle row; rendered at 256 px, each
        // edge is within a pixel or two.
        const QImage image = proxyStateIcon(ProxyState::Running).pixmap(QSize(256, 256)).toImage();
        int partial = 0;
        for (int x = 0; x < 256; ++x) {
            const int alpha = qAlpha(image.pixel(x, 128));
            partial += alpha > 0 && alpha < 255;
        }
        QVERIFY2(partial <= 4, qPrintable(QString::number(partial)));
    }
};

QTEST_MAIN(TestTrayIcons)
#include "tst_trayicons.moc"
