#include "LogModel.h"

#include "system/LogOutput.h"

#include <QBrush>
#include <QColor>

#include <algorithm>

namespace echw {

LogModel::LogModel(int capacity, QObject* parent)
    : DashboardTableModel({tr("Time"), tr("Level"), tr("Category"), tr("Message")}, {}, parent)
    , m_lines(std::size_t(std::max(1, capacity)))
{}

void LogModel::append(const QList<LogLine>& lines)
{
    if (lines.isEmpty())
        return;
    const auto plan = m_lines.planAppend(std::size_t(lines.size()));
    if (plan.dropped > 0) {
        beginRemoveRows({}, 0, int(plan.dropped) - 1);
        m_lines.dropOldest(plan.dropped);
        endRemoveRows();
    }
    const int first = rowCount();
    beginInsertRows({}, first, first + int(plan.kept) - 1);
    for (qsizetype i = lines.size() - qsizetype(plan.kept); i < lines.size(); ++i)
        m_lines.push(lines[i]);
    endInsertRows();
}

void LogModel::clear()
{
    if (m_lines.empty())
        return;
    beginResetModel();
    m_lines.clear();
    endResetModel();
}

QString LogModel::lineText(const LogLine& line)
{
    return QStringLiteral("%1 %2 [%3] %4")
        .arg(line.time.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")), levelName(line.level),
             line.category, line.message);
}

QString LogModel::levelName(QtMsgType level)
{
    switch (level) {
    case QtDebugMsg:
        return tr("Debug");
    case QtInfoMsg:
        return tr("Info");
    case QtWarningMsg:
        return tr("Warning");
    case QtCriticalMsg:
        return tr("Error");
    case QtFatalMsg:
        return tr("Fatal");
    }
    return {};
}

int LogModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

QVariant LogModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const LogLine& entry = line(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time:
            return entry.time.toString(QStringLiteral("HH:mm:ss.zzz"));
        case Level:
            return levelName(entry.level);
        case Category:
            return entry.category;
        case Message:
            return entry.message;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == Message)
            return entry.message;
        return {};
    case Qt::ForegroundRole:
        if (logSeverity(entry.level) >= logSeverity(QtCriticalMsg))
            return QBrush(QColor(0xc6, 0x28, 0x28));
        if (entry.level == QtWarningMsg)
            return QBrush(QColor(0xb2, 0x6a, 0x00));
        return {};
    default:
        return {};
    }
}

} // namespace echw
