#pragma once

#include "net/TargetAddress.h"

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace echw {

enum class RouteAction { Direct, Tunnel, Block };

// "direct", "tunnel", "block": the words of the rules format and of log lines.
QString routeActionName(RouteAction action);
// Case-insensitive.
std::optional<RouteAction> routeActionFromName(QStringView name);

// How one connection was routed and why, for the event log and the connection list.
struct RoutingDecision {
    enum class Reason {
        UserRule,      // rule ruleIndex (ruleLine in the rules text) matched
        ChinaList,     // bypass_cn: an address is in the China lists
        Mode,          // the routing mode's default (global, none, bypass_cn outside the lists)
        ResolveFailed, // bypass_cn: the name did not resolve, so it is tunnelled
    };
    enum class CacheUse { NotConsulted, Hit, Miss };

    TargetAddress target;          // as the client named it
    QList<QHostAddress> addresses; // resolved (or the literal); empty when not resolved
    Reason reason = Reason::Mode;
    int ruleIndex = -1; // 0-based among the rules; -1 unless reason is UserRule
    int ruleLine = 0;   // 1-based line of that rule in the rules text
    QString ruleText;   // the rule as written
    RouteAction action = RouteAction::Tunnel;
    CacheUse cache = CacheUse::NotConsulted;
    qint64 elapsedNs = 0; // deciding, including any name resolution
};

// Why a decision went the way it did, in a few words for the dashboard and the log: "China
// list", "rule 3: domain:example.com", "routing mode", "name did not resolve".
QString describeRoutingReason(const RoutingDecision& decision);

} // namespace echw
