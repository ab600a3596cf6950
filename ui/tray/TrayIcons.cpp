#include "TrayIcons.h"

#include <QFile>
#include <QIconEngine>
#include <QImage>
#include <QPainter>
#include <QPixmap>
#include <QSvgRenderer>

namespace echw {

namespace {

// Renders one SVG at the size asked. Qt's own SVG icon engine is a plugin that not every
// installation has; this needs only the Svg library the app links.
class SvgIconEngine final : public QIconEngine {
public:
    explicit SvgIconEngine(QByteArray svg)
        : m_svg(std::move(svg))
    {}

    void paint(QPainter* painter, const QRect& rect, QIcon::Mode mode, QIcon::State) override
    {
        painter->drawPixmap(
            rect, pixmap(rect.size() * painter->device()->devicePixelRatioF(), mode, QIcon::Off));
    }

    QPixmap pixmap(const QSize& size, QIcon::Mode mode, QIcon::State) override
    {
        QImage image(size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QSvgRenderer renderer(m_svg);
        {
            QPainter painter(&image);
            renderer.render(&painter, QRectF(QPointF(0, 0), QSizeF(size)));
        }
        if (mode == QIcon::Disabled)
            image = image.convertToFormat(QImage::Format_Grayscale8)
                        .convertToFormat(QImage::Format_ARGB32_Premultiplied);
        return QPixmap::fromImage(image);
    }

    QSize actualSize(const QSize& size, QIcon::Mode, QIcon::State) override { return size; }
    QIconEngine* clone() const override { return new SvgIconEngine(m_svg); }

private:
    QByteArray m_svg;
};

QIcon svgIcon(const QString& resource)
{
    QFile file(resource);
    if (!file.open(QIODevice::ReadOnly))
        return QIcon();
    // QIcon owns the engine it is given.
    return QIcon(new SvgIconEngine(file.readAll()));
}

QString stateName(ProxyState state)
{
    switch (state) {
    case ProxyState::Stopped:
        return QStringLiteral("stopped");
    case ProxyState::Starting:
        return QStringLiteral("starting");
    case ProxyState::Running:
        return QStringLiteral("running");
    case ProxyState::Failing:
        return QStringLiteral("failing");
    }
    return QStringLiteral("stopped");
}

} // namespace

QIcon proxyStateIcon(ProxyState state)
{
    return svgIcon(QStringLiteral(":/icons/ech-workers-%1.svg").arg(stateName(state)));
}

QIcon appIcon()
{
    return svgIcon(QStringLiteral(":/icons/ech-workers.svg"));
}

} // namespace echw
