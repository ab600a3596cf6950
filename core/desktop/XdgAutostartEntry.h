#pragma once

#include "desktop/LoginItem.h"

namespace echw {

// The XDG autostart entry (freedesktop.org Desktop Application Autostart Specification): a
// desktop entry named ech-workers.desktop in $XDG_CONFIG_HOME/autostart (~/.config/autostart
// by default). Present means on, unless the desktop turned it off in the file (Hidden=true, or
// X-GNOME-Autostart-enabled=false as GNOME's startup settings write it).
class XdgAutostartEntry final : public LoginItem {
public:
    static constexpr qint64 kMaxEntryBytes = 64 * 1024;

    // The entry at `filePath` (see defaultPath()) that runs `launch`.
    XdgAutostartEntry(QString filePath, Launch launch);

    // $XDG_CONFIG_HOME/autostart/ech-workers.desktop, ~/.config/autostart/... when unset.
    static QString defaultPath();
    // The Exec value that runs `launch` (Desktop Entry Specification, "The Exec key"): each
    // argument quoted when it holds a reserved character, '%' doubled, then escaped as a
    // string value; empty when an argument cannot be written there (a control character).
    static QString execValue(const Launch& launch);
    // The whole entry as written.
    static std::optional<QByteArray> entryText(const Launch& launch);

    bool isEnabled() const override;
    // The entry is written to a temporary file and renamed over the old one, so a desktop
    // reading it at log-in never sees half an entry.
    std::optional<QString> setEnabled(bool enabled) override;
    QString location() const override { return m_path; }

private:
    QString m_path;
    Launch m_launch;
};

} // namespace echw
