#include "dashboard/ConnectionTableModel.h"

#include <QSignalSpy>
#include <QTest>

using echw::ConnectionSample;
using echw::ConnectionSort;
using echw::ConnectionSortKey;
using echw::ConnectionTableModel;
using echw::RouteAction;

namespace {

ConnectionSample sample(quint64 id)
{
    ConnectionSample row;
    row.id = id;
    row.target = QStringLiteral("host%1.example:443").arg(id);
    row.inbound = QStringLiteral("SOCKS5");
    row.route = RouteAction::Tunnel;
    row.matched = echw::RouteReason{};
    row.durationMs = qint64(id) * 1000;
    return row;
}

QList<ConnectionSample> samples(quint64 first, quint64 last)
{
    QList<ConnectionSample> rows;
    for (quint64 id = first; id <= last; ++id)
        rows.append(sample(id));
    return rows;
}

quint64 idAt(const ConnectionTableModel& model, int row)
{
    return model.index(row, 0).data(ConnectionTableModel::ConnectionIdRole).value<quint64>();
}

struct ModelSpies {
    explicit ModelSpies(ConnectionTableModel* model)
        : inserted(model, &QAbstractItemModel::rowsInserted)
        , removed(model, &QAbstractItemModel::rowsRemoved)
        , changed(model, &QAbstractItemModel::dataChanged)
        , layout(model, &QAbstractItemModel::layoutChanged)
        , reset(model, &QAbstractItemModel::modelReset)
    {}
    QSignalSpy inserted;
    QSignalSpy removed;
    QSignalSpy changed;
    QSignalSpy layout;
    QSignalSpy reset;
};

} // namespace

class TestConnectionTableModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void appliesOneRemovalOneInsertionOneDataChangedForAThousandRows()
    {
        ConnectionTableModel model;
        QList<ConnectionSample> rows = samples(1, 1000);
        model.apply(rows);
        QCOMPARE(model.rowCount(), 1000);

        ModelSpies spies(&model);
        rows.removeAt(499); // id 500
        rows.append(sample(1001));
        for (ConnectionSample& row : rows)
            row.durationMs += 1000;
        model.apply(rows);

        QCOMPARE(spies.removed.count(), 1);
        QCOMPARE(spies.removed[0][1].toInt(), 499);
        QCOMPARE(spies.removed[0][2].toInt(), 499);
        QCOMPARE(spies.inserted.count(), 1);
        QCOMPARE(spies.inserted[0][1].toInt(), 999);
        QCOMPARE(spies.inserted[0][2].toInt(), 999);
        QCOMPARE(spies.changed.count(), 1);
        QCOMPARE(spies.layout.count(), 0);
        QCOMPARE(spies.reset.count(), 0);
        QCOMPARE(model.rowCount(), 1000);
        QCOMPARE(idAt(model, 499), quint64(501));
        QCOMPARE(idAt(model, 999), quint64(1001));
    }

    void removesEachContiguousRangeOnce()
    {
        ConnectionTableModel model;
        model.apply(samples(1, 10));
        ModelSpies spies(&model);

        QList<ConnectionSample> rows = samples(1, 10);
        rows.remove(6);    // id 7
        rows.remove(1, 2); // ids 2 and 3
        model.apply(rows);

        QCOMPARE(spies.removed.count(), 2);
        QCOMPARE(spies.removed[0][1].toInt(), 6);
        QCOMPARE(spies.removed[0][2].toInt(), 6);
        QCOMPARE(spies.removed[1][1].toInt(), 1);
        QCOMPARE(spies.removed[1][2].toInt(), 2);
        QCOMPARE(spies.inserted.count(), 0);
        QCOMPARE(spies.changed.count(), 0);
        QCOMPARE(model.rows(), rows);
    }

    void insertsABatchOfNewConnectionsAtOnce()
    {
        ConnectionTableModel model;
        model.apply(samples(1, 3));
        ModelSpies spies(&model);
        model.apply(samples(1, 8));
        QCOMPARE(spies.inserted.count(), 1);
        QCOMPARE(spies.inserted[0][1].toInt(), 3);
        QCOMPARE(spies.inserted[0][2].toInt(), 7);
        QCOMPARE(spies.layout.count(), 0);
        QCOMPARE(spies.changed.count(), 0);
    }

    void reorderIsOneLayoutChangeKeepingPersistentIndexesOnTheirConnection()
    {
        ConnectionTableModel model;
        model.apply(samples(1, 5));
        const QPersistentModelIndex second(model.index(1, ConnectionTableModel::Down));
        ModelSpies spies(&model);

        QList<ConnectionSample> reversed = samples(1, 5);
        std::reverse(reversed.begin(), reversed.end());
        model.apply(reversed);

        QCOMPARE(spies.layout.count(), 1);
        QCOMPARE(spies.reset.count(), 0);
        QCOMPARE(spies.inserted.count(), 0);
        QCOMPARE(spies.removed.count(), 0);
        QCOMPARE(spies.changed.count(), 0); // same values, only moved
        QVERIFY(second.isValid());
        QCOMPARE(second.row(), 3);
        QCOMPARE(second.column(), int(ConnectionTableModel::Down));
        QCOMPARE(second.data(ConnectionTableModel::ConnectionIdRole).value<quint64>(), quint64(2));
    }

    void newConnectionsSortedIntoTheMiddleAreInsertedThenMoved()
    {
        ConnectionTableModel model;
        model.apply({sample(1), sample(3)});
        ModelSpies spies(&model);
        model.apply({sample(1), sample(2), sample(3)});
        QCOMPARE(spies.inserted.count(), 1);
        QCOMPARE(spies.layout.count(), 1);
        QCOMPARE(idAt(model, 0), quint64(1));
        QCOMPARE(idAt(model, 1), quint64(2));
        QCOMPARE(idAt(model, 2), quint64(3));
    }

    void dataChangedSpansOnlyTheChangedRows()
    {
        ConnectionTableModel model;
        QList<ConnectionSample> rows = samples(1, 10);
        model.apply(rows);
        ModelSpies spies(&model);

        model.apply(rows);
        QCOMPARE(spies.changed.count(), 0);

        rows[3].bytesDown = 4096;
        rows[5].rateUp = 100;
        model.apply(rows);
        QCOMPARE(spies.changed.count(), 1);
        const auto topLeft = spies.changed[0][0].value<QModelIndex>();
        const auto bottomRight = spies.changed[0][1].value<QModelIndex>();
        QCOMPARE(topLeft.row(), 3);
        QCOMPARE(bottomRight.row(), 5);
        QCOMPARE(topLeft.column(), 0);
        QCOMPARE(bottomRight.column(), ConnectionTableModel::ColumnCount - 1);
    }

    void showsHumanUnitsAndDecidingRoutes()
    {
        ConnectionSample row = sample(7);
        row.route.reset();
        row.bytesUp = 512;
        row.bytesDown = 1536;
        row.rateDown = 3 * 1024 * 1024;
        row.durationMs = 65'000;
        ConnectionSample longRunning = sample(8);
        longRunning.durationMs = 3'725'000;
        longRunning.route = RouteAction::Direct;
        ConnectionTableModel model;
        model.apply({row, longRunning});

        auto text = [&](int r, int column) {
            return model.index(r, column).data().toString();
        };
        QCOMPARE(text(0, ConnectionTableModel::Target), QStringLiteral("host7.example:443"));
        QCOMPARE(text(0, ConnectionTableModel::Via), QStringLiteral("SOCKS5"));
        QCOMPARE(text(0, ConnectionTableModel::Route), QStringLiteral("deciding…"));
        QCOMPARE(text(1, ConnectionTableModel::Route), QStringLiteral("direct"));
        QCOMPARE(text(0, ConnectionTableModel::Matched), QStringLiteral("routing: Global"));
        QCOMPARE(text(0, ConnectionTableModel::Up), QStringLiteral("512 B"));
        QCOMPARE(text(0, ConnectionTableModel::Down), QStringLiteral("1.50 KiB"));
        QCOMPARE(text(0, ConnectionTableModel::DownRate), QStringLiteral("3.00 MiB/s"));
        QCOMPARE(text(0, ConnectionTableModel::Duration), QStringLiteral("1:05"));
        QCOMPARE(text(1, ConnectionTableModel::Duration), QStringLiteral("1:02:05"));

        const auto alignment = [&](int column) {
            return model.index(0, column).data(Qt::TextAlignmentRole).value<Qt::Alignment>();
        };
        QVERIFY(alignment(ConnectionTableModel::Down) & Qt::AlignRight);
        QVERIFY(!(alignment(ConnectionTableModel::Target) & Qt::AlignRight));
    }

    void mapsColumnsToEngineSortKeys()
    {
        QCOMPARE(ConnectionTableModel::sortFor(ConnectionTableModel::Target, Qt::AscendingOrder),
                 (ConnectionSort{ConnectionSortKey::Target, false}));
        QCOMPARE(ConnectionTableModel::sortFor(ConnectionTableModel::DownRate, Qt::DescendingOrder),
                 (ConnectionSort{ConnectionSortKey::RateDown, true}));
        QCOMPARE(ConnectionTableModel::sortFor(ConnectionTableModel::Up, Qt::AscendingOrder).key,
                 ConnectionSortKey::BytesUp);
        QCOMPARE(ConnectionTableModel::sortFor(ConnectionTableModel::Down, Qt::AscendingOrder).key,
                 ConnectionSortKey::BytesDown);
        QCOMPARE(
            ConnectionTableModel::sortFor(ConnectionTableModel::UpRate, Qt::AscendingOrder).key,
            ConnectionSortKey::RateUp);
        QCOMPARE(
            ConnectionTableModel::sortFor(ConnectionTableModel::Duration, Qt::AscendingOrder).key,
            ConnectionSortKey::Duration);
        QCOMPARE(ConnectionTableModel::sortFor(ConnectionTableModel::Route, Qt::AscendingOrder).key,
                 ConnectionSortKey::Route);
        QCOMPARE(ConnectionTableModel::sortFor(ConnectionTableModel::Via, Qt::AscendingOrder).key,
                 ConnectionSortKey::Started);
        QVERIFY(!ConnectionTableModel::isSortable(ConnectionTableModel::Via));
        QVERIFY(!ConnectionTableModel::isSortable(ConnectionTableModel::Matched));
        QVERIFY(ConnectionTableModel::isSortable(ConnectionTableModel::Target));
    }
};

QTEST_MAIN(TestConnectionTableModel)
#include "tst_connectiontablemodel.moc"
