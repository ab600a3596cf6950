#include "RoutingDecisionModel.h"

#include "DashboardFormat.h"

#include <QStringList>

#include <algorithm>

namespace echw {

namespace {

QString cacheText(RoutingDecision::CacheUse cache)
{
    switch (cache) {
    case RoutingDecision::CacheUse::Hit:
        return RoutingDecisionModel::tr("hit");
    case RoutingDecision::CacheUse::Miss:
        return RoutingDecisionModel::tr("miss");
    case RoutingDecision::CacheUse::NotConsulted:
        break;
    }
    return QStringLiteral("—");
}

QString addressesText(const QList<QHostAddress>& addresses)
{
    QStringList texts;
    texts.reserve(addresses.size());
    for (const QHostAddress& address : addresses)
        texts.append(address.toString());
    return texts.join(QStringLiteral(", "));
}

QString cacheToolTip(RoutingDecision::CacheUse cache)
{
    switch (cache) {
    case RoutingDecision::CacheUse::Hit:
        return RoutingDecisionModel::tr("The address was in the lookup cache: the China lists "
                                        "were not searched");
    case RoutingDecision::CacheUse::Miss:
        return RoutingDecisionModel::tr("The address was not cached: the China lists were "
                                        "searched, and the answer kept for next time");
    case RoutingDecision::CacheUse::NotConsulted:
        break;
    }
    return RoutingDecisionModel::tr("No list lookup: a rule or the routing mode decided");
}

} // namespace

RoutingDecisionModel::RoutingDecisionModel(int capacity, QObject* parent)
    : NewestFirstModel({tr("Time"), tr("Target"), tr("Addresses"), tr("Route"), tr("Why"),
                        tr("Cache"), tr("Resolve"), tr("Lookup")},
                       {Resolve, Lookup}, capacity, parent)
{
    setHeaderToolTip(Why, tr("The rule, list range or routing mode that chose the route"));
    setHeaderToolTip(Cache, tr("hit: the answer came from the lookup cache; miss: the China "
                               "lists were searched; —: no list lookup (a rule or the mode "
                               "decided)"));
    setHeaderToolTip(Resolve, tr("Time to resolve the name (bypass_cn only)"));
    setHeaderToolTip(Lookup, tr("Time for the rules and lists, after any resolution"));
}

RoutingDecisionModel::Row RoutingDecisionModel::makeRow(const RoutingDecision& decision,
                                                        const QTime& received)
{
    Row row;
    row.cells = {received.toString(QStringLiteral("HH:mm:ss")),
                 decision.target.toString(),
                 addressesText(decision.addresses),
                 routeActionText(decision.action),
                 routeReasonText(decision.reason),
                 cacheText(decision.cache),
                 decision.resolveNs > 0 ? formatMicroseconds(decision.resolveNs)
                                        : QStringLiteral("—"),
                 formatMicroseconds(decision.elapsedNs - decision.resolveNs)};
    row.kind = int(decision.cache);
    return row;
}

void RoutingDecisionModel::append(const QList<RoutingDecision>& decisions)
{
    const QTime received = QTime::currentTime();
    appendBatch(decisions,
                [&](const RoutingDecision& decision) { return makeRow(decision, received); });
}

QVariant RoutingDecisionModel::toolTip(const Row& row, int column) const
{
    if (column == Why || column == Addresses)
        return row.cells.value(column);
    if (column == Cache)
        return cacheToolTip(RoutingDecision::CacheUse(row.kind));
    return {};
}

} // namespace echw
