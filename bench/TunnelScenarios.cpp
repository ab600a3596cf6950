#include "TunnelScenarios.h"

#include "LoadDriver.h"
#include "LoopbackSetup.h"
#include "ProcessStats.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>

#include <functional>
#include <numeric>

namespace echw::bench {

namespace {

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

constexpr qint64 kMiB = 1024 * 1024;

struct Measurement {
    QString what;
    double value = 0;
    QString unit;
    QString goal;
    QString note;
    bool summed = false; // over several runs: the sum (error counts), not the median
};
using Measurements = QList<Measurement>;

// One client binary under test, (re)started by a scenario as it needs.
class ClientUnderTest {
public:
    ClientUnderTest(LoopbackSetup& setup, QString program, const LoadOptions& options,
                    bool referenceFlagsOnly)
        : m_setup(setup)
        , m_program(std::move(program))
        , m_options(options)
        , m_referenceFlagsOnly(referenceFlagsOnly)
    {}

    // Stops the running instance, if any, and starts a fresh one that accepts.
    std::optional<QString> start(int maxConnections, const QStringList& extraArguments = {})
    {
        m_process.reset();
        ClientOptions client;
        client.direct = m_options.direct;
        client.maxConnections = maxConnections;
        client.referenceFlagsOnly = m_referenceFlagsOnly;
        client.extraArguments = m_options.clientArguments + extraArguments;
        auto started = m_setup.startClient(m_program, client, &m_port);
        if (auto* error = std::get_if<QString>(&started))
            return *error;
        m_process = std::get<std::unique_ptr<ChildProcess>>(std::move(started));
        return std::nullopt;
    }
    // A client that died under load is a finding, reported with its last words.
    std::optional<QString> checkAlive()
    {
        if (m_process->isRunning())
            return std::nullopt;
        return m_process->failure(u"died under load"_s);
    }
    ProcessSample sample() const { return sampleProcess(m_process->pid()); }
    // A plan through this client to the origin.
    LoadPlan plan(Job job, qint64 bytes, int concurrency) const
    {
        LoadPlan plan;
        plan.proxyPort = m_port;
        plan.originPort = m_setup.originPort();
        plan.job = job;
        plan.bytes = bytes;
        plan.concurrency = concurrency;
        return plan;
    }
    LoopbackSetup& setup() const { return m_setup; }
    const QString& program() const { return m_program; }
    bool referenceFlagsOnly() const { return m_referenceFlagsOnly; }

private:
    LoopbackSetup& m_setup;
    QString m_program;
    const LoadOptions& m_options;
    bool m_referenceFlagsOnly = false;
    std::unique_ptr<ChildProcess> m_process;
    quint16 m_port = 0;
};

using Measure = std::function<std::variant<Measurements, QString>(ClientUnderTest& client)>;

QString loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("unknown");
    const QList<QByteArray> fields = file.readAll().split(' ');
    return QString::fromLatin1(fields.mid(0, 3).join(' '));
}

// Row by row, the median of several runs of one measurement, with every run's value in the note.
Measurements medianOf(const QList<Measurements>& runs)
{
    if (runs.size() == 1)
        return runs.front();
    Measurements rows = runs.front();
    for (qsizetype row = 0; row < rows.size(); ++row) {
        QList<double> values;
        QStringList texts;
        for (const Measurements& run : runs) {
            values.append(run.value(row).value);
            texts.append(QString::number(run.value(row).value, 'g', 4));
        }
        rows[row].value =
            rows[row].summed ? std::accumulate(values.begin(), values.end(), 0.0) : median(values);
        rows[row].note = QStringLiteral("%1 of %2 runs (%3); first run: %4")
                             .arg(rows[row].summed ? u"sum"_s : u"median"_s)
                             .arg(runs.size())
                             .arg(texts.join(u", "_s), rows[row].note);
    }
    return rows;
}

// Runs `measure` `repetitions` times per client under test (ours, then --compare, taking turns)
// against one origin and worker server, and sets the medians side by side, one column per
// client.
ScenarioResult compareClients(const QString& scenario, const LoadOptions& options,
                              const Measure& measure, int repetitions)
{
    QStringList programs{options.clientPath};
    QStringList labels{QFileInfo(options.clientPath).fileName()};
    if (!options.comparePath.isEmpty()) {
        programs.append(options.comparePath);
        const QString name = QFileInfo(options.comparePath).fileName();
        labels.append(name == labels.front() ? QStringLiteral("compare") : name);
    }
    for (const QString& program : programs) {
        if (!QFileInfo(program).isExecutable())
            return QStringLiteral("%1 is not an executable (see --help for the paths)")
                .arg(program);
    }
    LoopbackSetup setup(options.originPath, options.serverPath,
                        {options.workerdPath, options.workerConfigPath});
    if (auto error = setup.startBackends())
        return *error;
    const QString loadBefore = loadAverage();
    QList<QList<Measurements>> runs(programs.size());
    for (int run = 0; run < repetitions; ++run) {
        for (qsizetype i = 0; i < programs.size(); ++i) {
            ClientUnderTest client(setup, programs[i], options,
                                   i > 0 && options.compareReferenceFlags);
            auto measured = measure(client);
            if (auto* error = std::get_if<QString>(&measured))
                return *error;
            runs[i].append(std::get<Measurements>(std::move(measured)));
        }
    }
    QList<Measurements> columns;
    for (const QList<Measurements>& clientRuns : runs)
        columns.append(medianOf(clientRuns));
    BenchReport report(scenario, labels);
    for (qsizetype row = 0; row < columns.front().size(); ++row) {
        QList<double> values;
        QStringList notes;
        for (qsizetype column = 0; column < columns.size(); ++column) {
            const Measurement& cell = columns[column].value(row);
            values.append(cell.value);
            if (!cell.note.isEmpty())
                notes.append(columns.size() > 1 ? labels[column] + u": "_s + cell.note : cell.note);
        }
        const Measurement& first = columns.front()[row];
        report.addRow(first.what, values, first.unit, first.goal, notes.join(u"; "_s));
    }
    const QString worker = setup.throughWorkerd()
                               ? u" to workerd (bench/workerd/worker.js) behind the server's "
                                 u"TLS + ECH (-forward)"_s
                               : u" to the project's worker server"_s;
    report.addNote(QStringLiteral("path: %1; load average before %2, after %3")
                       .arg(options.direct ? u"direct (-routing none)"_s
                                           : u"tunnel (TLS 1.3 + ECH + WebSocket)"_s + worker,
                            loadBefore, loadAverage()));
    return report;
}

void addPercentiles(Measurements& rows, const QString& what, QList<double> samples,
                    const QString& p99Goal = {})
{
    rows.append({what + u", p50"_s, percentile(samples, 50), u"ms"_s, {}, {}});
    rows.append({what + u", p95"_s, percentile(samples, 95), u"ms"_s, {}, {}});
    rows.append({what + u", p99"_s, percentile(samples, 99), u"ms"_s, p99Goal, {}});
    rows.append({what + u", max"_s, percentile(samples, 100), u"ms"_s, {}, {}});
}

struct StartTiming {
    double listeningMs = -1;
    double echReadyMs = -1;
};

// Starts a client with its output on a pipe (read as it comes, so the times are exact) and
// times the lines that say it listens and that the ECH config is ready.
std::variant<StartTiming, QString> timeClientStart(LoopbackSetup& setup, const QString& program,
                                                   bool referenceFlagsOnly,
                                                   const LoadOptions& options,
                                                   const QString& cacheHome)
{
    ClientOptions client;
    client.direct = options.direct;
    client.cacheHome = cacheHome;
    client.referenceFlagsOnly = referenceFlagsOnly;
    client.extraArguments = options.clientArguments;
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setProcessEnvironment(setup.clientEnvironment(client));
    const QStringList arguments = setup.clientArguments(LoopbackSetup::freePort(), client);
    QElapsedTimer timer;
    timer.start();
    process.start(program, arguments);
    StartTiming timing;
    QByteArray output;
    const QDeadlineTimer deadline(LoopbackSetup::kStartTimeout);
    while (timing.listeningMs < 0 || (timing.echReadyMs < 0 && !options.direct)) {
        if (deadline.hasExpired() || !process.waitForReadyRead(int(deadline.remainingTime()))) {
            process.kill();
            process.waitForFinished(5000);
            output += process.readAll();
            return QStringLiteral("client %1 did not report listening and ECH config ready "
                                  "within %2 s; its output:\n%3")
                .arg(program)
                .arg(LoopbackSetup::kStartTimeout.count())
                .arg(QString::fromUtf8(output.right(2000)));
        }
        output += process.readAll();
        const double now = double(timer.nsecsElapsed()) / 1e6;
        if (timing.listeningMs < 0 && output.contains("listening on"))
            timing.listeningMs = now;
        if (timing.echReadyMs < 0 && output.contains("ECH config for") && output.contains("ready"))
            timing.echReadyMs = now;
    }
    process.terminate();
    if (!process.waitForFinished(5000)) {
        process.kill();
        process.waitForFinished(5000);
    }
    return timing;
}

} // namespace

