#include "dashboard/ClosedConnectionModel.h"

#include <QTest>

using echw::ClosedConnection;
using echw::ClosedConnectionModel;
using echw::ConnectionSample;
using echw::RouteAction;

namespace {

ClosedConnection finished(quint64 id, std::optional<RouteAction> route, const QTime& at)
{
    ConnectionSample sample;
    sample.id = id;
    sample.target = QStringLiteral("h%1.example:443").arg(id);
    sample.inbound = QStringLiteral("HTTP CONNECT");
    sample.route = route;
    if (route)
        sample.matched = echw::RouteReason{};
    sample.bytesUp = 2048;
    sample.bytesDown = 3 * 1024 * 1024;
    sample.durationMs = 61'000;
    return {sample, at};
}

QString cell(const ClosedConnectionModel& model, int row, int column)
{
    return model.index(row, column).data().toString();
}

} // namespace

class TestClosedConnectionModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsEachFinishedConnectionNewestFirstWithItsFinalCounts()
    {
        ClosedConnectionModel model;
        model.append({finished(1, RouteAction::Tunnel, QTime(9, 0, 1)),
                      finished(2, RouteAction::Direct, QTime(9, 0, 2))});
        model.append({finished(3, std::nullopt, QTime(9, 0, 3))});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(cell(model, 0, ClosedConnectionModel::Target), QStringLiteral("h3.example:443"));
        QCOMPARE(cell(model, 2, ClosedConnectionModel::Target), QStringLiteral("h1.example:443"));
        QCOMPARE(cell(model, 1, ClosedConnectionModel::Closed), QStringLiteral("09:00:02"));
        QCOMPARE(cell(model, 1, ClosedConnectionModel::Via), QStringLiteral("HTTP CONNECT"));
        QCOMPARE(cell(model, 1, ClosedConnectionModel::Up), QStringLiteral("2.00 KiB"));
        QCOMPARE(cell(model, 1, ClosedConnectionModel::Down), QStringLiteral("3.00 MiB"));
        QVERIFY(!cell(model, 1, ClosedConnectionModel::Duration).isEmpty());
        // Ended before a route was chosen: said so, with no reason.
        QCOMPARE(cell(model, 0, ClosedConnectionModel::Route), QStringLiteral("none"));
        QVERIFY(cell(model, 0, ClosedConnectionModel::Matched).isEmpty());
        QVERIFY(cell(model, 2, ClosedConnectionModel::Route) !=
                cell(model, 1, ClosedConnectionModel::Route));
        // Numbers line up on the right.
        QVERIFY(model.index(0, ClosedConnectionModel::Down).data(Qt::TextAlignmentRole).toInt() &
                Qt::AlignRight);
    }

    void keepsTheNewestUpToItsCapacity()
    {
        ClosedConnectionModel model(4);
        QList<ClosedConnection> batch;
        for (quint64 id = 1; id <= 6; ++id)
            batch.append(finished(id, RouteAction::Direct, QTime(9, 0)));
        model.append(batch);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(cell(model, 0, ClosedConnectionModel::Target), QStringLiteral("h6.example:443"));
        QCOMPARE(cell(model, 3, ClosedConnectionModel::Target), QStringLiteral("h3.example:443"));
        model.append({finished(7, RouteAction::Direct, QTime(9, 1))});
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(cell(model, 0, ClosedConnectionModel::Target), QStringLiteral("h7.example:443"));
        QCOMPARE(cell(model, 3, ClosedConnectionModel::Target), QStringLiteral("h4.example:443"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestClosedConnectionModel)
#include "tst_closedconnectionmodel.moc"
