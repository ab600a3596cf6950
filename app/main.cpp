#include "config/CommandLine.h"
#include "config/EngineConfig.h"
#include "engine/EngineRuntime.h"
#include "routing/RouteListUpdater.h"
#include "system/LogOutput.h"
#include "system/TerminationSignals.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QStandardPaths>

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
    auto parsed = echw::EngineConfig::parse(settings, commandLine.threads);
    if (auto* error = std::get_if<echw::ConfigError>(&parsed)) {
        qCCritical(lcApp, "%s", qPrintable(error->text()));
        return 1;
    }
    const auto& config = std::get<echw::EngineConfig>(parsed);
    echw::TerminationSignals signals;
    echw::EngineRuntime runtime;
    if (const auto error = runtime.start(config)) {
        qCCritical(lcApp, "%s", qPrintable(*error));
        return 1;
    }
    qCInfo(lcApp, "listening on %s (SOCKS5 and HTTP), routing %s, %d engine thread%s",
           qPrintable(runtime.listenAddress()), qPrintable(echw::routingModeName(config.routing)),
           runtime.threadCount(), runtime.threadCount() == 1 ? "" : "s");
    QObject::connect(&signals, &echw::TerminationSignals::terminationRequested, &app,
                     [&](int number) {
                         qCInfo(lcApp, "signal %d: stopping", number);
                         runtime.stop();
                         QCoreApplication::quit();
                     });
    return QCoreApplication::exec();
}
