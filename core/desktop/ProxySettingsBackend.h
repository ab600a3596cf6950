#pragma once

#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>
#include <variant>

namespace echw {

// Where the desktop should send applications: the local proxy's HTTP and SOCKS endpoints
// (the same port serves both) and the hosts that always go direct.
struct SystemProxyTarget {
    QString host;
    quint16 port = 0;
    QStringList bypass;

    bool operator==(const SystemProxyTarget&) const = default;
};

// Localhost, loopback, link-local and the private ranges: what no desktop proxy setting of
// ours ever sends through the proxy, whatever the user adds.
QStringList defaultProxyBypass();

// Why a desktop's proxy settings could not be read or changed, as data for the UI.
struct SystemProxyError {
    enum class Code {
        Unsupported,  // no known settings tool for this desktop: args = desktop name
        ToolFailed,   // args = program, exit status or error, its stderr
        ToolTimedOut, // args = program, deadline in ms
        RecoveryFile, // args = path, reason
        BadValue,     // a tool printed what it never prints: args = key, value
    };
    Code code = Code::ToolFailed;
    QStringList args;

    QString text() const;
};

// One desktop's proxy settings as that desktop's own tool reads and writes them: each key's
// value in the tool's text form, or absent. Comparing these texts is how a later start tells
// whether the live settings are still the ones we set.
using ProxySettingValues = QMap<QString, std::optional<QString>>;

// One settings store (GSettings, KDE's kioslaverc): reads and writes a fixed set of keys.
// Calls block for at most the backend's deadline per tool run.
class ProxySettingsBackend {
public:
    virtual ~ProxySettingsBackend() = default;

    // A stable name, kept in the recovery file ("gsettings", "kioslaverc").
    virtual QString id() const = 0;
    // The values of every key this backend owns.
    virtual std::variant<ProxySettingValues, SystemProxyError> read() = 0;
    // Writes values (absent ones are removed where the store can, else reset), then tells
    // running applications to reload.
    virtual std::optional<SystemProxyError> write(const ProxySettingValues& values) = 0;
    // The values that send applications to target.
    virtual ProxySettingValues valuesFor(const SystemProxyTarget& target) const = 0;
};

} // namespace echw
