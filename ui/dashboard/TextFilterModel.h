#pragma once

#include <QList>
#include <QSortFilterProxyModel>
#include <QString>

namespace echw {

// The rows of a dashboard table whose text, in one of the columns a user would search (a target,
// a route, a reason; not times or byte counts), contains what was typed, case-insensitively. It
// never sorts: the rows keep the source's order.
class TextFilterModel final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    TextFilterModel(QList<int> columns, QObject* parent = nullptr);

    void setText(const QString& text);
    const QString& text() const { return m_text; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QList<int> m_columns;
    QString m_text;
};

} // namespace echw
