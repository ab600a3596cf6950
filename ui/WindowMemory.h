#pragma once

#include <QRect>
#include <QString>

namespace echw {

class DashboardWindow;

// Remembers the dashboard between runs: geometry, the selected tab, column widths and the
// sort order of the tables, the chart's time window. Kept in an INI file of its own (UI state,
// not settings: losing it costs nothing).
class WindowMemory {
public:
    // path: empty remembers nothing (tests).
    explicit WindowMemory(QString path);

    // Restores what was saved, then fits the window into the screen it is on.
    void restore(DashboardWindow& window) const;
    void save(const DashboardWindow& window) const;

private:
    QString m_path;
};

// frame moved and shrunk as little as needed to lie inside available: a window saved on a
// larger screen, or at another scale factor, never opens off-screen or past its edges.
QRect fitIntoScreen(const QRect& frame, const QRect& available);

// Fits the window's frame into the available geometry of its screen.
void fitWindowIntoScreen(DashboardWindow& window);

} // namespace echw
