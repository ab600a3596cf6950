#pragma once

#include <QSortFilterProxyModel>
#include <QString>

namespace echw {

class LogModel;

// Shows the lines of a LogModel at or above a minimum level whose message or category contains
// the search text (case-insensitive). Never sorts: the log stays in arrival order.
class LogFilterModel final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit LogFilterModel(QObject* parent = nullptr);

    void setLogModel(LogModel* model);
    void setMinimumLevel(QtMsgType level);
    QtMsgType minimumLevel() const { return m_minimumLevel; }
    void setSearchText(const QString& text);
    const QString& searchText() const { return m_searchText; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    LogModel* m_logModel = nullptr;
    QtMsgType m_minimumLevel = QtDebugMsg;
    int m_minimumSeverity = 0;
    QString m_searchText;
};

} // namespace echw
