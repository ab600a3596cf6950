#pragma once

#include "outbound/Connector.h"

#include <chrono>

namespace echw {

// Connects straight to the target over TCP.
class DirectConnector final : public Connector {
public:
    explicit DirectConnector(std::chrono::milliseconds timeout);
    std::unique_ptr<QObject> open(const TargetAddress& target, QByteArray earlyData,
                                  Callback callback, ConnectionEntry* entry) override;

private:
    std::chrono::milliseconds m_timeout;
};

} // namespace echw