ScenarioResult runThroughputScenario(const LoadOptions& options)
{
    const QString cpuGoal = options.direct ? u"<= 0.15 s/GB"_s : u"<= 1.0 s/GB"_s;
    return compareClients(
        u"throughput"_s, options,
        [&](ClientUnderTest& client) -> std::variant<Measurements, QString> {
            const int most =
                *std::max_element(options.connections.begin(), options.connections.end());
            if (auto error = client.start(most + 100))
                return *error;
            LoadDriver driver;
            Measurements rows;
            for (const int connections : options.connections) {
                // The total is shared among the connections, except for the goal's 1000 x 1 MB.
                const qint64 each = connections >= 1000
                                        ? 1'000'000
                                        : std::max<qint64>(1, options.totalMb * kMiB / connections);
                for (const Job job : {Job::Download, Job::Upload}) {
                    LoadPlan plan = client.plan(job, each, connections);
                    plan.transfers = connections;
                    plan.deadline = 180s;
                    ChildProcess* worker = client.setup().worker();
                    const double cpuBefore = client.sample().cpuSeconds;
                    const double workerCpuBefore = sampleProcess(worker->pid()).cpuSeconds;
                    const LoadResult result = driver.run(plan);
                    const double cpu = client.sample().cpuSeconds - cpuBefore;
                    const double workerCpu =
                        sampleProcess(worker->pid()).cpuSeconds - workerCpuBefore;
                    if (auto error = client.checkAlive())
                        return *error;
                    const QString what =
                        QStringLiteral("%1, %2 x %3 MB")
                            .arg(job == Job::Download ? u"download"_s : u"upload"_s)
                            .arg(connections)
                            .arg(double(each) / 1e6, 0, 'f', 1);
                    const double gigabytes = double(result.bytes) / 1e9;
                    rows.append({what + u": rate"_s,
                                 double(result.bytes) / 1e6 / result.seconds,
                                 u"MB/s"_s,
                                 {},
                                 QStringLiteral("%1 transfers in %2 s; driver CPU %3 s")
                                     .arg(result.transfers)
                                     .arg(result.seconds, 0, 'f', 2)
                                     .arg(result.driverCpuSeconds, 0, 'f', 2)});
                    rows.append({what + u": client CPU"_s, gigabytes > 0 ? cpu / gigabytes : 0,
                                 u"s/GB"_s, cpuGoal,
                                 QStringLiteral("%1 CPU-s for %2 GB")
                                     .arg(cpu, 0, 'f', 2)
                                     .arg(gigabytes, 0, 'f', 3)});
                    if (!options.direct) {
                        // What the user's worker plan pays for: the worker's own CPU.
                        rows.append(
                            {what + u": worker CPU"_s,
                             gigabytes > 0 ? workerCpu / gigabytes : 0,
                             u"s/GB"_s,
                             {},
                             QStringLiteral("%1 CPU-s of %2")
                                 .arg(workerCpu, 0, 'f', 2)
                                 .arg(client.setup().throughWorkerd() ? u"workerd"_s
                                                                      : u"the worker server"_s)});
                    }
                    rows.append({what + u": errors"_s, double(result.errorCount()), u""_s,
                                 connections >= 1000 ? u"0, all complete"_s : QString(),
                                 result.errorSummary(), true});
                }
            }
            return rows;
        },
        options.runs);
}

