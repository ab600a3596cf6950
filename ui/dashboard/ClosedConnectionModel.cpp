#include "ClosedConnectionModel.h"

#include "DashboardFormat.h"

namespace echw {

ClosedConnectionModel::ClosedConnectionModel(int capacity, QObject* parent)
    : NewestFirstModel({tr("Closed"), tr("Target"), tr("Via"), tr("Route"), tr("Matched"), tr("Up"),
                        tr("Down"), tr("Duration")},
                       {Up, Down, Duration}, capacity, parent)
{
    setHeaderToolTip(Closed, tr("When the connection ended (to within a second)"));
    setHeaderToolTip(Up, tr("Bytes the client sent over the whole connection"));
    setHeaderToolTip(Down, tr("Bytes the client received over the whole connection"));
}

ClosedConnectionModel::Row ClosedConnectionModel::makeRow(const ClosedConnection& closed)
{
    const ConnectionSample& sample = closed.sample;
    Row row;
    // No route: it ended while the route was being decided (the client gave up, or the
    // request was refused).
    row.cells = {closed.closedAt.toString(QStringLiteral("HH:mm:ss")),
                 sample.target,
                 sample.inbound,
                 sample.route ? routeActionText(*sample.route) : tr("none"),
                 sample.matched ? routeReasonText(*sample.matched) : QString(),
                 formatBytes(double(sample.bytesUp)),
                 formatBytes(double(sample.bytesDown)),
                 formatDuration(sample.durationMs)};
    return row;
}

void ClosedConnectionModel::append(const QList<ClosedConnection>& closed)
{
    appendBatch(closed, &ClosedConnectionModel::makeRow);
}

QVariant ClosedConnectionModel::toolTip(const Row& row, int column) const
{
    if (column == Target || column == Matched)
        return row.cells.value(column);
    return {};
}

} // namespace echw
