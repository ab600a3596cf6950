#pragma once

#include "ThroughputHistory.h"

#include <QColor>
#include <QSharedPointer>
#include <QWidget>

class QCustomPlot;
class QCPGraph;
class QToolButton;

namespace echw {

class RateAxisTicker;

// The up/down throughput chart: one sample per snapshot, a 1-minute or 10-minute window, the
// y axis in binary units. It only redraws while visible, and then with one queued replot.
class ThroughputChart final : public QWidget {
    Q_OBJECT
public:
    using Window = ThroughputHistory::Window;

    explicit ThroughputChart(QWidget* parent = nullptr);
    ~ThroughputChart() override;

    // Rates in bytes per second, once per snapshot.
    void add(double upRate, double downRate);
    void clear();

    void setTimeWindow(Window window);
    Window timeWindow() const { return m_window; }

    // Points in the Down graph (as last drawn).
    int pointCount() const;
    // The plot's background, which follows the palette's base colour.
    QColor backgroundColor() const;
    const ThroughputHistory& history() const { return m_history; }

protected:
    void showEvent(QShowEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void refresh();
    // Background, axes, grid and legend in the palette's colours; graph colours that read on
    // a light or a dark background.
    void followPalette();

    ThroughputHistory m_history;
    ThroughputHistory::Series m_series; // reused for every redraw
    Window m_window = Window::OneMinute;
    bool m_stale = false; // samples arrived while hidden
    QColor m_background;
    QCustomPlot* m_plot;
    QCPGraph* m_upGraph;
    QCPGraph* m_downGraph;
    QSharedPointer<RateAxisTicker> m_ticker;
    QToolButton* m_oneMinuteButton;
    QToolButton* m_tenMinutesButton;
};

} // namespace echw
