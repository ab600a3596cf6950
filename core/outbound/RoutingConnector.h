#pragma once

#include "outbound/Connector.h"

namespace echw {

class Router;

// Asks the router where a target goes, then opens it through the direct or the tunnel
// connector; a blocked target fails with ConnectError::Kind::Blocked.
class RoutingConnector final : public Connector {
public:
    // tunnel may be null when nothing can be tunnelled (routing none without tunnel rules).
    RoutingConnector(Router& router, Connector& direct, Connector* tunnel);

    std::unique_ptr<QObject> open(const TargetAddress& target, QByteArray earlyData,
                                  Callback callback, ConnectionEntry* entry) override;

private:
    Router& m_router;
    Connector& m_direct;
    Connector* m_tunnel;
};

} // namespace echw
