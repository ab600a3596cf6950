#include "WindowMemory.h"

#include "dashboard/DashboardWindow.h"

#include <QScreen>
#include <QSettings>

namespace echw {

namespace {

const QString kGeometry = QStringLiteral("dashboard/geometry");
const QString kViews = QStringLiteral("dashboard/views");

} // namespace

WindowMemory::WindowMemory(QString path)
    : m_path(std::move(path))
{}

void WindowMemory::restore(DashboardWindow& window) const
{
    if (!m_path.isEmpty()) {
        const QSettings store(m_path, QSettings::IniFormat);
        // Both were written by us, but the file may be damaged or of another version: a
        // restore that fails leaves the defaults.
        window.restoreGeometry(store.value(kGeometry).toByteArray());
        window.restoreViewState(store.value(kViews).toByteArray());
    }
    fitWindowIntoScreen(window);
}

void WindowMemory::save(const DashboardWindow& window) const
{
    if (m_path.isEmpty())
        return;
    QSettings store(m_path, QSettings::IniFormat);
    store.setValue(kGeometry, window.saveGeometry());
    store.setValue(kViews, window.saveViewState());
    store.sync();
}

QRect fitIntoScreen(const QRect& frame, const QRect& available)
{
    if (available.isEmpty())
        return frame;
    QRect fitted = frame;
    fitted.setWidth(std::min(frame.width(), available.width()));
    fitted.setHeight(std::min(frame.height(), available.height()));
    if (fitted.right() > available.right())
        fitted.moveRight(available.right());
    if (fitted.bottom() > available.bottom())
        fitted.moveBottom(available.bottom());
    if (fitted.left() < available.left())
        fitted.moveLeft(available.left());
    if (fitted.top() < available.top())
        fitted.moveTop(available.top());
    return fitted;
}

void fitWindowIntoScreen(DashboardWindow& window)
{
    QScreen* screen = window.screen();
    if (!screen)
        return;
    const QRect frame = window.frameGeometry();
    const QRect fitted = fitIntoScreen(frame, screen->availableGeometry());
    if (fitted == frame)
        return;
    // The frame (title bar, borders) is the window manager's: the client area shrinks by
    // what the frame has to lose.
    const QSize extra = frame.size() - window.size();
    window.resize(fitted.size() - extra);
    window.move(fitted.topLeft());
}

} // namespace echw
