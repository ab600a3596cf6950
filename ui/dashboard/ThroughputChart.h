#pragma once

#include "ThroughputHistory.h"

#include <QColor>
#include <QSharedPointer>
#include <QWidget>

class QCustomPlot;
class QCPGraph;
class QTimer;
class QToolButton;

namespace echw {

class RateAxisTicker;

// The up/down throughput chart: one sample per snapshot on a real-time axis (time without
// samples is a gap), a 1-minute window in seconds or a 10-minute window in minutes, rates in
// binary units on one shared axis or on an axis each. It only redraws while visible, with one
// queued replot, and keeps the time axis moving while no samples come (the proxy stopped).
class ThroughputChart final : public QWidget {
    Q_OBJECT
public:
    using Window = ThroughputHistory::Window;
    // Without samples for this long the chart redraws on its own, once per interval.
    static constexpr int kIdleRedrawMs = 1500;

    explicit ThroughputChart(QWidget* parent = nullptr, ThroughputHistory::Clock clock = {});
    ~ThroughputChart() override;

    // Rates in bytes per second, once per snapshot.
    void add(double upRate, double downRate);
    void clear();

    void setTimeWindow(Window window);
    Window timeWindow() const { return m_window; }
    // Upload on its own axis at the right, so a small upload next to a large download shows.
    void setSeparateScales(bool separate);
    bool separateScales() const { return m_separateScales; }

    // Points in the Down graph (as last drawn), gaps not counted.
    int pointCount() const;
    // Call after adding samples with a test clock that moved.
    void redraw() { refresh(); }
    // The plot's background, which follows the palette's base colour.
    QColor backgroundColor() const;
    const ThroughputHistory& history() const { return m_history; }

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void refresh();
    // Background, axes, grid and legend in the palette's colours; graph colours that read on
    // a light or a dark background.
    void followPalette();

    ThroughputHistory m_history;
    ThroughputHistory::Series m_series; // reused for every redraw
    Window m_window = Window::OneMinute;
    bool m_separateScales = false;
    QColor m_background;
    QCustomPlot* m_plot;
    QCPGraph* m_upGraph;
    QCPGraph* m_downGraph;
    QSharedPointer<RateAxisTicker> m_ticker;
    QSharedPointer<RateAxisTicker> m_upTicker; // the right axis, with separate scales
    QToolButton* m_oneMinuteButton;
    QToolButton* m_tenMinutesButton;
    QToolButton* m_separateButton;
    QTimer* m_idleTimer;
};

} // namespace echw