ScenarioResult runLatencyScenario(const LoadOptions& options)
{
    constexpr int kClients = 100;
    constexpr qint64 kBytes = 1024;
    return compareClients(
        u"latency"_s, options,
        [&](ClientUnderTest& client) -> std::variant<Measurements, QString> {
            if (auto error = client.start(kClients + 100))
                return *error;
            LoadDriver driver;
            // Without the proxy first, then through it: the difference is what the client adds.
            QList<LoadResult> results;
            for (const bool keepAlive : {false, true}) {
                for (const bool throughClient : {false, true}) {
                    LoadPlan plan = client.plan(Job::Download, kBytes, kClients);
                    if (!throughClient)
                        plan.proxyPort = 0;
                    plan.keepAlive = keepAlive;
                    if (!keepAlive)
                        plan.rate = options.rate;
                    plan.duration = std::chrono::seconds(options.seconds);
                    plan.deadline = plan.duration + 30s;
                    results.append(driver.run(plan));
                    if (auto error = client.checkAlive())
                        return *error;
                }
            }
            Measurements rows;
            const QStringList names{u"new connection, connect-to-first-byte"_s,
                                    u"keep-alive, request round trip"_s};
            for (int i = 0; i < 2; ++i) {
                LoadResult& direct = results[2 * i];
                LoadResult& proxied = results[2 * i + 1];
                QList<double>& directSamples = i == 0 ? direct.firstByteMs : direct.roundTripMs;
                QList<double>& proxiedSamples = i == 0 ? proxied.firstByteMs : proxied.roundTripMs;
                addPercentiles(rows, names[i] + u", no proxy"_s, directSamples);
                addPercentiles(rows, names[i] + u", through the client"_s, proxiedSamples);
                const QString goal = i == 0 ? u"<= 2 ms (warm pool)"_s : QString();
                rows.append({names[i] + u", added by the client, p99"_s,
                             percentile(proxiedSamples, 99) - percentile(directSamples, 99),
                             u"ms"_s,
                             goal,
                             {}});
                rows.append({names[i] + u", requests through the client"_s,
                             double(proxied.transfers),
                             u""_s,
                             {},
                             QStringLiteral("%1/s; errors: %2, without proxy: %3")
                                 .arg(double(proxied.transfers) / proxied.seconds, 0, 'f', 0)
                                 .arg(proxied.errorSummary(), direct.errorSummary())});
            }
            if (options.pool > 0) {
                // The same new-connection load through a client with a warm pool; only our
                // client knows -pool (a reference client is measured without one).
                QStringList poolFlag;
                if (!client.referenceFlagsOnly())
                    poolFlag << u"-pool"_s << QString::number(options.pool);
                if (auto error = client.start(kClients + 100, poolFlag))
                    return *error;
                LoadDriver pooledDriver;
                // Time to fill the pool before the load: set-up, not measured.
                pooledDriver.idle(2s, nullptr);
                LoadPlan plan = client.plan(Job::Download, kBytes, kClients);
                plan.rate = options.rate;
                plan.duration = std::chrono::seconds(options.seconds);
                plan.deadline = plan.duration + 30s;
                LoadResult pooled = pooledDriver.run(plan);
                if (auto error = client.checkAlive())
                    return *error;
                const QString what = QStringLiteral("new connection, connect-to-first-byte, "
                                                    "warm pool of %1")
                                         .arg(options.pool);
                addPercentiles(rows, what, pooled.firstByteMs);
                rows.append(
                    {what + u", added by the client, p99"_s,
                     percentile(pooled.firstByteMs, 99) - percentile(results[0].firstByteMs, 99),
                     u"ms"_s,
                     u"<= 2 ms"_s,
                     {}});
                rows.append({what + u", requests"_s,
                             double(pooled.transfers),
                             u""_s,
                             {},
                             QStringLiteral("%1/s; errors: %2")
                                 .arg(double(pooled.transfers) / pooled.seconds, 0, 'f', 0)
                                 .arg(pooled.errorSummary())});
            }
            return rows;
        },
        options.runs);
}

