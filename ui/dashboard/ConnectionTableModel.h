#pragma once

#include "DashboardTableModel.h"
#include "metrics/EngineSnapshot.h"

#include <QList>

namespace echw {

// The live connections, one row each, in the order the engine thread sorted them: the GUI never
// sorts. Each snapshot is applied as the difference to the previous one (removed rows, inserted
// rows, at most one layout change and one dataChanged), so views keep their selection and
// scroll position and repaint only what is visible.
class ConnectionTableModel final : public DashboardTableModel {
    Q_OBJECT
public:
    enum Column { Target, Via, Route, Matched, Up, Down, UpRate, DownRate, Duration, ColumnCount };
    enum Role {
        ConnectionIdRole = Qt::UserRole + 1, // quint64: ConnectionSample::id
    };

    explicit ConnectionTableModel(QObject* parent = nullptr);

    // `rows` are the engine's live connections, already in display order.
    void apply(const QList<ConnectionSample>& rows);

    const QList<ConnectionSample>& rows() const { return m_rows; }

    // The engine-side sort for a click on `column`; columns without one of their own (see
    // isSortable) keep the start order.
    static ConnectionSort sortFor(int column, Qt::SortOrder order);
    static bool isSortable(int column);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void removeVanished(const QHash<quint64, int>& newRowOfId);
    void appendNew(const QList<ConnectionSample>& rows);
    void reorderLike(const QList<ConnectionSample>& rows, const QHash<quint64, int>& newRowOfId);
    void replaceData(const QList<ConnectionSample>& rows);

    QList<ConnectionSample> m_rows;
};

} // namespace echw
