#pragma once

#include "DashboardTableModel.h"
#include "RingBuffer.h"

#include <QList>
#include <QStringList>

namespace echw {

// A table of events the engine reports in batches (routing decisions, finished connections),
// newest on top, in a capped ring buffer: when full, the oldest rows (at the bottom) are removed
// before a batch is inserted at the top. Each row is formatted once on arrival: the view repaints
// rows far more often than they arrive.
class NewestFirstModel : public DashboardTableModel {
    Q_OBJECT
public:
    int capacity() const { return int(m_rows.capacity()); }
    void clear();

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

protected:
    struct Row {
        QStringList cells; // one per column
        int kind = 0;      // what toolTip() needs beyond the cells, as the subclass defines
    };

    NewestFirstModel(QList<QString> titles, QList<int> numericColumns, int capacity,
                     QObject* parent);

    // `items` oldest first; makeRow(item) gives each one's Row.
    template <typename T, typename MakeRow>
    void appendBatch(const QList<T>& items, MakeRow&& makeRow)
    {
        if (items.isEmpty())
            return;
        const auto plan = m_rows.planAppend(std::size_t(items.size()));
        removeOldest(int(plan.dropped));
        beginInsertRows({}, 0, int(plan.kept) - 1);
        for (qsizetype i = items.size() - qsizetype(plan.kept); i < items.size(); ++i)
            m_rows.push(makeRow(items[i]));
        endInsertRows();
    }

    // The tooltip of a cell; the default is none.
    virtual QVariant toolTip(const Row& row, int column) const;

private:
    void removeOldest(int count);

    RingBuffer<Row> m_rows;
};

} // namespace echw
