#include "ThroughputChart.h"

#include "CustomPlot.h"
#include "DashboardFormat.h"
#include "Theme.h"

#include <QButtonGroup>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace echw {

// Plain numbers on the axis, followed by the unit the series were scaled to ("KiB/s").
class RateAxisTicker final : public QCPAxisTicker {
public:
    void setUnit(const QString& unit) { m_unit = unit; }

protected:
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar,
                         int precision) override
    {
        return QCPAxisTicker::getTickLabel(tick, locale, formatChar, precision) + u' ' + m_unit;
    }

private:
    QString m_unit;
};

namespace {

constexpr double kHeadroom = 1.15;
// With no traffic the axis still shows a sensible scale instead of 0..0.
constexpr double kMinimumTopRate = 1024;

void scale(QList<double>& values, double divisor)
{
    for (double& value : values)
        value /= divisor;
}

} // namespace

ThroughputChart::ThroughputChart(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
    , m_ticker(QSharedPointer<RateAxisTicker>::create())
    , m_oneMinuteButton(new QToolButton(this))
    , m_tenMinutesButton(new QToolButton(this))
{
    m_plot->setObjectName(QStringLiteral("throughputPlot"));
    m_plot->setNotAntialiasedElements(QCP::aeAll);
    m_plot->setMinimumHeight(160);

    m_upGraph = m_plot->addGraph();
    m_upGraph->setName(tr("Up"));
    m_downGraph = m_plot->addGraph();
    m_downGraph->setName(tr("Down"));
    followPalette();

    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    m_plot->yAxis->setTicker(m_ticker);
    m_plot->xAxis->setLabel(tr("seconds"));

    m_oneMinuteButton->setObjectName(QStringLiteral("oneMinuteButton"));
    m_oneMinuteButton->setText(tr("1 min"));
    m_tenMinutesButton->setObjectName(QStringLiteral("tenMinutesButton"));
    m_tenMinutesButton->setText(tr("10 min"));
    auto* group = new QButtonGroup(this);
    for (QToolButton* button : {m_oneMinuteButton, m_tenMinutesButton}) {
        button->setCheckable(true);
        button->setAutoRaise(true);
        group->addButton(button);
    }
    m_oneMinuteButton->setChecked(true);
    connect(m_oneMinuteButton, &QToolButton::clicked, this,
            [this] { setTimeWindow(Window::OneMinute); });
    connect(m_tenMinutesButton, &QToolButton::clicked, this,
            [this] { setTimeWindow(Window::TenMinutes); });

    auto* header = new QHBoxLayout;
    header->addWidget(new QLabel(tr("Throughput"), this));
    header->addStretch();
    header->addWidget(m_oneMinuteButton);
    header->addWidget(m_tenMinutesButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(header);
    layout->addWidget(m_plot, 1);

    refresh();
}

ThroughputChart::~ThroughputChart() = default;

void ThroughputChart::add(double upRate, double downRate)
{
    m_history.add(upRate, downRate);
    if (!isVisible()) {
        // Nobody sees it: the next showEvent draws the whole window at once.
        m_stale = true;
        return;
    }
    refresh();
}

void ThroughputChart::clear()
{
    m_history.clear();
    m_stale = !isVisible();
    if (!m_stale)
        refresh();
}

void ThroughputChart::setTimeWindow(Window window)
{
    m_oneMinuteButton->setChecked(window == Window::OneMinute);
    m_tenMinutesButton->setChecked(window == Window::TenMinutes);
    if (window == m_window)
        return;
    m_window = window;
    if (isVisible())
        refresh();
    else
        m_stale = true;
}

int ThroughputChart::pointCount() const
{
    return m_downGraph->dataCount();
}

void ThroughputChart::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        followPalette();
}

void ThroughputChart::followPalette()
{
    const QPalette& colours = palette();
    const bool dark = isDarkPalette(colours);
    const QColor up = dark ? QColor(0xff, 0xa0, 0x40) : QColor(0xe0, 0x6c, 0x00);
    const QColor down = dark ? QColor(0x5c, 0x9d, 0xff) : QColor(0x1e, 0x63, 0xc7);
    m_upGraph->setPen(QPen(up, 1.5));
    m_downGraph->setPen(QPen(down, 1.5));
    QColor fill = down;
    fill.setAlpha(dark ? 60 : 40);
    m_downGraph->setBrush(fill);

    const QColor text = colours.color(QPalette::WindowText);
    QColor grid = text;
    grid.setAlpha(40);
    m_background = colours.color(QPalette::Base);
    m_plot->setBackground(m_background);
    for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis}) {
        axis->setBasePen(QPen(text));
        axis->setTickPen(QPen(text));
        axis->setSubTickPen(QPen(text));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
        axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
    }
    m_plot->legend->setBrush(colours.color(QPalette::Base));
    m_plot->legend->setBorderPen(QPen(grid));
    m_plot->legend->setTextColor(text);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QColor ThroughputChart::backgroundColor() const
{
    return m_background;
}

void ThroughputChart::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale)
        refresh();
}

void ThroughputChart::refresh()
{
    m_stale = false;
    m_history.points(m_window, m_series);

    double top = kMinimumTopRate;
    for (const QList<double>* values : {&m_series.up, &m_series.down}) {
        if (!values->isEmpty())
            top = std::max(top, *std::max_element(values->cbegin(), values->cend()));
    }
    const ByteUnit unit = byteUnitFor(top);
    scale(m_series.up, unit.divisor);
    scale(m_series.down, unit.divisor);
    m_ticker->setUnit(unit.name + QStringLiteral("/s"));

    m_upGraph->setData(m_series.seconds, m_series.up, true);
    m_downGraph->setData(m_series.seconds, m_series.down, true);
    m_plot->xAxis->setRange(-ThroughputHistory::windowSeconds(m_window), 0);
    m_plot->yAxis->setRange(0, top / unit.divisor * kHeadroom);
    if (isVisible())
        m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace echw
