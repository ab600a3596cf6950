#include "ThroughputChart.h"

#include "CustomPlot.h"
#include "DashboardFormat.h"
#include "Theme.h"

#include <QButtonGroup>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <utility>

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

ThroughputChart::ThroughputChart(QWidget* parent, ThroughputHistory::Clock clock)
    : QWidget(parent)
    , m_history(std::move(clock))
    , m_plot(new QCustomPlot(this))
    , m_ticker(QSharedPointer<RateAxisTicker>::create())
    , m_upTicker(QSharedPointer<RateAxisTicker>::create())
    , m_oneMinuteButton(new QToolButton(this))
    , m_tenMinutesButton(new QToolButton(this))
    , m_separateButton(new QToolButton(this))
    , m_idleTimer(new QTimer(this))
{
    m_plot->setObjectName(QStringLiteral("throughputPlot"));
    m_plot->setNotAntialiasedElements(QCP::aeAll);
    m_plot->setMinimumHeight(160);

    m_upGraph = m_plot->addGraph();
    m_upGraph->setName(tr("Up"));
    m_downGraph = m_plot->addGraph();
    m_downGraph->setName(tr("Down"));
    followPalette();

    // The legend in a row of its own above the plot, where it never covers the data.
    m_plot->legend->setVisible(true);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(0, 0.001);
    m_plot->legend->setMargins(QMargins(4, 0, 4, 0));
    m_plot->yAxis->setTicker(m_ticker);
    m_plot->yAxis2->setTicker(m_upTicker);

    m_separateButton->setObjectName(QStringLiteral("separateScalesButton"));
    m_separateButton->setText(tr("Separate scales"));
    m_separateButton->setToolTip(tr("Upload on its own axis at the right"));
    m_separateButton->setCheckable(true);
    m_separateButton->setAutoRaise(true);
    connect(m_separateButton, &QToolButton::toggled, this, &ThroughputChart::setSeparateScales);

    // Stopped, no samples come: the time axis still moves, so old traffic moves away.
    m_idleTimer->setInterval(kIdleRedrawMs);
    connect(m_idleTimer, &QTimer::timeout, this, [this] {
        if (isVisible())
            refresh();
    });

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
    header->addWidget(m_separateButton);
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
    // Nobody sees it: the next showEvent draws the whole window at once.
    if (!isVisible())
        return;
    m_idleTimer->start(); // restarted: it fires only after a pause in the samples
    refresh();
}

void ThroughputChart::clear()
{
    m_history.clear();
    if (isVisible())
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
}

void ThroughputChart::setSeparateScales(bool separate)
{
    m_separateButton->setChecked(separate);
    if (separate == m_separateScales)
        return;
    m_separateScales = separate;
    if (isVisible())
        refresh();
}

int ThroughputChart::pointCount() const
{
    int count = 0;
    for (auto point = m_downGraph->data()->constBegin(); point != m_downGraph->data()->constEnd();
         ++point)
        count += std::isnan(point->value) ? 0 : 1;
    return count;
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
    for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis, m_plot->yAxis2}) {
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
    m_idleTimer->start();
    // Shown again after a while: the time axis has moved on even without new samples.
    refresh();
}

void ThroughputChart::hideEvent(QHideEvent* event)
{
    QWidget::hideEvent(event);
    m_idleTimer->stop();
}

namespace {

// The top of a rate axis for these values, and the unit they are shown in.
std::pair<double, ByteUnit> rateScale(std::initializer_list<const QList<double>*> series)
{
    double top = kMinimumTopRate;
    for (const QList<double>* values : series) {
        for (double value : *values) {
            if (!std::isnan(value))
                top = std::max(top, value);
        }
    }
    return {top, byteUnitFor(top)};
}

} // namespace

void ThroughputChart::refresh()
{
    m_history.points(m_window, m_series);

    // The 10-minute view reads in minutes: "-10" rather than "-600".
    const bool minutes = m_window == Window::TenMinutes;
    if (minutes) {
        for (double& x : m_series.seconds)
            x /= 60;
    }
    m_plot->xAxis->setLabel(minutes ? tr("minutes") : tr("seconds"));
    m_plot->xAxis->setRange(-ThroughputHistory::windowSeconds(m_window) / (minutes ? 60.0 : 1.0),
                            0);

    const auto [downTop, downUnit] =
        m_separateScales ? rateScale({&m_series.down}) : rateScale({&m_series.up, &m_series.down});
    const auto [upTop, upUnit] =
        m_separateScales ? rateScale({&m_series.up}) : std::pair{downTop, downUnit};
    scale(m_series.up, upUnit.divisor);
    scale(m_series.down, downUnit.divisor);
    m_ticker->setUnit(downUnit.name + QStringLiteral("/s"));
    m_upTicker->setUnit(upUnit.name + QStringLiteral("/s"));

    m_upGraph->setValueAxis(m_separateScales ? m_plot->yAxis2 : m_plot->yAxis);
    m_plot->yAxis2->setVisible(m_separateScales);
    m_upGraph->setData(m_series.seconds, m_series.up, true);
    m_downGraph->setData(m_series.seconds, m_series.down, true);
    m_plot->yAxis->setRange(0, downTop / downUnit.divisor * kHeadroom);
    m_plot->yAxis2->setRange(0, upTop / upUnit.divisor * kHeadroom);
    if (isVisible())
        m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace echw