ScenarioResult runMemoryScenario(const LoadOptions& options)
{
    const qint64 fileLimit = raiseOpenFileLimit();
    return compareClients(
        u"memory"_s, options,
        [&](ClientUnderTest& client) -> std::variant<Measurements, QString> {
            Measurements rows;
            for (const int tunnels : options.tunnels) {
                // A fresh client per size, warmed by one transfer so that one-time set-up (TLS
                // context, ECH config) is not charged to the tunnels.
                if (auto error = client.start(tunnels + 100))
                    return *error;
                LoadDriver driver;
                LoadPlan plan = client.plan(Job::Download, 64 * 1024, 1);
                plan.transfers = 1;
                driver.run(plan);
                driver.idle(500ms, nullptr);
                const ProcessSample before = client.sample();

                plan.job = Job::Hold;
                plan.concurrency = tunnels;
                plan.transfers = tunnels;
                plan.maxOpening = 100;
                plan.deadline = 180s;
                LoadResult result = driver.run(plan);
                driver.idle(2s, &result);
                const ProcessSample after = client.sample();
                if (auto error = client.checkAlive())
                    return *error;
                const int open = driver.openConnections();
                const QString what = QStringLiteral("%1 idle tunnels").arg(tunnels);
                rows.append({what + u": client RSS before"_s,
                             double(before.rssBytes) / kMiB,
                             u"MiB"_s,
                             {},
                             {}});
                rows.append({what + u": client RSS after"_s,
                             double(after.rssBytes) / kMiB,
                             u"MiB"_s,
                             {},
                             QStringLiteral("%1 fds (before %2)")
                                 .arg(after.openFiles)
                                 .arg(before.openFiles)});
                rows.append({what + u": per tunnel"_s,
                             open > 0 ? double(after.rssBytes - before.rssBytes) / open / 1024 : 0,
                             u"KiB"_s, u"<= 48 KiB"_s,
                             QStringLiteral("%1 of %2 open").arg(open).arg(tunnels)});
                rows.append({what + u": errors"_s,
                             double(result.errorCount()),
                             u""_s,
                             {},
                             QStringLiteral("%1; fd limit %2 per process")
                                 .arg(result.errorSummary())
                                 .arg(fileLimit),
                             true});
                driver.closeAll();
            }
            return rows;
        },
        options.runs);
}

