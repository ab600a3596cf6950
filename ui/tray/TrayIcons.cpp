#include "TrayIcons.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace echw {

namespace {

QColor stateColour(ProxyState state)
{
    switch (state) {
    case ProxyState::Stopped:
        return QColor(0x80, 0x86, 0x8b);
    case ProxyState::Starting:
        return QColor(0xe0, 0x9b, 0x1a);
    case ProxyState::Running:
        return QColor(0x1e, 0x9e, 0x5a);
    case ProxyState::Failing:
        return QColor(0xd1, 0x3b, 0x3b);
    }
    return Qt::gray;
}

// A rounded shield with a keyhole: the tunnel hides where traffic goes.
QPixmap drawIcon(int size, const QColor& colour)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    const qreal s = size;
    QPainterPath shield;
    shield.moveTo(0.5 * s, 0.04 * s);
    shield.cubicTo(0.68 * s, 0.14 * s, 0.82 * s, 0.16 * s, 0.92 * s, 0.16 * s);
    shield.cubicTo(0.92 * s, 0.58 * s, 0.78 * s, 0.82 * s, 0.5 * s, 0.96 * s);
    shield.cubicTo(0.22 * s, 0.82 * s, 0.08 * s, 0.58 * s, 0.08 * s, 0.16 * s);
    shield.cubicTo(0.18 * s, 0.16 * s, 0.32 * s, 0.14 * s, 0.5 * s, 0.04 * s);
    painter.fillPath(shield, colour);
    painter.setPen(Qt::NoPen);
    painter.setBrush(Qt::white);
    painter.drawEllipse(QPointF(0.5 * s, 0.42 * s), 0.12 * s, 0.12 * s);
    painter.drawRect(QRectF(0.44 * s, 0.46 * s, 0.12 * s, 0.26 * s));
    return pixmap;
}

} // namespace

QIcon proxyStateIcon(ProxyState state)
{
    QIcon icon;
    for (int size : {16, 22, 24, 32, 48, 64, 128})
        icon.addPixmap(drawIcon(size, stateColour(state)));
    return icon;
}

} // namespace echw
