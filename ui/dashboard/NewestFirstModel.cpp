#include "NewestFirstModel.h"

#include <algorithm>

namespace echw {

NewestFirstModel::NewestFirstModel(QList<QString> titles, QList<int> numericColumns, int capacity,
                                   QObject* parent)
    : DashboardTableModel(std::move(titles), std::move(numericColumns), parent)
    , m_rows(std::size_t(std::max(1, capacity)))
{}

void NewestFirstModel::removeOldest(int count)
{
    if (count <= 0)
        return;
    // The oldest rows are at the bottom.
    const int size = rowCount();
    beginRemoveRows({}, size - count, size - 1);
    m_rows.dropOldest(std::size_t(count));
    endRemoveRows();
}

void NewestFirstModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int NewestFirstModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant NewestFirstModel::toolTip(const Row&, int) const
{
    return {};
}

QVariant NewestFirstModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    // Newest on top: row 0 is the newest element of the buffer.
    const Row& row = m_rows.at(m_rows.size() - 1 - std::size_t(index.row()));
    switch (role) {
    case Qt::DisplayRole:
        return row.cells.value(index.column());
    case Qt::ToolTipRole:
        return toolTip(row, index.column());
    case Qt::TextAlignmentRole:
        return alignment(index.column());
    default:
        return {};
    }
}

} // namespace echw