ScenarioResult runStartScenario(const LoadOptions& options)
{
    return compareClients(
        u"start"_s, options,
        [&](ClientUnderTest& client) -> std::variant<Measurements, QString> {
            QList<double> listening[2];
            QList<double> echReady[2];
            for (int run = 0; run < options.runs; ++run) {
                // A new cache folder per run: the first start fetches the ECH config over DoH and
                // stores it, the second finds it there.
                QTemporaryDir cache;
                for (int start = 0; start < 2; ++start) {
                    auto timing =
                        timeClientStart(client.setup(), client.program(),
                                        client.referenceFlagsOnly(), options, cache.path());
                    if (auto* error = std::get_if<QString>(&timing))
                        return *error;
                    const auto [toListening, toEchReady] = std::get<StartTiming>(timing);
                    listening[start].append(toListening);
                    echReady[start].append(toEchReady);
                }
            }
            Measurements rows;
            const QStringList names{u"first start (ECH config over DoH)"_s,
                                    u"second start (cached ECH config)"_s};
            for (int start = 0; start < 2; ++start) {
                rows.append({names[start] + u": to listening"_s, median(listening[start]), u"ms"_s,
                             start == 1 ? u"<= 50 ms"_s : QString(),
                             QStringLiteral("median of %1").arg(options.runs)});
                rows.append({names[start] + u": to ECH config ready"_s,
                             median(echReady[start]),
                             u"ms"_s,
                             {},
                             u"the \"ECH config for ... ready\" line"_s});
            }
            return rows;
        },
        1);
}

namespace {

// A free loopback port, for a listener a child process opens next.
quint16 freeLoopbackPort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost) ? probe.serverPort() : 0;
}

