// The user's rules file (UserRules): every rule it accepts must read the same when its own text
// is parsed again, and must match what it names, so no accepted rule is silently dead.

#include "FuzzSupport.h"
#include "routing/UserRules.h"

namespace {

using echw::UserRule;

bool sameRule(const UserRule& a, const UserRule& b)
{
    return a.kind == b.kind && a.value == b.value && a.ipv4 == b.ipv4 && a.network == b.network &&
           a.prefixLength == b.prefixLength && a.action == b.action && a.text == b.text;
}

// A target the rule says it matches: its name, a name under its suffix or holding its keyword,
// or the first address of its prefix.
void checkMatchesItself(const echw::UserRules& rules, int index)
{
    const UserRule& rule = rules.rules()[size_t(index)];
    std::optional<echw::RuleMatch> match;
    switch (rule.kind) {
    case UserRule::Kind::Domain:
        match = rules.match(rule.value, std::nullopt);
        break;
    case UserRule::Kind::Suffix:
        match = rules.match(QStringLiteral("www.") + rule.value, std::nullopt);
        break;
    case UserRule::Kind::Keyword:
        match = rules.match(rule.value + QStringLiteral(".example"), std::nullopt);
        break;
    case UserRule::Kind::Cidr:
        match = rules.match(QString(), rule.ipv4 ? QHostAddress(quint32(rule.network.low))
                                                 : QHostAddress(echw::ipv6BytesOf(rule.network)));
        break;
    }
    // An earlier rule may match first; then it decides, as the rules file says.
    ECHW_FUZZ_CHECK(match && match->ruleIndex <= index);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QString text = QString::fromUtf8(echw::fuzz::bytesOf(data, size));
    const auto parsed = echw::UserRules::parse(text);
    const auto* rules = std::get_if<echw::UserRules>(&parsed);
    if (!rules) {
        const auto& error = std::get<echw::RuleError>(parsed);
        ECHW_FUZZ_CHECK(error.line >= 1 && error.message().startsWith(u"rules line "));
        return 0;
    }
    QString rewritten;
    for (size_t i = 0; i < rules->rules().size(); ++i) {
        const UserRule& rule = rules->rules()[i];
        ECHW_FUZZ_CHECK(rule.line >= 1 && !rule.text.isEmpty());
        checkMatchesItself(*rules, int(i));
        rewritten += rule.text + u'\n';
    }
    const auto again = echw::UserRules::parse(rewritten);
    const auto* reread = std::get_if<echw::UserRules>(&again);
    ECHW_FUZZ_CHECK(reread && reread->rules().size() == rules->rules().size());
    for (size_t i = 0; i < rules->rules().size(); ++i)
        ECHW_FUZZ_CHECK(sameRule(reread->rules()[i], rules->rules()[i]));
    return 0;
}
