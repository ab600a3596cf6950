#include "ConnectionTableModel.h"

#include "DashboardFormat.h"

#include <QHash>
#include <QSet>

#include <array>
#include <optional>

namespace echw {

namespace {

// The engine's sort key for each column; Via and Matched have none.
constexpr std::array<std::optional<ConnectionSortKey>, ConnectionTableModel::ColumnCount>
    kSortKeys = {ConnectionSortKey::Target,  std::nullopt,
                 ConnectionSortKey::Route,   std::nullopt,
                 ConnectionSortKey::BytesUp, ConnectionSortKey::BytesDown,
                 ConnectionSortKey::RateUp,  ConnectionSortKey::RateDown,
                 ConnectionSortKey::Duration};

std::optional<ConnectionSortKey> sortKeyOf(int column)
{
    if (column < 0 || column >= ConnectionTableModel::ColumnCount)
        return std::nullopt;
    return kSortKeys[std::size_t(column)];
}

QString displayText(const ConnectionSample& sample, int column)
{
    switch (column) {
    case ConnectionTableModel::Target:
        return sample.target;
    case ConnectionTableModel::Via:
        return sample.inbound;
    case ConnectionTableModel::Route:
        return sample.route ? routeActionText(*sample.route)
                            : ConnectionTableModel::tr("deciding…");
    case ConnectionTableModel::Matched:
        return sample.matched ? routeReasonText(*sample.matched) : QString();
    case ConnectionTableModel::Up:
        return formatBytes(double(sample.bytesUp));
    case ConnectionTableModel::Down:
        return formatBytes(double(sample.bytesDown));
    case ConnectionTableModel::UpRate:
        return formatRate(sample.rateUp);
    case ConnectionTableModel::DownRate:
        return formatRate(sample.rateDown);
    case ConnectionTableModel::Duration:
        return formatDuration(sample.durationMs);
    default:
        return {};
    }
}

} // namespace

ConnectionTableModel::ConnectionTableModel(QObject* parent)
    : DashboardTableModel({tr("Target"), tr("Via"), tr("Route"), tr("Matched"), tr("Up"),
                           tr("Down"), tr("Up/s"), tr("Down/s"), tr("Duration")},
                          {Up, Down, UpRate, DownRate, Duration}, parent)
{}

void ConnectionTableModel::apply(const QList<ConnectionSample>& rows)
{
    QHash<quint64, int> newRowOfId;
    newRowOfId.reserve(rows.size());
    for (int row = 0; row < rows.size(); ++row)
        newRowOfId.insert(rows[row].id, row);

    removeVanished(newRowOfId);
    appendNew(rows);
    reorderLike(rows, newRowOfId);
    replaceData(rows);
}

void ConnectionTableModel::removeVanished(const QHash<quint64, int>& newRowOfId)
{
    // From the bottom up, so the rows above a removed range keep their numbers.
    int row = int(m_rows.size()) - 1;
    while (row >= 0) {
        if (newRowOfId.contains(m_rows[row].id)) {
            --row;
            continue;
        }
        const int last = row;
        while (row > 0 && !newRowOfId.contains(m_rows[row - 1].id))
            --row;
        beginRemoveRows({}, row, last);
        m_rows.remove(row, last - row + 1);
        endRemoveRows();
        --row;
    }
}

void ConnectionTableModel::appendNew(const QList<ConnectionSample>& rows)
{
    if (m_rows.size() == rows.size())
        return; // after removeVanished, equal sizes mean the same ids
    QSet<quint64> known;
    known.reserve(m_rows.size());
    for (const ConnectionSample& sample : std::as_const(m_rows))
        known.insert(sample.id);
    QList<ConnectionSample> added;
    for (const ConnectionSample& sample : rows) {
        if (!known.contains(sample.id))
            added.append(sample);
    }
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(added.size()) - 1);
    m_rows.append(added);
    endInsertRows();
}

void ConnectionTableModel::reorderLike(const QList<ConnectionSample>& rows,
                                       const QHash<quint64, int>& newRowOfId)
{
    bool sameOrder = true;
    for (int row = 0; row < m_rows.size() && sameOrder; ++row)
        sameOrder = m_rows[row].id == rows[row].id;
    if (sameOrder)
        return;

    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    QModelIndexList after;
    after.reserve(before.size());
    for (const QModelIndex& index : before) {
        const int newRow = newRowOfId.value(m_rows[index.row()].id);
        after.append(this->index(newRow, index.column()));
    }
    // The old values stay until replaceData, which then compares each row with its new value.
    QList<ConnectionSample> reordered(m_rows.size());
    for (const ConnectionSample& sample : std::as_const(m_rows))
        reordered[newRowOfId.value(sample.id)] = sample;
    m_rows = std::move(reordered);
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void ConnectionTableModel::replaceData(const QList<ConnectionSample>& rows)
{
    int firstChanged = -1;
    int lastChanged = -1;
    for (int row = 0; row < rows.size(); ++row) {
        if (m_rows[row] == rows[row])
            continue;
        if (firstChanged < 0)
            firstChanged = row;
        lastChanged = row;
    }
    m_rows = rows;
    if (firstChanged >= 0)
        Q_EMIT dataChanged(index(firstChanged, 0), index(lastChanged, ColumnCount - 1));
}

ConnectionSort ConnectionTableModel::sortFor(int column, Qt::SortOrder order)
{
    ConnectionSort sort;
    sort.key = sortKeyOf(column).value_or(ConnectionSortKey::Started);
    sort.descending = order == Qt::DescendingOrder;
    return sort;
}

bool ConnectionTableModel::isSortable(int column)
{
    return sortKeyOf(column).has_value();
}

int ConnectionTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant ConnectionTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const ConnectionSample& sample = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        return displayText(sample, index.column());
    case Qt::TextAlignmentRole:
        return alignment(index.column());
    case Qt::ToolTipRole:
        if (index.column() == Matched || index.column() == Target)
            return displayText(sample, index.column());
        return {};
    case ConnectionIdRole:
        return QVariant::fromValue(sample.id);
    default:
        return {};
    }
}

QVariant ConnectionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::InitialSortOrderRole) {
        // The biggest and longest first: what someone looking for a heavy connection wants.
        return isNumericColumn(section) ? Qt::DescendingOrder : Qt::AscendingOrder;
    }
    return DashboardTableModel::headerData(section, orientation, role);
}

} // namespace echw
