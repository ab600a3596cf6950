#include "RoutingConnector.h"

#include "metrics/ConnectionRegistry.h"
#include "routing/Router.h"

namespace echw {

namespace {

// Holds the decision in progress and then the chosen connector's own handle, so destroying
// it cancels whichever step is running.
class RoutedAttempt final : public QObject {
public:
    std::unique_ptr<QObject> inner;
};

} // namespace

RoutingConnector::RoutingConnector(Router& router, Connector& direct, Connector* tunnel)
    : m_router(router)
    , m_direct(direct)
    , m_tunnel(tunnel)
{}

std::unique_ptr<QObject> RoutingConnector::open(const TargetAddress& target, QByteArray earlyData,
                                                Callback callback, ConnectionEntry* entry)
{
    auto attempt = std::make_unique<RoutedAttempt>();
    RoutedAttempt* handle = attempt.get();
    m_router.decide(
        target, handle,
        [this, handle, target, entry, earlyData = std::move(earlyData),
         callback = std::move(callback)](const RoutingDecision& decision) mutable {
            if (entry)
                entry->setRoute(decision);
            switch (decision.action) {
            case RouteAction::Block:
                callback(ConnectError{ConnectError::Kind::Blocked,
                                      QStringLiteral("%1 is blocked by rule %2 (%3)")
                                          .arg(target.toString())
                                          .arg(decision.reason.ruleLine)
                                          .arg(decision.reason.ruleText)});
                return;
            case RouteAction::Direct:
                handle->inner =
                    m_direct.open(target, std::move(earlyData), std::move(callback), entry);
                return;
            case RouteAction::Tunnel:
                if (!m_tunnel) {
                    callback(ConnectError{ConnectError::Kind::Failed,
                                          QStringLiteral("%1 should be tunnelled, but no server is "
                                                         "configured")
                                              .arg(target.toString())});
                    return;
                }
                handle->inner =
                    m_tunnel->open(target, std::move(earlyData), std::move(callback), entry);
                return;
            }
        });
    return attempt;
}

} // namespace echw
