#include "MeteredConnector.h"

#include "metrics/MetricsRegistry.h"

#include <chrono>

namespace echw {

MeteredConnector::MeteredConnector(Connector& inner, MetricsRegistry& metrics)
    : m_inner(inner)
    , m_metrics(metrics)
{}

std::unique_ptr<QObject> MeteredConnector::open(const TargetAddress& target, QByteArray earlyData,
                                                Callback callback, ConnectionEntry* entry)
{
    const auto started = std::chrono::steady_clock::now();
    // The registry outlives every connection: the engine owns it for its whole life.
    MetricsRegistry* metrics = &m_metrics;
    return m_inner.open(
        target, std::move(earlyData),
        [metrics, started, callback = std::move(callback)](Result result) {
            if (const auto* error = std::get_if<ConnectError>(&result))
                metrics->connectFailed(error->kind);
            else
                metrics->connectSucceeded(std::chrono::steady_clock::now() - started);
            callback(std::move(result));
        },
        entry);
}

} // namespace echw
