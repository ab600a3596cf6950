#include "dashboard/LogFilterModel.h"
#include "dashboard/LogModel.h"

#include <QSignalSpy>
#include <QTest>

using echw::LogFilterModel;
using echw::LogLine;
using echw::LogModel;

namespace {

LogLine line(const QString& message, QtMsgType level = QtInfoMsg,
             const QString& category = QStringLiteral("echw.test"))
{
    return LogLine{QDateTime::currentDateTime(), level, category, message};
}

QString messageAt(const QAbstractItemModel& model, int row)
{
    return model.index(row, LogModel::Message).data().toString();
}

} // namespace

class TestLogModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void staysAtCapacityAfterAMillionLinesWithOneRemoveAndOneInsertPerBatch()
    {
        LogModel model;
        QCOMPARE(model.capacity(), LogModel::kDefaultCapacity);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

        constexpr int kBatches = 1000;
        constexpr int kBatchSize = 1000;
        QList<LogLine> batch(kBatchSize, line({}));
        for (int b = 0; b < kBatches; ++b) {
            for (int i = 0; i < kBatchSize; ++i)
                batch[i].message = QString::number(b * kBatchSize + i);
            model.append(batch);
            QVERIFY(model.rowCount() <= model.capacity());
        }

        QCOMPARE(model.rowCount(), LogModel::kDefaultCapacity);
        QCOMPARE(inserted.count(), kBatches);
        // The buffer fills after 20 batches; every later batch first removes its size.
        QCOMPARE(removed.count(), kBatches - LogModel::kDefaultCapacity / kBatchSize);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(messageAt(model, 0), QString::number(kBatches * kBatchSize - model.capacity()));
        QCOMPARE(messageAt(model, model.rowCount() - 1),
                 QString::number(kBatches * kBatchSize - 1));
    }

    void keepsTheNewestPartOfABatchLargerThanTheCapacity()
    {
        LogModel model(10);
        model.append({line(QStringLiteral("old"))});
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QList<LogLine> lines;
        for (int i = 0; i < 25; ++i)
            lines.append(line(QString::number(i)));
        model.append(lines);

        QCOMPARE(model.rowCount(), 10);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(messageAt(model, 0), QStringLiteral("15"));
        QCOMPARE(messageAt(model, 9), QStringLiteral("24"));
    }

    void showsLevelNamesAndTimes()
    {
        LogModel model;
        LogLine entry = line(QStringLiteral("boom"), QtCriticalMsg);
        entry.time = QDateTime(QDate(2024, 5, 1), QTime(13, 4, 5, 67));
        model.append({entry});
        QCOMPARE(model.index(0, LogModel::Level).data().toString(), QStringLiteral("Error"));
        QCOMPARE(model.index(0, LogModel::Time).data().toString(), QStringLiteral("13:04:05.067"));
        QCOMPARE(model.index(0, LogModel::Category).data().toString(), QStringLiteral("echw.test"));
    }

    void filtersByMinimumLevelAndCaseInsensitiveSearch()
    {
        LogModel model;
        LogFilterModel filter;
        filter.setLogModel(&model);
        model.append({line(QStringLiteral("dns answer"), QtDebugMsg),
                      line(QStringLiteral("Tunnel opened"), QtInfoMsg),
                      line(QStringLiteral("tunnel slow"), QtWarningMsg),
                      line(QStringLiteral("listen failed"), QtCriticalMsg),
                      line(QStringLiteral("closed"), QtInfoMsg, QStringLiteral("echw.TUNNEL"))});
        QCOMPARE(filter.rowCount(), 5);

        filter.setMinimumLevel(QtWarningMsg);
        QCOMPARE(filter.rowCount(), 2);
        QCOMPARE(messageAt(filter, 0), QStringLiteral("tunnel slow"));

        filter.setMinimumLevel(QtInfoMsg);
        filter.setSearchText(QStringLiteral("TUNNEL"));
        QCOMPARE(filter.rowCount(), 3); // two messages and one category

        filter.setMinimumLevel(QtWarningMsg);
        QCOMPARE(filter.rowCount(), 1);

        // Lines arriving later are filtered as they come.
        model.append({line(QStringLiteral("tunnel down"), QtCriticalMsg),
                      line(QStringLiteral("tunnel up"), QtInfoMsg)});
        QCOMPARE(filter.rowCount(), 2);
        QCOMPARE(messageAt(filter, 1), QStringLiteral("tunnel down"));

        filter.setSearchText({});
        filter.setMinimumLevel(QtDebugMsg);
        QCOMPARE(filter.rowCount(), 7);
    }

    void filterFollowsTheRingBufferWhenOldLinesGo()
    {
        LogModel model(4);
        LogFilterModel filter;
        filter.setLogModel(&model);
        filter.setMinimumLevel(QtWarningMsg);
        model.append({line(QStringLiteral("w1"), QtWarningMsg), line(QStringLiteral("i1")),
                      line(QStringLiteral("w2"), QtWarningMsg), line(QStringLiteral("i2"))});
        QCOMPARE(filter.rowCount(), 2);
        model.append({line(QStringLiteral("i3")), line(QStringLiteral("w3"), QtWarningMsg)});
        QCOMPARE(filter.rowCount(), 2);
        QCOMPARE(messageAt(filter, 0), QStringLiteral("w2"));
        QCOMPARE(messageAt(filter, 1), QStringLiteral("w3"));
    }
};

QTEST_MAIN(TestLogModel)
#include "tst_logmodel.moc"
