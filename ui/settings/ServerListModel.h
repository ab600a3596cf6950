#pragma once

#include "config/AppSettings.h"

#include <QAbstractListModel>
#include <QHash>
#include <QIcon>
#include <QList>

namespace echw {

// The name for a copy of a server called name that no name in taken has: "<name> (copy)",
// then "<name> (copy 2)", "<name> (copy 3)", ...; a copy of a copy counts on from the original
// name. An empty name stays empty (such a server shows its address).
QString copyName(const QString& name, const QStringList& taken);

// The servers being edited in the settings dialog, in their saved order. It
// owns the list and the active server's id; the list view shows the active
// server bold with a check and servers with problems with a warning.
class ServerListModel final : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        ActiveRole,
        HasIssuesRole,
    };

    explicit ServerListModel(QObject* parent = nullptr);

    // blank keeps the names of the other rows aligned with the iconed ones.
    void setIcons(const QIcon& active, const QIcon& warning, const QIcon& blank);

    void setServers(const QList<ServerProfile>& servers, const QString& activeServerId);
    const QList<ServerProfile>& servers() const { return m_servers; }
    QStringList names() const;
    const ServerProfile& server(int row) const { return m_servers.at(row); }
    int rowOf(const QString& id) const;

    void setServer(int row, const ServerProfile& server);
    void insertServer(int row, const ServerProfile& server);
    void removeServer(int row);
    // Moves one row so that it ends up at row to.
    void moveServer(int from, int to);

    const QString& activeServerId() const { return m_activeServerId; }
    void setActiveServerId(const QString& id);

    // Messages per row, shown as the row's tooltip next to a warning icon.
    void setIssues(const QHash<int, QStringList>& messagesByRow);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;

private:
    void rowChanged(int row);

    QList<ServerProfile> m_servers;
    QString m_activeServerId;
    QHash<int, QStringList> m_issues;
    QIcon m_activeIcon;
    QIcon m_warningIcon;
    QIcon m_blankIcon;
};

} // namespace echw
