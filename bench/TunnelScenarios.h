#pragma once

#include "BenchReport.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <variant>

namespace echw::bench {

// What the load scenarios need from the command line.
struct LoadOptions {
    QString clientPath;
    QString comparePath;                // a second client taking the same flags; empty: none
    bool compareReferenceFlags = false; // it takes only the reference CLI's flags
    QString serverPath;
    QString originPath;
    // Set: the worker protocol runs in workerd behind the server (LoopbackSetup.h).
    QString workerdPath;
    QString workerConfigPath;
    bool direct = false; // clients run with -routing none: the bypass path
    QList<int> connections;
    qint64 totalMb = 1024;
    int seconds = 0;
    QList<int> tunnels;
    int runs = 5;
    // latency: new connections are measured again with the client's warm pool of this size
    // (-pool N); 0: not
    int pool = 0;
    // latency, new connections: started at this many per second at most (0: as fast as the
    // 100 clients go)
    double rate = 0;
    QStringList clientArguments; // more flags for the clients that take ours (--client-arg)
};

// The scenarios of targets.md that drive the client on loopback (origin, worker server with
// DoH and ECH, client). Each returns its report, or why it could not run.
using ScenarioResult = std::variant<BenchReport, QString>;

ScenarioResult runThroughputScenario(const LoadOptions& options);
ScenarioResult runLatencyScenario(const LoadOptions& options);
ScenarioResult runMemoryScenario(const LoadOptions& options);
ScenarioResult runSoakScenario(const LoadOptions& options);
ScenarioResult runStartScenario(const LoadOptions& options);
ScenarioResult runAcceptScenario(const LoadOptions& options);

} // namespace echw::bench
