#pragma once

#include "desktop/ProxySettingsBackend.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace echw {

// Points the desktop's proxy settings at the local proxy and puts the user's own back.
//
// Before anything is changed, the values found and the values set are written to a recovery
// file (atomic, owner-only). restore() puts the values found back, but for each settings store
// only when its live values are still the ones set: a change someone made meanwhile is never
// overwritten. A recovery file left by a crash is handled the same way by the next restore(),
// which the app calls at start, so a user's own proxy settings are never lost.
class SystemProxy {
public:
    // desktop: the desktop's name for messages (XDG_CURRENT_DESKTOP).
    SystemProxy(std::vector<std::unique_ptr<ProxySettingsBackend>> backends, QString desktop,
                QString recoveryPath);
    ~SystemProxy();
    SystemProxy(const SystemProxy&) = delete;
    SystemProxy& operator=(const SystemProxy&) = delete;

    // The stores this session's desktop reads (XDG_CURRENT_DESKTOP and the tools on PATH):
    // KDE's kioslaverc and GSettings on KDE, GSettings on the GNOME family, none elsewhere.
    static std::unique_ptr<SystemProxy> forThisDesktop(QString recoveryPath);

    bool supported() const { return !m_backends.empty(); }
    // The ids of the stores it changes, in the order it changes them.
    QStringList storeIds() const;
    QString desktop() const { return m_desktop; }
    // The recovery file exists: the settings were set by this run or a run that crashed.
    bool isSet() const;

    // Points every store at target; again with another target while set, the values found
    // the first time stay the ones restore() puts back. On an error every store is put back.
    std::optional<SystemProxyError> set(const SystemProxyTarget& target);

    struct Outcome {
        QStringList restored;  // store ids put back
        QStringList leftAlone; // store ids someone else changed meanwhile
        std::optional<SystemProxyError> error;
    };
    // Puts back what the recovery file holds, as above, then removes the file. Nothing to do
    // when there is none. When a store cannot be written, the file stays for the next try.
    Outcome restore();

private:
    ProxySettingsBackend* backend(const QString& id) const;

    std::vector<std::unique_ptr<ProxySettingsBackend>> m_backends;
    QString m_desktop;
    QString m_recoveryPath;
};

// Shell lines that point programs started from a terminal at the proxy, for desktops without
// a proxy setting: `export http_proxy=... https_proxy=... all_proxy=... no_proxy=...`.
QString proxyEnvironmentCommands(const SystemProxyTarget& target);

} // namespace echw
