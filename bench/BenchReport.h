#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace echw::bench {

// One scenario's results: rows for the table on stdout and the same data as JSON.
class BenchReport {
public:
    // `columns` names one value column per client measured (--compare); one unnamed by default.
    explicit BenchReport(QString scenario, QStringList columns = {});

    void addRow(const QString& what, double value, const QString& unit, const QString& goal = {},
                const QString& note = {});
    // One value per column, in the order of the columns.
    void addRow(const QString& what, const QList<double>& values, const QString& unit,
                const QString& goal = {}, const QString& note = {});
    void addNote(const QString& note);
    QString table() const;
    QJsonObject json() const;
    // Machine facts worth quoting with every figure: cores, CPU model, build type.
    static QJsonObject machine();

private:
    struct Row {
        QString what;
        QList<double> values;
        QString unit;
        QString goal;
        QString note;
    };
    QString m_scenario;
    QStringList m_columns;
    QList<Row> m_rows;
    QStringList m_notes;
};

// The median of samples (which it sorts).
double median(QList<double>& samples);

} // namespace echw::bench
