#include "LogFilterModel.h"

#include "LogModel.h"
#include "system/LogOutput.h"

namespace echw {

LogFilterModel::LogFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(false);
}

void LogFilterModel::setLogModel(LogModel* model)
{
    m_logModel = model;
    setSourceModel(model);
}

void LogFilterModel::setMinimumLevel(QtMsgType level)
{
    if (level == m_minimumLevel)
        return;
    m_minimumLevel = level;
    m_minimumSeverity = logSeverity(level);
    invalidateRowsFilter();
}

void LogFilterModel::setSearchText(const QString& text)
{
    if (text == m_searchText)
        return;
    m_searchText = text;
    invalidateRowsFilter();
}

bool LogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (!m_logModel || sourceParent.isValid())
        return false;
    const LogLine& line = m_logModel->line(sourceRow);
    if (logSeverity(line.level) < m_minimumSeverity)
        return false;
    if (m_searchText.isEmpty())
        return true;
    return line.message.contains(m_searchText, Qt::CaseInsensitive) ||
           line.category.contains(m_searchText, Qt::CaseInsensitive);
}

} // namespace echw
