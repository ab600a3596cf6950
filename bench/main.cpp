// echw-bench: measures the client on loopback (docs/BENCHMARKS.md has the figures and the
// exact commands). Scenarios come from ../shared/docs/targets.md.
#include "BenchReport.h"
#include "RoutingScenario.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>

#include <cstdio>

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("echw-bench"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("ECH Workers benchmarks"));
    parser.addHelpOption();
    const QCommandLineOption scenario(QStringLiteral("scenario"),
                                      QStringLiteral("the scenario to run: routing"),
                                      QStringLiteral("name"));
    const QCommandLineOption runs(QStringLiteral("runs"),
                                  QStringLiteral("repetitions; medians are reported (default 5)"),
                                  QStringLiteral("n"), QStringLiteral("5"));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("where to write the JSON results"),
                                  QStringLiteral("file"));
    parser.addOptions({scenario, runs, json});
    parser.process(app);

    const QString name = parser.value(scenario);
    const int repetitions = std::max(1, parser.value(runs).toInt());
    echw::bench::BenchReport report = [&] {
        if (name == QStringLiteral("routing"))
            return echw::bench::runRoutingScenario(repetitions);
        std::fprintf(stderr, "echw-bench: unknown scenario \"%s\" (known: routing)\n",
                     qPrintable(name));
        std::exit(2);
    }();

    std::fputs(qPrintable(report.table()), stdout);
    const QString jsonPath =
        parser.isSet(json) ? parser.value(json) : QStringLiteral("bench-%1.json").arg(name);
    QFile out(jsonPath);
    if (!out.open(QIODevice::WriteOnly)) {
        std::fprintf(stderr, "echw-bench: cannot write %s\n", qPrintable(jsonPath));
        return 1;
    }
    out.write(QJsonDocument(report.json()).toJson());
    std::printf("results written to %s\n", qPrintable(QDir::current().absoluteFilePath(jsonPath)));
    return 0;
}