// /metrics scraped back to back, one request at a time, until stopped.
class Scraper {
public:
    explicit Scraper(quint16 port)
        : m_port(port)
    {
        QObject::connect(&m_socket, &QTcpSocket::connected, [this] {
            m_socket.write("GET /metrics HTTP/1.1\r\nHost: bench\r\n\r\n");
        });
        QObject::connect(&m_socket, &QTcpSocket::readyRead, [this] { m_socket.readAll(); });
        QObject::connect(&m_socket, &QTcpSocket::disconnected, [this] {
            ++m_scrapes;
            next();
        });
        QObject::connect(&m_socket, &QTcpSocket::errorOccurred, [this] {
            if (m_socket.state() != QAbstractSocket::ConnectedState)
                next();
        });
        next();
    }
    void stop() { m_stopped = true; }
    int scrapes() const { return m_scrapes; }

private:
    void next()
    {
        if (m_stopped)
            return;
        QMetaObject::invokeMethod(
            &m_socket,
            [this] {
                if (!m_stopped && m_socket.state() == QAbstractSocket::UnconnectedState)
                    m_socket.connectToHost(QHostAddress::LocalHost, m_port);
            },
            Qt::QueuedConnection);
    }

    quint16 m_port;
    QTcpSocket m_socket;
    int m_scrapes = 0;
    bool m_stopped = false;
};

struct BurstResult {
    QList<double> replyMs; // connect to the SOCKS5 CONNECT reply, per connection
    int failed = 0;
    int scrapes = 0;
};

// `connections` new SOCKS5 connections at once, each sending its greeting and a CONNECT to the
// origin in one write; each is timed from connectToHost() to the CONNECT reply.
BurstResult connectionBurst(quint16 proxyPort, quint16 originPort, int connections,
                            quint16 metricsPort)
{
    QByteArray request("\x05\x01\x00\x05\x01\x00\x01\x7f\x00\x00\x01", 11);
    request.append(char(originPort >> 8)).append(char(originPort & 0xff));
    std::unique_ptr<Scraper> scraper;
    if (metricsPort != 0)
        scraper = std::make_unique<Scraper>(metricsPort);
    BurstResult result;
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    std::vector<QElapsedTimer> timers(static_cast<std::size_t>(connections));
    int pending = connections;
    for (int i = 0; i < connections; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        QTcpSocket* raw = socket.get();
        QObject::connect(raw, &QTcpSocket::connected, [raw, &request] { raw->write(request); });
        QObject::connect(raw, &QTcpSocket::readyRead, [raw, i, &timers, &result, &pending] {
            if (raw->property("answered").toBool() || raw->bytesAvailable() < 12)
                return;
            raw->setProperty("answered", true);
            const QByteArray reply = raw->read(12);
            if (reply.startsWith(QByteArray("\x05\x00\x05\x00", 4)))
                result.replyMs.append(double(timers[std::size_t(i)].nsecsElapsed()) / 1e6);
            else
                ++result.failed;
            --pending;
        });
        QObject::connect(raw, &QTcpSocket::errorOccurred, [raw, &result, &pending] {
            if (raw->property("answered").toBool())
                return;
            raw->setProperty("answered", true);
            ++result.failed;
            --pending;
        });
        timers[std::size_t(i)].start();
        raw->connectToHost(QHostAddress::LocalHost, proxyPort);
        sockets.push_back(std::move(socket));
    }
    QDeadlineTimer deadline(60s);
    while (pending > 0 && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 100);
    result.failed += pending;
    if (scraper) {
        scraper->stop();
        result.scrapes = scraper->scrapes();
    }
    return result;
}

} // namespace

