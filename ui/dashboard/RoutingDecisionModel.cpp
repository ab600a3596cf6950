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
    : DashboardTableModel({tr("Time"), tr("Target"), tr("Addresses"), tr("Route"), tr("Why"),
                           tr("Cache"), tr("Resolve"), tr("Lookup")},
                          {Resolve, Lookup}, parent)
    , m_rows(std::size_t(std::max(1, capacity)))
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
    row.cells[Time] = received.toString(QStringLiteral("HH:mm:ss"));
    row.cells[Target] = decision.target.toString();
    row.cells[Addresses] = addressesText(decision.addresses);
    row.cells[Route] = routeActionText(decision.action);
    row.cells[Why] = routeReasonText(decision.reason);
    row.cells[Cache] = cacheText(decision.cache);
    row.cells[Resolve] =
        decision.resolveNs > 0 ? formatMicroseconds(decision.resolveNs) : QStringLiteral("—");
    row.cells[Lookup] = formatMicroseconds(decision.elapsedNs - decision.resolveNs);
    row.cache = decision.cache;
    return row;
}

void RoutingDecisionModel::append(const QList<RoutingDecision>& decisions)
{
    if (decisions.isEmpty())
        return;
    const auto plan = m_rows.planAppend(std::size_t(decisions.size()));
    if (plan.dropped > 0) {
        // The oldest rows are at the bottom.
        const int size = rowCount();
        beginRemoveRows({}, size - int(plan.dropped), size - 1);
        m_rows.dropOldest(plan.dropped);
        endRemoveRows();
    }
    const QTime received = QTime::currentTime();
    beginInsertRows({}, 0, int(plan.kept) - 1);
    for (qsizetype i = decisions.size() - qsizetype(plan.kept); i < decisions.size(); ++i)
        m_rows.push(makeRow(decisions[i], received));
    endInsertRows();
}

int RoutingDecisionModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant RoutingDecisionModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    // Newest on top: row 0 is the newest element of the buffer.
    const Row& row = m_rows.at(m_rows.size() - 1 - std::size_t(index.row()));
    switch (role) {
    case Qt::DisplayRole:
        return row.cells[index.column()];
    case Qt::ToolTipRole:
        if (index.column() == Why || index.column() == Addresses)
            return row.cells[index.column()];
        if (index.column() == Cache)
            return cacheToolTip(row.cache);
        return {};
    case Qt::TextAlignmentRole:
        return alignment(index.column());
    default:
        return {};
    }
}

} // namespace echw
