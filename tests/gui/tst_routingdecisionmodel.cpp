#include "dashboard/RoutingDecisionModel.h"

#include <QSet>
#include <QSignalSpy>
#include <QTest>

using echw::RouteAction;
using echw::RouteReason;
using echw::RoutingDecision;
using echw::RoutingDecisionModel;
using echw::TargetAddress;

namespace {

RoutingDecision decision(const QString& host)
{
    RoutingDecision result;
    result.target = *TargetAddress::fromHostPort(host, 443);
    result.action = RouteAction::Direct;
    result.reason.kind = RouteReason::Kind::ChinaList;
    result.reason.mode = echw::RoutingMode::BypassCn;
    result.reason.listFirst = QHostAddress(QStringLiteral("1.2.0.0"));
    result.reason.listLast = QHostAddress(QStringLiteral("1.2.255.255"));
    result.cache = RoutingDecision::CacheUse::Hit;
    result.addresses = {QHostAddress(QStringLiteral("1.2.3.4")),
                        QHostAddress(QStringLiteral("::1"))};
    result.elapsedNs = 12'345;
    result.resolveNs = 12'000;
    return result;
}

QList<RoutingDecision> decisions(int first, int last)
{
    QList<RoutingDecision> result;
    for (int i = first; i <= last; ++i)
        result.append(decision(QStringLiteral("h%1.example").arg(i)));
    return result;
}

QString text(const RoutingDecisionModel& model, int row, int column)
{
    return model.index(row, column).data().toString();
}

} // namespace

class TestRoutingDecisionModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsEachDecisionWithItsReasonCacheAndTime()
    {
        RoutingDecisionModel model;
        RoutingDecision miss = decision(QStringLiteral("b.example"));
        miss.cache = RoutingDecision::CacheUse::Miss;
        miss.action = RouteAction::Tunnel;
        miss.reason.kind = RouteReason::Kind::UserRule;
        miss.reason.ruleLine = 3;
        miss.reason.ruleText = QStringLiteral("domain:b.example tunnel");
        miss.resolveNs = 0;
        RoutingDecision unconsulted = decision(QStringLiteral("c.example"));
        unconsulted.cache = RoutingDecision::CacheUse::NotConsulted;
        unconsulted.addresses.clear();
        unconsulted.reason.kind = RouteReason::Kind::Mode;
        unconsulted.reason.mode = echw::RoutingMode::Global;
        model.append({decision(QStringLiteral("a.example")), miss, unconsulted});

        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(text(model, 2, RoutingDecisionModel::Target), QStringLiteral("a.example:443"));
        QCOMPARE(text(model, 2, RoutingDecisionModel::Addresses), QStringLiteral("1.2.3.4, ::1"));
        QCOMPARE(text(model, 2, RoutingDecisionModel::Route), QStringLiteral("direct"));
        QCOMPARE(text(model, 2, RoutingDecisionModel::Why),
                 QStringLiteral("in China list 1.2.0.0/16"));
        QCOMPARE(text(model, 2, RoutingDecisionModel::Cache), QStringLiteral("hit"));
        // The name's resolution apart from the lookup after it.
        QCOMPARE(text(model, 2, RoutingDecisionModel::Resolve), QStringLiteral("12 µs"));
        QCOMPARE(text(model, 2, RoutingDecisionModel::Lookup), QStringLiteral("0.3 µs"));
        QCOMPARE(text(model, 1, RoutingDecisionModel::Resolve), QStringLiteral("—"));
        QCOMPARE(text(model, 1, RoutingDecisionModel::Lookup), QStringLiteral("12 µs"));
        QCOMPARE(text(model, 0, RoutingDecisionModel::Why), QStringLiteral("routing: Global"));
        // Every cache state explains itself, and so does the column.
        QSet<QString> tips;
        for (int row = 0; row < 3; ++row)
            tips.insert(
                model.index(row, RoutingDecisionModel::Cache).data(Qt::ToolTipRole).toString());
        QCOMPARE(tips.size(), 3);
        QVERIFY(!model.headerData(RoutingDecisionModel::Cache, Qt::Horizontal, Qt::ToolTipRole)
                     .toString()
                     .isEmpty());
        QCOMPARE(text(model, 1, RoutingDecisionModel::Why),
                 QStringLiteral("rule 3: domain:b.example tunnel"));
        QCOMPARE(text(model, 1, RoutingDecisionModel::Cache), QStringLiteral("miss"));
        QCOMPARE(text(model, 1, RoutingDecisionModel::Route), QStringLiteral("tunnel"));
        QCOMPARE(text(model, 0, RoutingDecisionModel::Cache), QStringLiteral("—"));
        QCOMPARE(text(model, 0, RoutingDecisionModel::Addresses), QString());
        QVERIFY(QTime::fromString(text(model, 0, RoutingDecisionModel::Time),
                                  QStringLiteral("HH:mm:ss"))
                    .isValid());
    }

    void newestOnTopWithOneInsertPerBatch()
    {
        RoutingDecisionModel model(10);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.append(decisions(1, 3));
        model.append(decisions(4, 5));
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(inserted[1][1].toInt(), 0);
        QCOMPARE(inserted[1][2].toInt(), 1);
        QCOMPARE(text(model, 0, RoutingDecisionModel::Target), QStringLiteral("h5.example:443"));
        QCOMPARE(text(model, 4, RoutingDecisionModel::Target), QStringLiteral("h1.example:443"));
    }

    void removesTheOldestFromTheBottomWhenFull()
    {
        RoutingDecisionModel model(5);
        model.append(decisions(1, 3));
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        model.append(decisions(4, 7));

        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed[0][1].toInt(), 1);
        QCOMPARE(removed[0][2].toInt(), 2);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted[0][1].toInt(), 0);
        QCOMPARE(inserted[0][2].toInt(), 3);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(text(model, 0, RoutingDecisionModel::Target), QStringLiteral("h7.example:443"));
        QCOMPARE(text(model, 4, RoutingDecisionModel::Target), QStringLiteral("h3.example:443"));

        model.append(decisions(10, 30));
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(text(model, 0, RoutingDecisionModel::Target), QStringLiteral("h30.example:443"));
        QCOMPARE(text(model, 4, RoutingDecisionModel::Target), QStringLiteral("h26.example:443"));
    }
};

QTEST_MAIN(TestRoutingDecisionModel)
#include "tst_routingdecisionmodel.moc"