// Whether serving /metrics holds up accepting: a burst of new connections with and without
// back-to-back scrapes meanwhile, the time to each one's CONNECT reply (direct path).
ScenarioResult runAcceptScenario(const LoadOptions& options)
{
    raiseOpenFileLimit();
    LoadOptions direct = options;
    direct.direct = true;
    const int connections = options.connections.front();
    return compareClients(
        u"accept"_s, direct,
        [&](ClientUnderTest& client) -> std::variant<Measurements, QString> {
            Measurements rows;
            for (const bool scraping : {false, true}) {
                const quint16 metricsPort = freeLoopbackPort();
                if (auto error = client.start(
                        connections + 100,
                        {u"-metrics"_s, QStringLiteral("127.0.0.1:%1").arg(metricsPort)}))
                    return *error;
                const auto plan = client.plan(Job::Download, 0, 1);
                BurstResult burst = connectionBurst(plan.proxyPort, plan.originPort, connections,
                                                    scraping ? metricsPort : 0);
                if (auto error = client.checkAlive())
                    return *error;
                const QString what =
                    QStringLiteral("%1 new connections, %2")
                        .arg(connections)
                        .arg(scraping ? u"/metrics scraped meanwhile"_s : u"no scrapes"_s);
                rows.append({what + u": CONNECT reply p50"_s,
                             percentile(burst.replyMs, 50),
                             u"ms"_s,
                             {},
                             {}});
                rows.append({what + u": CONNECT reply p99"_s,
                             percentile(burst.replyMs, 99),
                             u"ms"_s,
                             {},
                             {}});
                rows.append({what + u": CONNECT reply max"_s,
                             percentile(burst.replyMs, 100),
                             u"ms"_s,
                             {},
                             {}});
                rows.append({what + u": failed"_s, double(burst.failed), {}, u"0"_s, {}, true});
                if (scraping)
                    rows.append({what + u": scrapes answered"_s,
                                 double(burst.scrapes),
                                 {},
                                 {},
                                 u"one at a time, back to back"_s,
                                 true});
            }
            return rows;
        },
        options.runs);
}

ScenarioResult runSoakScenario(const LoadOptions& options)
{
    raiseOpenFileLimit();
    const int connections = options.connections.front();
    return compareClients(
        u"soak"_s, options,
        [&](ClientUnderTest& client) -> std::variant<Measurements, QString> {
            if (auto error = client.start(connections + 100))
                return *error;
            QList<ProcessSample> samples{client.sample()};
            LoadDriver driver;
            LoadPlan plan = client.plan(Job::Download, 64 * 1024, connections);
            plan.duration = std::chrono::seconds(options.seconds);
            plan.deadline = plan.duration + 60s;
            plan.tickInterval = 5s;
            plan.onTick = [&] {
                samples.append(client.sample());
            };
            const LoadResult result = driver.run(plan);
            samples.append(client.sample());
            if (auto error = client.checkAlive())
                return *error;
            qint64 maxRss = 0;
            int maxFiles = 0;
            QStringList series;
            for (const ProcessSample& sample : samples) {
                maxRss = std::max(maxRss, sample.rssBytes);
                maxFiles = std::max(maxFiles, sample.openFiles);
                series.append(
                    QStringLiteral("%1/%2").arg(sample.rssBytes / kMiB).arg(sample.openFiles));
            }
            Measurements rows;
            const QString what = QStringLiteral("%1 connections cycling").arg(connections);
            rows.append({what + u": transfers"_s,
                         double(result.transfers),
                         u""_s,
                         {},
                         QStringLiteral("%1/s over %2 s")
                             .arg(double(result.transfers) / result.seconds, 0, 'f', 0)
                             .arg(result.seconds, 0, 'f', 0)});
            rows.append({what + u": errors"_s, double(result.errorCount()), u""_s, u"0"_s,
                         result.errorSummary(), true});
            rows.append({what + u": RSS first"_s,
                         double(samples.front().rssBytes) / kMiB,
                         u"MiB"_s,
                         {},
                         u"every 5 s, MiB/fds: "_s + series.join(u' ')});
            rows.append({what + u": RSS last"_s,
                         double(samples.back().rssBytes) / kMiB,
                         u"MiB"_s,
                         u"flat"_s,
                         {}});
            rows.append({what + u": RSS max"_s, double(maxRss) / kMiB, u"MiB"_s, {}, {}});
            rows.append(
                {what + u": fds first"_s, double(samples.front().openFiles), u""_s, {}, {}});
            rows.append(
                {what + u": fds last"_s, double(samples.back().openFiles), u""_s, u"flat"_s, {}});
            rows.append({what + u": fds max"_s, double(maxFiles), u""_s, {}, {}});
            return rows;
        },
        options.runs);
}

} // namespace echw::bench
