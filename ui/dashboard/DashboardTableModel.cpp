#include "DashboardTableModel.h"

namespace echw {

DashboardTableModel::DashboardTableModel(QList<QString> titles, QList<int> numericColumns,
                                         QObject* parent)
    : QAbstractTableModel(parent)
    , m_titles(std::move(titles))
    , m_numericColumns(std::move(numericColumns))
{}

int DashboardTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_titles.size());
}

QVariant DashboardTableModel::alignment(int column) const
{
    if (isNumericColumn(column))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant DashboardTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= m_titles.size())
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return m_titles[section];
    case Qt::TextAlignmentRole:
        return alignment(section);
    case Qt::ToolTipRole:
        return m_headerToolTips.value(section);
    default:
        return {};
    }
}

} // namespace echw
