// echw-bench: measures the client on loopback (docs/BENCHMARKS.md has the figures and the
// exact commands). Scenarios come from ../shared/docs/targets.md.
#include "BenchReport.h"
#include "LoopbackSetup.h"
#include "RoutingScenario.h"
#include "TunnelScenarios.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <csignal>
#include <cstdio>

namespace {

using echw::bench::LoadOptions;

QList<int> parseCounts(const QString& text)
{
    QList<int> counts;
    for (const QString& part : text.split(u',', Qt::SkipEmptyParts)) {
        const int count = part.trimmed().toInt();
        if (count <= 0) {
            std::fprintf(stderr, "echw-bench: not a positive count: \"%s\"\n", qPrintable(part));
            std::exit(2);
        }
        counts.append(count);
    }
    return counts;
}

} // namespace

int main(int argc, char* argv[])
{
    // The load driver writes with MSG_NOSIGNAL; this covers everything else (QProcess pipes).
    std::signal(SIGPIPE, SIG_IGN);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("echw-bench"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("ECH Workers benchmarks"));
    parser.addHelpOption();
    const QCommandLineOption scenario(
        QStringLiteral("scenario"),
        QStringLiteral("routing, throughput, latency, memory, soak, start or accept"),
        QStringLiteral("name"));
    const QCommandLineOption runs(
        QStringLiteral("runs"),
        QStringLiteral("repetitions; medians are reported (default 5 for routing and start, 1 for "
                       "the load scenarios)"),
        QStringLiteral("n"), QStringLiteral("5"));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("where to write the JSON results"),
                                  QStringLiteral("file"));
    const QCommandLineOption client(
        QStringLiteral("client"),
        QStringLiteral("client under test (default: ../app/ech-workers next to echw-bench)"),
        QStringLiteral("path"), echw::bench::defaultBinary(QStringLiteral("../app/ech-workers")));
    const QCommandLineOption compare(
        QStringLiteral("compare"),
        QStringLiteral("a second client taking the same flags, measured in the same run"),
        QStringLiteral("path"));
    const QCommandLineOption server(
        QStringLiteral("server"), QStringLiteral("worker server (default: the build tree's)"),
        QStringLiteral("path"),
        echw::bench::defaultBinary(QStringLiteral("../server/ech-workers-server")));
    const QCommandLineOption origin(
        QStringLiteral("origin"), QStringLiteral("origin server (default: the build tree's)"),
        QStringLiteral("path"),
        echw::bench::defaultBinary(QStringLiteral("../tests/support/echw-test-origin")));
    const QCommandLineOption mode(
        QStringLiteral("mode"),
        QStringLiteral("tunnel (default) or direct (the client with -routing none)"),
        QStringLiteral("mode"), QStringLiteral("tunnel"));
    const QCommandLineOption connections(
        QStringLiteral("connections"),
        QStringLiteral("concurrent connections, comma-separated (throughput: 1,10,100,1000; "
                       "soak: 1000)"),
        QStringLiteral("list"));
    const QCommandLineOption totalMb(
        QStringLiteral("total-mb"),
        QStringLiteral("throughput: MiB per row, shared among the connections (default 1024; "
                       "rows with 1000 connections move 1 MB each)"),
        QStringLiteral("n"), QStringLiteral("1024"));
    const QCommandLineOption seconds(QStringLiteral("seconds"),
                                     QStringLiteral("latency (default 10), soak (default 60)"),
                                     QStringLiteral("n"));
    const QCommandLineOption tunnels(
        QStringLiteral("tunnels"),
        QStringLiteral("memory: idle tunnels, comma-separated (default 100,1000,5000)"),
        QStringLiteral("list"), QStringLiteral("100,1000,5000"));
    const QCommandLineOption compareReference(
        QStringLiteral("compare-reference-flags"),
        QStringLiteral("the --compare client takes only the reference CLI's flags (no -ca, "
                       "-max-connections); it trusts the server through SSL_CERT_FILE"));
    const QCommandLineOption pool(
        QStringLiteral("pool"),
        QStringLiteral("latency: also measure new connections through the client with a warm "
                       "pool of n sessions (-pool n)"),
        QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption rate(
        QStringLiteral("rate"),
        QStringLiteral("latency: start new connections at n per second at most (default: as fast "
                       "as the 100 clients go)"),
        QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption worker(
        QStringLiteral("worker"),
        QStringLiteral("where the worker protocol runs: server (the project's worker server, "
                       "default) or workerd (bench/workerd/worker.js, framing like the deployed "
                       "worker, behind the server's TLS + ECH)"),
        QStringLiteral("runtime"), QStringLiteral("server"));
    const QCommandLineOption workerd(
        QStringLiteral("workerd"),
        QStringLiteral("the workerd binary (default: $ECHW_WORKERD, else the one CMake found)"),
        QStringLiteral("path"));
    const QCommandLineOption keepLogs(
        QStringLiteral("keep-logs"),
        QStringLiteral("copy the output of the origin, the server and the clients to this folder"),
        QStringLiteral("dir"));
    const QCommandLineOption clientArgument(
        QStringLiteral("client-arg"),
        QStringLiteral("one more argument for the clients under test, e.g. --client-arg=-threads "
                       "--client-arg=2 (repeatable; not for --compare-reference-flags)"),
        QStringLiteral("arg"));
    parser.addOptions({scenario, runs, json, client, compare, server, origin, mode, connections,
                       totalMb, seconds, tunnels, compareReference, pool, rate, worker, workerd,
                       keepLogs, clientArgument});
    parser.process(app);

    const QString name = parser.value(scenario);
    echw::bench::ChildProcess::setLogDirectory(parser.value(keepLogs));
    const int repetitions = std::max(1, parser.value(runs).toInt());
    if (parser.value(mode) != QStringLiteral("tunnel") &&
        parser.value(mode) != QStringLiteral("direct")) {
        std::fprintf(stderr, "echw-bench: --mode is tunnel or direct\n");
        return 2;
    }
    if (parser.value(worker) != QStringLiteral("server") &&
        parser.value(worker) != QStringLiteral("workerd")) {
        std::fprintf(stderr, "echw-bench: --worker is server or workerd\n");
        return 2;
    }
    LoadOptions load;
    if (parser.value(worker) == QStringLiteral("workerd")) {
        load.workerdPath = parser.isSet(workerd) ? parser.value(workerd)
                           : qEnvironmentVariableIsEmpty("ECHW_WORKERD")
                               ? QStringLiteral(ECHW_WORKERD_BIN)
                               : qEnvironmentVariable("ECHW_WORKERD");
        load.workerConfigPath = QStringLiteral(ECHW_WORKER_CONFIG);
        // A missing runtime is not a failure of the client: CI without workerd skips (ctest's
        // SKIP_RETURN_CODE), and a person is told how to get it.
        if (load.workerdPath.isEmpty() || !QFileInfo(load.workerdPath).isExecutable()) {
            std::fprintf(stderr,
                         "echw-bench: %s: skipped: workerd not found%s%s (scripts/bootstrap.sh "
                         "--bench installs it; or --workerd PATH)\n",
                         qPrintable(name), load.workerdPath.isEmpty() ? "" : " at ",
                         qPrintable(load.workerdPath));
            return 77;
        }
    }
    load.clientPath = parser.value(client);
    load.comparePath = parser.value(compare);
    load.compareReferenceFlags = parser.isSet(compareReference);
    load.serverPath = parser.value(server);
    load.originPath = parser.value(origin);
    load.direct = parser.value(mode) == QStringLiteral("direct");
    load.clientArguments = parser.values(clientArgument);
    load.connections =
        parseCounts(parser.isSet(connections) ? parser.value(connections)
                    : name == QStringLiteral("soak") || name == QStringLiteral("accept")
                        ? QStringLiteral("1000")
                        : QStringLiteral("1,10,100,1000"));
    load.totalMb = std::max<qint64>(1, parser.value(totalMb).toLongLong());
    load.seconds = parser.isSet(seconds)            ? std::max(1, parser.value(seconds).toInt())
                   : name == QStringLiteral("soak") ? 60
                                                    : 10;
    load.tunnels = parseCounts(parser.value(tunnels));
    load.pool = std::clamp(parser.value(pool).toInt(), 0, 64);
    load.rate = std::max(0.0, parser.value(rate).toDouble());
    // A load scenario runs for seconds to minutes: once unless asked (start repeats cheaply).
    load.runs = parser.isSet(runs) || name == QStringLiteral("start") ? repetitions : 1;

    using echw::bench::ScenarioResult;
    const ScenarioResult result = [&]() -> ScenarioResult {
        if (name == QStringLiteral("routing"))
            return echw::bench::runRoutingScenario(repetitions);
        if (name == QStringLiteral("throughput"))
            return echw::bench::runThroughputScenario(load);
        if (name == QStringLiteral("latency"))
            return echw::bench::runLatencyScenario(load);
        if (name == QStringLiteral("memory"))
            return echw::bench::runMemoryScenario(load);
        if (name == QStringLiteral("soak"))
            return echw::bench::runSoakScenario(load);
        if (name == QStringLiteral("start"))
            return echw::bench::runStartScenario(load);
        if (name == QStringLiteral("accept"))
            return echw::bench::runAcceptScenario(load);
        std::fprintf(stderr,
                     "echw-bench: unknown scenario \"%s\" (known: routing, throughput, latency, "
                     "memory, soak, start, accept)\n",
                     qPrintable(name));
        std::exit(2);
    }();
    if (const auto* error = std::get_if<QString>(&result)) {
        std::fprintf(stderr, "echw-bench: %s: %s\n", qPrintable(name), qPrintable(*error));
        return 1;
    }
    const auto& report = std::get<echw::bench::BenchReport>(result);

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
