#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace echw::bench {

// One scenario's results: rows for the table on stdout and the same data as JSON.
class BenchReport {
public:
    explicit BenchReport(QString scenario);

    void addRow(const QString& what, double value, const QString& unit, const QString& goal = {},
                const QString& note = {});
    QString table() const;
    QJsonObject json() const;
    // Machine facts worth quoting with every figure: cores, CPU model, build type.
    static QJsonObject machine();

private:
    struct Row {
        QString what;
        double value;
        QString unit;
        QString goal;
        QString note;
    };
    QString m_scenario;
    QList<Row> m_rows;
};

// The median of samples (which it sorts).
double median(QList<double>& samples);

} // namespace echw::bench
