#pragma once

#include "NewestFirstModel.h"
#include "routing/RoutingDecision.h"

#include <QList>
#include <QTime>

namespace echw {

// The latest routing decisions, newest on top, at most `capacity` of them.
class RoutingDecisionModel final : public NewestFirstModel {
    Q_OBJECT
public:
    static constexpr int kDefaultCapacity = 1000;

    // Resolve: the name's resolution (bypass_cn with a domain); Lookup: rules and lists, after it.
    enum Column { Time, Target, Addresses, Route, Why, Cache, Resolve, Lookup, ColumnCount };

    explicit RoutingDecisionModel(int capacity = kDefaultCapacity, QObject* parent = nullptr);

    // `decisions` oldest first, as the engine snapshot carries them.
    void append(const QList<RoutingDecision>& decisions);

private:
    // Row::kind is the decision's RoutingDecision::CacheUse.
    static Row makeRow(const RoutingDecision& decision, const QTime& received);
    QVariant toolTip(const Row& row, int column) const override;
};

} // namespace echw
