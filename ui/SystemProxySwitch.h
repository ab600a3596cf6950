#pragma once

#include "desktop/SystemProxy.h"

#include <QObject>

#include <memory>
#include <optional>

namespace echw {

// The desktop app's policy for the system proxy: the desktop points at the local proxy while
// the user wants it and the proxy runs, and at the user's own settings otherwise. Every change
// is synchronous and bounded (the settings tools' deadlines), so a quit or a log-out finishes
// with the user's settings back.
class SystemProxySwitch final : public QObject {
    Q_OBJECT
public:
    // proxy: may be null (no desktop integration: tests, or no recovery path).
    explicit SystemProxySwitch(std::unique_ptr<SystemProxy> proxy, QObject* parent = nullptr);
    ~SystemProxySwitch() override;

    bool supported() const { return m_proxy && m_proxy->supported(); }
    // Why it is not, for the tray's tooltip and the settings page.
    QString unsupportedReason() const;
    bool isActive() const { return m_proxy && m_proxy->isSet(); }

    // At start: what a crashed run left is put back where it is still ours.
    void recover();
    void setWanted(bool wanted);
    // listenAddress as the engine reports it ("127.0.0.1:30000", "[::]:30000").
    void proxyRunning(const QString& listenAddress);
    void proxyStopped();
    // The shell lines for the proxy last seen running (empty before), for any desktop.
    QString environmentCommands() const;

Q_SIGNALS:
    void activeChanged(bool active);
    void failed(const echw::SystemProxyError& error);

private:
    void apply();

    std::unique_ptr<SystemProxy> m_proxy;
    bool m_wanted = false;
    std::optional<SystemProxyTarget> m_running;
    std::optional<SystemProxyTarget> m_applied; // what the desktop points at now
};

// Where local programs reach a proxy listening on listenAddress: a wildcard address becomes
// the loopback address of its family.
std::optional<SystemProxyTarget> systemProxyTargetFor(const QString& listenAddress);

} // namespace echw
