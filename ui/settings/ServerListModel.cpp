#include "ServerListModel.h"

#include <QFont>
#include <QRegularExpression>

namespace echw {

namespace {

QString firstCopyTemplate()
{
    return ServerListModel::tr("%1 (copy)");
}

QString numberedCopyTemplate()
{
    return ServerListModel::tr("%1 (copy %2)");
}

// A name such as "a (copy 2)" as the template (translated) reads it: %1 any text, %2 a number.
QRegularExpression copyPattern(const QString& nameTemplate)
{
    QString pattern = QRegularExpression::escape(nameTemplate);
    pattern.replace(QRegularExpression::escape(QStringLiteral("%1")), QStringLiteral("(.+)"));
    pattern.replace(QRegularExpression::escape(QStringLiteral("%2")), QStringLiteral("\\d+"));
    return QRegularExpression(QStringLiteral("^") + pattern + QStringLiteral("$"));
}

} // namespace

QString copyName(const QString& name, const QStringList& taken)
{
    if (name.isEmpty())
        return name;
    QString original = name;
    for (const QString& nameTemplate : {firstCopyTemplate(), numberedCopyTemplate()}) {
        const QRegularExpressionMatch match = copyPattern(nameTemplate).match(name);
        if (match.hasMatch()) {
            original = match.captured(1);
            break;
        }
    }
    QString candidate = firstCopyTemplate().arg(original);
    for (int number = 2; taken.contains(candidate); ++number)
        candidate = numberedCopyTemplate().arg(original, QString::number(number));
    return candidate;
}

ServerListModel::ServerListModel(QObject* parent)
    : QAbstractListModel(parent)
{}

void ServerListModel::setIcons(const QIcon& active, const QIcon& warning, const QIcon& blank)
{
    m_activeIcon = active;
    m_warningIcon = warning;
    m_blankIcon = blank;
}

void ServerListModel::setServers(const QList<ServerProfile>& servers, const QString& activeServerId)
{
    beginResetModel();
    m_servers = servers;
    m_activeServerId = activeServerId;
    m_issues.clear();
    endResetModel();
}

QStringList ServerListModel::names() const
{
    QStringList result;
    for (const ServerProfile& server : m_servers)
        result.append(server.name);
    return result;
}

int ServerListModel::rowOf(const QString& id) const
{
    for (qsizetype row = 0; row < m_servers.size(); ++row) {
        if (m_servers[row].id == id)
            return int(row);
    }
    return -1;
}

void ServerListModel::setServer(int row, const ServerProfile& server)
{
    if (m_servers.at(row) == server)
        return;
    m_servers[row] = server;
    rowChanged(row);
}

void ServerListModel::insertServer(int row, const ServerProfile& server)
{
    beginInsertRows({}, row, row);
    m_servers.insert(row, server);
    endInsertRows();
}

void ServerListModel::removeServer(int row)
{
    beginRemoveRows({}, row, row);
    m_servers.removeAt(row);
    endRemoveRows();
}

void ServerListModel::moveServer(int from, int to)
{
    if (from == to || to < 0 || to >= m_servers.size())
        return;
    // beginMoveRows names the row the item goes before, counted before the move.
    beginMoveRows({}, from, from, {}, to > from ? to + 1 : to);
    m_servers.move(from, to);
    endMoveRows();
}

void ServerListModel::setActiveServerId(const QString& id)
{
    if (id == m_activeServerId)
        return;
    const int before = rowOf(m_activeServerId);
    m_activeServerId = id;
    if (before >= 0)
        rowChanged(before);
    if (const int after = rowOf(id); after >= 0)
        rowChanged(after);
}

void ServerListModel::setIssues(const QHash<int, QStringList>& messagesByRow)
{
    if (messagesByRow == m_issues)
        return;
    m_issues = messagesByRow;
    if (!m_servers.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_servers.size()) - 1),
                           {Qt::DecorationRole, Qt::ToolTipRole, HasIssuesRole});
}

int ServerListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_servers.size());
}

QVariant ServerListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_servers.size())
        return {};
    const ServerProfile& server = m_servers[index.row()];
    const bool active = server.id == m_activeServerId;
    const bool hasIssues = m_issues.contains(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return server.name.trimmed().isEmpty() ? tr("(no name)") : server.name;
    case Qt::FontRole:
        if (active) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::DecorationRole:
        if (hasIssues)
            return m_warningIcon;
        return active ? m_activeIcon : m_blankIcon;
    case Qt::ToolTipRole: {
        QStringList lines;
        if (active)
            lines.append(tr("The server in use"));
        lines.append(m_issues.value(index.row()));
        return lines.join(u'\n');
    }
    case IdRole:
        return server.id;
    case ActiveRole:
        return active;
    case HasIssuesRole:
        return hasIssues;
    default:
        return {};
    }
}

void ServerListModel::rowChanged(int row)
{
    const QModelIndex changed = index(row);
    Q_EMIT dataChanged(changed, changed);
}

} // namespace echw
