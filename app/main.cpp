#include "Engine.h"
#include "EngineGroup.h"
#include "config/CommandLine.h"
#include "routing/RouteListUpdater.h"
#include "system/LogOutput.h"
#include "system/TerminationSignals.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QStandardPaths>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <memory>

Q_LOGGING_CATEGORY(lcApp, "echw.app")

namespace {

// -update-lists: fetch, validate and replace the China lists, then exit (0: replaced).
int updateLists(const echw::ProxySettings& settings)
{
    echw::RouteListUpdaterOptions options;
    options.targetDirectory =
        settings.listDirectory.isEmpty() ? settings.updatedListDirectory : settings.listDirectory;
    echw::RouteListUpdater updater(options);
    int exitCode = 1;
    QObject::connect(&updater, &echw::RouteListUpdater::finished,
                     [&](bool updated, const QString& message) {
                         if (updated)
                             qCInfo(lcApp, "%s", qPrintable(message));
                         else
                             qCCritical(lcApp, "%s", qPrintable(message));
                         exitCode = updated ? 0 : 1;
                         QCoreApplication::quit();
                     });
    if (!updater.start())
        return 1;
    QCoreApplication::exec();
    return exitCode;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("ech-workers"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ECHW_VERSION));

    const auto commandLine = echw::CommandLine::parse(app.arguments().mid(1));
    switch (commandLine.action) {
    case echw::CommandLine::Action::Help:
        std::fputs(qPrintable(echw::CommandLine::help()), stdout);
        return 0;
    case echw::CommandLine::Action::Version:
        std::printf("ech-workers %s\n", ECHW_VERSION);
        return 0;
    case echw::CommandLine::Action::Error:
        std::fprintf(stderr, "ech-workers: %s\n", qPrintable(commandLine.error));
        return 2;
    case echw::CommandLine::Action::Run:
        break;
    }

    echw::installLogOutput(commandLine.logLevel);
    echw::ProxySettings settings = commandLine.settings;
    settings.echCacheFile = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) +
                            QStringLiteral("/ech-config.json");
    settings.updatedListDirectory =
        QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
        QStringLiteral("/china-ip-list");
    if (commandLine.updateLists)
        return updateLists(settings);
    echw::TerminationSignals signals;
    const int threads =
        commandLine.threads > 0 ? commandLine.threads : std::max(1, QThread::idealThreadCount());
    // One thread: the engine runs on this loop, as it always has. More: each engine on a
    // thread of its own, and this loop only accepts clients and hands them out.
    std::unique_ptr<echw::Engine> engine;
    std::unique_ptr<echw::EngineGroup> group;
    std::optional<QString> error;
    if (threads == 1) {
        engine = std::make_unique<echw::Engine>();
        error = engine->start(settings);
    } else {
        group = std::make_unique<echw::EngineGroup>(threads);
        error = group->start(settings);
    }
    if (error) {
        qCCritical(lcApp, "%s", qPrintable(*error));
        return 1;
    }
    qCInfo(lcApp, "listening on %s (SOCKS5 and HTTP), routing %s, %d engine thread%s",
           qPrintable(engine ? engine->listenAddress() : group->listenAddress()),
           qPrintable(echw::routingModeName(commandLine.settings.routing)), threads,
           threads == 1 ? "" : "s");
    QObject::connect(&signals, &echw::TerminationSignals::terminationRequested, &app,
                     [&](int number) {
                         qCInfo(lcApp, "signal %d: stopping", number);
                         if (engine)
                             engine->stop();
                         else
                             group->stop();
                         QCoreApplication::quit();
                     });
    return QCoreApplication::exec();
}
