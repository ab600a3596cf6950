#pragma once

#include "desktop/ProxySettingsBackend.h"

namespace echw {

// The proxy settings of GNOME and the other GSettings desktops (org.gnome.system.proxy and
// its http, https and socks children), which GTK applications, Firefox and Chromium read on
// every desktop, KDE's included. Reads and writes through the `gsettings` tool, so whichever
// GSettings backend the session uses (dconf) is the one changed.
class GSettingsProxyBackend final : public ProxySettingsBackend {
public:
    // program: the gsettings executable.
    explicit GSettingsProxyBackend(QString program, int deadlineMs = 3000);

    // The gsettings tool on PATH, when it knows the proxy schema; else an empty string.
    static QString availableTool();

    QString id() const override;
    std::variant<ProxySettingValues, SystemProxyError> read() override;
    std::optional<SystemProxyError> write(const ProxySettingValues& values) override;
    ProxySettingValues valuesFor(const SystemProxyTarget& target) const override;

private:
    QString m_program;
    int m_deadlineMs;
};

} // namespace echw
