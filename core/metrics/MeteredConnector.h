#pragma once

#include "outbound/Connector.h"

namespace echw {

class MetricsRegistry;

// Counts what another connector does: how long each successful open took until the stream was
// established, and each failure by its reason. One timestamp and one wrapped callback per
// connection; nothing per byte.
class MeteredConnector final : public Connector {
public:
    MeteredConnector(Connector& inner, MetricsRegistry& metrics);

    std::unique_ptr<QObject> open(const TargetAddress& target, QByteArray earlyData,
                                  Callback callback, ConnectionEntry* entry) override;

private:
    Connector& m_inner;
    MetricsRegistry& m_metrics;
};

} // namespace echw
