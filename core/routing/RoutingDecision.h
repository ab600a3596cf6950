#pragma once

#include "config/ProxySettings.h"
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

// Why a connection goes where it goes, as data: the UI words it in the user's language, the
// log in English (describeRoutingReason).
struct RouteReason {
    enum class Kind {
        UserRule,       // rule ruleIndex (ruleLine in the rules text) matched
        ChinaList,      // bypass_cn: an address is in the China lists, in [listFirst, listLast]
        NotInChinaList, // bypass_cn: no address is in the lists, so it is tunnelled
        Mode,           // the routing mode's default (global, none)
        ResolveFailed,  // bypass_cn: the name did not resolve, so it is tunnelled
    };
    Kind kind = Kind::Mode;
    RoutingMode mode = RoutingMode::Global; // the mode in effect
    int ruleIndex = -1;                     // 0-based among the rules; -1 unless kind is UserRule
    int ruleLine = 0;                       // 1-based line of that rule in the rules text
    QString ruleText;                       // the rule as written
    // ChinaList: the list's range (after merging touching lines) that holds the address.
    QHostAddress listFirst;
    QHostAddress listLast;

    bool operator==(const RouteReason&) const = default;
};

// How one connection was routed and why, for the event log and the connection list.
struct RoutingDecision {
    enum class CacheUse { NotConsulted, Hit, Miss };

    TargetAddress target;          // as the client named it
    QList<QHostAddress> addresses; // resolved (or the literal); empty when not resolved
    RouteReason reason;
    RouteAction action = RouteAction::Tunnel;
    CacheUse cache = CacheUse::NotConsulted;
    qint64 elapsedNs = 0; // deciding, including any name resolution
    qint64 resolveNs = 0; // of which resolving the name (bypass_cn with a domain)
};

// Why a decision went the way it did, in a few English words for the log: "in China list
// 1.2.0.0/16", "rule 3: domain:example.com", "global mode", "name did not resolve".
QString describeRoutingReason(const RouteReason& reason);

// A range as a CIDR block when it is one ("1.2.0.0/16"), otherwise "first-last".
QString addressRangeText(const QHostAddress& first, const QHostAddress& last);

} // namespace echw
