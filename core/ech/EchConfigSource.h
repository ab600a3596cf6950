#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

#include <functional>
#include <variant>

namespace echw {

// Where the tunnel gets the worker's ECHConfigList: DoH with a persistent cache, or a fixed
// value. Callbacks run on the event loop, never inside get(), and are skipped when `context`
// is gone.
class EchConfigSource {
public:
    using Result = std::variant<QByteArray, QString>; // the config list, or what went wrong
    using Callback = std::function<void(Result)>;

    virtual ~EchConfigSource() = default;
    virtual void get(QObject* context, Callback callback) = 0;
    // The server rejected ECH and sent these (authenticated by the TLS handshake).
    virtual void replaceWithRetryConfigs(const QByteArray& configs) = 0;
    // The server rejected ECH without usable retry configs: the next get() asks anew.
    virtual void invalidate() = 0;
};

} // namespace echw
