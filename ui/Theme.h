#pragma once

#include <QColor>
#include <QString>

#include <optional>

class QApplication;
class QPalette;

namespace echw {

// The app's look: the desktop's own (System), or a light or dark palette of the app's own on
// Qt's Fusion style, which follows a palette everywhere (the platform styles draw some parts
// in the desktop's colours whatever the palette says).
enum class Theme { System, Light, Dark };

QString themeName(Theme theme);
std::optional<Theme> themeFromName(const QString& name);

// Applies theme to the whole app at once: every widget, the chart and the status colours get
// a palette change event. System puts back the style and palette the app started with.
void applyTheme(QApplication& app, Theme theme);

// A palette is dark when its window is darker than its text.
bool isDarkPalette(const QPalette& palette);

// One colour for a meaning, readable on the palette's window: green for working, amber for a
// warning, red for a failure, grey for off.
enum class StatusTone { Off, Warning, Failure, Good };
QColor statusToneColor(StatusTone tone, const QPalette& palette);

} // namespace echw
