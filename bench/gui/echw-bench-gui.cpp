// Measures what the dashboard costs: a shown DashboardWindow receives one synthetic snapshot a
// second (1000 live connections by default, rates changing, some connections ending and new
// ones starting every second, their routing decisions and some log lines) and the process's
// CPU time over the run is reported as a share of one core, start-up excluded.

#include "dashboard/ConnectionsPanel.h"
#include "dashboard/DashboardWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEvent>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <random>
#include <sys/resource.h>
#include <time.h>

namespace {

using echw::ConnectionSample;
using echw::EngineSnapshot;
using echw::LogLine;
using echw::RouteAction;
using echw::RouteReason;
using echw::RoutingDecision;

constexpr int kStartupMs = 2000;
constexpr int kIntervalMs = 1000;

double processCpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return double(t.tv_sec) + double(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double threadCpuSeconds()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

// Plays the engine thread: keeps a population of connections and turns it into snapshots.
class SyntheticEngine {
public:
    SyntheticEngine(int connections, bool sortByRate)
        : m_target(connections)
        , m_sortByRate(sortByRate)
    {
        while (int(m_live.size()) < m_target)
            startConnection();
    }

    EngineSnapshot next()
    {
        EngineSnapshot snapshot;
        snapshot.sequence = ++m_sequence;
        snapshot.intervalMs = kIntervalMs;
        snapshot.running = true;
        snapshot.listenAddress = QStringLiteral("127.0.0.1:30000");
        snapshot.tunnel.state = echw::TunnelStatus::State::EchAccepted;

        // About 2% end and as many start each second.
        const int churn = std::max(1, m_target / 50);
        // The ended ones are reported once with their final counts, as the engine does.
        for (int i = 0; i < churn && !m_live.isEmpty(); ++i) {
            snapshot.closed.append(m_live.takeAt(
                std::uniform_int_distribution<qsizetype>(0, m_live.size() - 1)(m_rng)));
        }
        while (int(m_live.size()) < m_target)
            snapshot.decisions.append(startConnection());

        std::lognormal_distribution<double> rate(8.0, 2.0);
        for (ConnectionSample& sample : m_live) {
            if (!sample.route)
                sample.route = RouteAction::Tunnel; // decided during the second interval
            sample.durationMs += kIntervalMs;
            sample.rateUp = rate(m_rng) / 8;
            sample.rateDown = rate(m_rng);
            sample.bytesUp += quint64(sample.rateUp);
            sample.bytesDown += quint64(sample.rateDown);
            snapshot.rateUp += sample.rateUp;
            snapshot.rateDown += sample.rateDown;
            (sample.route == RouteAction::Direct ? snapshot.directConnections
                                                 : snapshot.tunnelConnections)++;
        }
        m_bytesUp += quint64(snapshot.rateUp);
        m_bytesDown += quint64(snapshot.rateDown);
        snapshot.bytesUp = m_bytesUp;
        snapshot.bytesDown = m_bytesDown;
        snapshot.activeConnections = int(m_live.size());
        snapshot.totalConnections = m_nextId - 1;
        snapshot.connections = m_live;
        if (m_sortByRate) {
            std::stable_sort(snapshot.connections.begin(), snapshot.connections.end(),
                             [](const ConnectionSample& a, const ConnectionSample& b) {
                                 return a.rateDown > b.rateDown;
                             });
        }
        return snapshot;
    }

    QList<LogLine> logLines(int count)
    {
        QList<LogLine> lines;
        const QDateTime now = QDateTime::currentDateTime();
        for (int i = 0; i < count; ++i) {
            lines.append(LogLine{now, i % 10 == 0 ? QtWarningMsg : QtInfoMsg,
                                 QStringLiteral("echw.tunnel"),
                                 QStringLiteral("connection %1 closed after %2 bytes")
                                     .arg(m_nextId - 1 - quint64(i))
                                     .arg(i * 1000)});
        }
        return lines;
    }

private:
    RoutingDecision startConnection()
    {
        const quint64 id = m_nextId++;
        ConnectionSample sample;
        sample.id = id;
        sample.target = QStringLiteral("host%1.example.com:443").arg(id % 5000);
        sample.inbound = id % 3 == 0 ? QStringLiteral("SOCKS5") : QStringLiteral("HTTP CONNECT");
        if (id % 4 == 0)
            sample.route = RouteAction::Direct;
        else if (id % 4 != 1)
            sample.route = RouteAction::Tunnel; // id % 4 == 1: still deciding
        RouteReason reason;
        reason.kind =
            id % 4 == 0 ? RouteReason::Kind::ChinaList : RouteReason::Kind::NotInChinaList;
        reason.mode = echw::RoutingMode::BypassCn;
        if (id % 4 == 0) {
            reason.listFirst = QHostAddress(quint32(0x0a000000));
            reason.listLast = QHostAddress(quint32(0x0a00ffff));
        }
        if (sample.route)
            sample.matched = reason;
        m_live.append(sample);

        RoutingDecision decision;
        decision.target = *echw::TargetAddress::fromAuthority(sample.target);
        decision.addresses = {QHostAddress(quint32(0x0a000000 + id % 65536))};
        decision.action = sample.route.value_or(RouteAction::Tunnel);
        decision.reason = reason;
        decision.cache =
            id % 2 == 0 ? RoutingDecision::CacheUse::Hit : RoutingDecision::CacheUse::Miss;
        decision.elapsedNs = qint64(id % 900) * 100;
        return decision;
    }

    int m_target;
    bool m_sortByRate;
    QList<ConnectionSample> m_live; // in start order
    quint64 m_nextId = 1;
    quint64 m_sequence = 0;
    quint64 m_bytesUp = 0;
    quint64 m_bytesDown = 0;
    std::mt19937_64 m_rng{42};
};

// Counts the widget repaints, to show the measured run really draws.
class PaintCounter final : public QObject {
public:
    quint64 paints = 0;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Paint)
            ++paints;
        return QObject::eventFilter(watched, event);
    }
};

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("echw-bench-gui"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("CPU share of the dashboard fed one snapshot a second."));
    parser.addHelpOption();
    const QCommandLineOption secondsOption(QStringLiteral("seconds"),
                                           QStringLiteral("Measured seconds (default 30)."),
                                           QStringLiteral("N"), QStringLiteral("30"));
    const QCommandLineOption connectionsOption(QStringLiteral("connections"),
                                               QStringLiteral("Live connections (default 1000)."),
                                               QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption sortOption(
        QStringLiteral("sort"),
        QStringLiteral("Connection order: started (default) or rate (re-sorted every second)."),
        QStringLiteral("KEY"), QStringLiteral("started"));
    const QCommandLineOption pageOption(
        QStringLiteral("page"),
        QStringLiteral("The Connections tab's page shown: open (default) or closed (the history)."),
        QStringLiteral("PAGE"), QStringLiteral("open"));
    parser.addOptions({secondsOption, connectionsOption, sortOption, pageOption});
    parser.process(app);
    const int seconds = std::max(1, parser.value(secondsOption).toInt());
    const int connections = std::max(1, parser.value(connectionsOption).toInt());
    const bool sortByRate = parser.value(sortOption) == u"rate";
    const bool historyShown = parser.value(pageOption) == u"closed";

    PaintCounter paintCounter;
    app.installEventFilter(&paintCounter);

    echw::DashboardWindow window;
    window.setServer(QStringLiteral("bench.example.com"), echw::RoutingMode::BypassCn);
    window.setEngineState(echw::DashboardWindow::EngineState::Running,
                          QStringLiteral("127.0.0.1:30000"));
    if (historyShown)
        window.connectionsPanel()->showPage(echw::ConnectionsPanel::Page::Closed);
    window.show();

    SyntheticEngine engine(connections, sortByRate);
    double generatorCpu = 0; // spent making synthetic data, not showing it
    auto feed = [&] {
        const double before = threadCpuSeconds();
        const EngineSnapshot snapshot = engine.next();
        const QList<LogLine> lines = engine.logLines(20);
        generatorCpu += threadCpuSeconds() - before;
        window.applySnapshot(snapshot);
        window.appendLog(lines, 0);
    };
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    QObject::connect(&ticker, &QTimer::timeout, &app, feed);
    feed();
    ticker.start(kIntervalMs);

    QElapsedTimer wall;
    double cpuAtStart = 0;
    double generatorAtStart = 0;
    quint64 paintsAtStart = 0;
    QTimer::singleShot(kStartupMs, &app, [&] {
        cpuAtStart = processCpuSeconds();
        generatorAtStart = generatorCpu;
        paintsAtStart = paintCounter.paints;
        wall.start();
        QTimer::singleShot(seconds * 1000, &app, [&] { QCoreApplication::quit(); });
    });
    QApplication::exec();

    const double wallSeconds = double(wall.nsecsElapsed()) / 1e9;
    const double cpuSeconds = processCpuSeconds() - cpuAtStart;
    const double generatorSeconds = generatorCpu - generatorAtStart;
    const double percent = 100 * cpuSeconds / wallSeconds;
    const double dashboardPercent = 100 * (cpuSeconds - generatorSeconds) / wallSeconds;
    const QString platform = QGuiApplication::platformName();
    const quint64 paints = paintCounter.paints - paintsAtStart;

    std::printf("GUI: %d connections, one snapshot per second, %s order, %s page, platform %s, %llu"
                " widget paint events measured\n",
                connections, sortByRate ? "rate" : "start", historyShown ? "closed" : "open",
                qPrintable(platform), static_cast<unsigned long long>(paints));
    std::printf("CPU: %.3f s user+sys over %.1f s wall (after %d s start-up) = %.2f%% of one core"
                " (%.2f%% without the synthetic data generation)\n",
                cpuSeconds, wallSeconds, kStartupMs / 1000, percent, dashboardPercent);
    const QJsonObject json{
        {QStringLiteral("benchmark"), QStringLiteral("gui")},
        {QStringLiteral("platform"), platform},
        {QStringLiteral("connections"), connections},
        {QStringLiteral("page"), historyShown ? QStringLiteral("closed") : QStringLiteral("open")},
        {QStringLiteral("sort"), sortByRate ? QStringLiteral("rate") : QStringLiteral("started")},
        {QStringLiteral("wall_seconds"), wallSeconds},
        {QStringLiteral("cpu_seconds"), cpuSeconds},
        {QStringLiteral("generator_cpu_seconds"), generatorSeconds},
        {QStringLiteral("percent_of_one_core"), percent},
        {QStringLiteral("dashboard_percent_of_one_core"), dashboardPercent}};
    std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    return 0;
}
