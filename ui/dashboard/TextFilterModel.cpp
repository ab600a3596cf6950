#include "TextFilterModel.h"

#include <utility>

namespace echw {

TextFilterModel::TextFilterModel(QList<int> columns, QObject* parent)
    : QSortFilterProxyModel(parent)
    , m_columns(std::move(columns))
{}

void TextFilterModel::setText(const QString& text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    m_text = trimmed;
    invalidateRowsFilter();
}

bool TextFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    // The common case, nothing typed, costs nothing per row and update.
    if (m_text.isEmpty())
        return true;
    const QAbstractItemModel* source = sourceModel();
    for (int column : m_columns) {
        const QString cell = source->index(sourceRow, column, sourceParent).data().toString();
        if (cell.contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace echw
