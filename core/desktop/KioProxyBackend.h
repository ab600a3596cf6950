#pragma once

#include "desktop/ProxySettingsBackend.h"

namespace echw {

// KDE Plasma 5 and 6: the [Proxy Settings] group of kioslaverc, read and written with the
// desktop's own kreadconfig/kwriteconfig (6 where present, else 5), then KIO's reparse
// signal on the session bus so running KDE applications pick the change up at once.
class KioProxyBackend final : public ProxySettingsBackend {
public:
    struct Tools {
        QString read;   // kreadconfig6 or kreadconfig5
        QString write;  // kwriteconfig6 or kwriteconfig5
        QString notify; // dbus-send, or empty: applications then see the change on restart
    };
    explicit KioProxyBackend(Tools tools, int deadlineMs = 3000);

    // The tools on PATH; nothing when neither kwriteconfig6 nor kwriteconfig5 is there.
    static std::optional<Tools> availableTools();

    QString id() const override;
    std::variant<ProxySettingValues, SystemProxyError> read() override;
    std::optional<SystemProxyError> write(const ProxySettingValues& values) override;
    ProxySettingValues valuesFor(const SystemProxyTarget& target) const override;

private:
    Tools m_tools;
    int m_deadlineMs;
};

} // namespace echw
