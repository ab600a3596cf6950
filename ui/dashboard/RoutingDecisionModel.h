#pragma once

#include "DashboardTableModel.h"
#include "RingBuffer.h"
#include "routing/RoutingDecision.h"

#include <QList>
#include <QTime>

namespace echw {

// The latest routing decisions, newest on top, in a capped ring buffer: when full, the oldest
// rows (at the bottom) are removed before a batch is inserted at the top.
class RoutingDecisionModel final : public DashboardTableModel {
    Q_OBJECT
public:
    static constexpr int kDefaultCapacity = 1000;

    // Resolve: the name's resolution (bypass_cn with a domain); Lookup: rules and lists, after it.
    enum Column { Time, Target, Addresses, Route, Why, Cache, Resolve, Lookup, ColumnCount };

    explicit RoutingDecisionModel(int capacity = kDefaultCapacity, QObject* parent = nullptr);

    // `decisions` oldest first, as the engine snapshot carries them.
    void append(const QList<RoutingDecision>& decisions);
    int capacity() const { return int(m_rows.capacity()); }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    // Formatted once on arrival: the view repaints rows far more often than they arrive.
    struct Row {
        QString cells[ColumnCount];
        RoutingDecision::CacheUse cache = RoutingDecision::CacheUse::NotConsulted;
    };
    static Row makeRow(const RoutingDecision& decision, const QTime& received);

    RingBuffer<Row> m_rows;
};

} // namespace echw
