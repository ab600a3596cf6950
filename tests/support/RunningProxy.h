#pragma once

#include "config/EngineConfig.h"
#include "engine/EngineRuntime.h"

#include <QEventLoop>

#include <optional>

namespace echw::test {

// A proxy on `listen` that connects every target directly (routing none: no server needed).
inline ProxySettings directSettings(const QString& listen)
{
    ProxySettings settings;
    settings.listen = listen;
    settings.routing = RoutingMode::None;
    return settings;
}

// Starts `runtime` as the programs do: the settings parsed into an EngineConfig, the default
// thread count unless `threads` says otherwise. Returns what went wrong, parse or start.
inline std::optional<QString> startProxy(EngineRuntime& runtime, const ProxySettings& settings,
                                         int threads = 0)
{
    auto parsed = EngineConfig::parse(settings, threads);
    if (auto* error = std::get_if<ConfigError>(&parsed))
        return error->text();
    return runtime.start(std::get<EngineConfig>(parsed));
}

inline quint16 proxyPort(const EngineRuntime& runtime)
{
    return quint16(runtime.listenAddress().section(u':', -1).toUInt());
}

// The merged dashboard snapshot of every engine thread, waited for on this thread's loop (the
// runtime answers within its own deadline).
inline EngineSnapshot snapshotOf(EngineRuntime& runtime, const ConnectionSort& sort = {})
{
    EngineSnapshot result;
    bool answered = false;
    QEventLoop loop;
    runtime.requestSnapshot(sort, [&](EngineSnapshot snapshot) {
        result = std::move(snapshot);
        answered = true;
        loop.quit();
    });
    if (!answered)
        loop.exec();
    return result;
}

} // namespace echw::test
