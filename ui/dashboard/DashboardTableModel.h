#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QString>

namespace echw {

// What the dashboard's flat tables share: a fixed list of column titles and which columns hold
// numbers (right-aligned, in the cells and in the header).
class DashboardTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

protected:
    DashboardTableModel(QList<QString> titles, QList<int> numericColumns, QObject* parent);

    bool isNumericColumn(int column) const { return m_numericColumns.contains(column); }
    // What a column's values mean, shown when the pointer rests on its header.
    void setHeaderToolTip(int column, const QString& text) { m_headerToolTips[column] = text; }
    // Qt::TextAlignmentRole for a cell or header of `column`.
    QVariant alignment(int column) const;

private:
    QList<QString> m_titles;
    QList<int> m_numericColumns;
    QHash<int, QString> m_headerToolTips;
};

} // namespace echw
