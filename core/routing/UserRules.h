#pragma once

#include "config/Problem.h"
#include "routing/IpNumbers.h"
#include "routing/RoutingDecision.h"

#include <QHostAddress>
#include <QString>
#include <QStringView>

#include <optional>
#include <variant>
#include <vector>

namespace echw {

// The user's own routing rules, checked before the routing mode; the first rule that matches
// decides. The text has one rule per line, `TYPE:VALUE ACTION`:
//
//   # work network                  '#' starts a comment (also after a rule); blank lines are fine
//   domain:intranet.example direct  exactly this name
//   suffix:example.com tunnel       example.com and every name under it (a.example.com), but
//                                   not badexample.com
//   keyword:ads block               every name that contains "ads"
//   cidr:10.0.0.0/8 direct          addresses in this prefix (host bits must be zero); an IPv4
//   cidr:2001:db8::/32 direct       prefix also matches IPv4-mapped IPv6 addresses
//
// ACTION is direct, tunnel or block. Types, actions and names are case-insensitive; a name may
// be internationalised (it is compared in its ASCII "xn--" form); a trailing dot is ignored.
// Name rules look at the target's name, cidr rules at its address (the literal, or what the
// name resolved to).
struct UserRule {
    enum class Kind { Domain, Suffix, Keyword, Cidr };

    Kind kind = Kind::Domain;
    QString value;        // Domain, Suffix, Keyword: lower-case ASCII
    bool ipv4 = false;    // Cidr: an IPv4 prefix (network in the low 32 bits)
    Ipv6Number network;   // Cidr
    int prefixLength = 0; // Cidr
    RouteAction action = RouteAction::Tunnel;
    int line = 0; // 1-based, in the rules text
    QString text; // as written, without comment
};

struct RuleMatch {
    RouteAction action = RouteAction::Tunnel;
    int ruleIndex = 0; // 0-based among the rules
    int line = 0;
    QString ruleText;
};

// The first bad rule, e.g. `rules line 3: "suffix:exa mple.com direct": invalid domain
// "exa mple.com"`.
struct RuleError {
    int line = 0;
    Problem problem;
    QString message() const { return problem.text(); }
};

class UserRules {
public:
    using ParseResult = std::variant<UserRules, RuleError>;

    // sourceName starts every error message (the file, or "rules").
    static ParseResult parse(QStringView text, const QString& sourceName = QStringLiteral("rules"));

    // host is the target's name (an address literal in it is not a name and matches no name
    // rule); address is the target's address, if known.
    std::optional<RuleMatch> match(QStringView host,
                                   const std::optional<QHostAddress>& address) const;

    const std::vector<UserRule>& rules() const { return m_rules; }
    bool isEmpty() const { return m_rules.empty(); }

private:
    std::vector<UserRule> m_rules;
};

} // namespace echw
