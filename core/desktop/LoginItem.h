#pragma once

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace echw {

// What starts the app when the user logs in, kept where the desktop looks for it: an XDG
// autostart entry on Linux (XdgAutostartEntry); on Windows the Run key
// HKCU\Software\Microsoft\Windows\CurrentVersion\Run and on macOS a ~/Library/LaunchAgents
// plist come with those ports, behind this same interface. Its truth is what the desktop keeps,
// never a copy in the settings: an entry the user deleted reads as off.
class LoginItem {
public:
    // The command the desktop runs at login.
    struct Launch {
        QString program; // an absolute path
        QStringList arguments;
    };

    virtual ~LoginItem() = default;

    virtual bool isEnabled() const = 0;
    // Writes or removes the item; the reason when that failed, with the place named.
    virtual std::optional<QString> setEnabled(bool enabled) = 0;
    // Where the item is kept, for messages.
    virtual QString location() const = 0;

    // This platform's login item for `launch`, or null where there is none yet.
    static std::unique_ptr<LoginItem> forThisPlatform(Launch launch);
};

} // namespace echw
