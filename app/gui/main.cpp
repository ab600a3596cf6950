// ech-workers-gui: the desktop app (tray, dashboard, settings, local demo).
#include "AppController.h"
#include "Translation.h"
#include "system/LogCollector.h"
#include "system/LogOutput.h"
#include "system/TerminationSignals.h"
#include "tray/TrayController.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QStandardPaths>

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ech-workers"));
    QApplication::setApplicationDisplayName(QStringLiteral("ECH Workers"));
    QApplication::setApplicationVersion(QStringLiteral(ECHW_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("ech-workers"));
    // With a tray the app lives there after the window closes; without one, closing quits.
    QApplication::setQuitOnLastWindowClosed(false);

    QCommandLineParser arguments;
    arguments.setApplicationDescription(
        QStringLiteral("ECH Workers: a local SOCKS5 and HTTP proxy that tunnels through your "
                       "Worker with Encrypted Client Hello."));
    arguments.addHelpOption();
    arguments.addVersionOption();
    const QCommandLineOption demo(QStringLiteral("demo"),
                                  QStringLiteral("Start the local demo server at launch."));
    arguments.addOption(demo);
    arguments.process(app);

    echw::installLogOutput(qEnvironmentVariable("ECHW_LOGLEVEL", QStringLiteral("info")));
    echw::LogCollector log;

    const QDir config(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation));
    const QDir data(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation));
    const QDir cache(QStandardPaths::writableLocation(QStandardPaths::CacheLocation));
    echw::AppController::Options options;
    options.settingsPath = config.filePath(QStringLiteral("settings.json"));
    options.demoStateDirectory = data.filePath(QStringLiteral("demo-server"));
    options.echCacheFile = cache.filePath(QStringLiteral("ech-config.json"));
    options.updatedListDirectory = data.filePath(QStringLiteral("china-ip-list"));
    options.windowStatePath = config.filePath(QStringLiteral("window-state.ini"));
    options.systemProxyRecoveryPath = data.filePath(QStringLiteral("system-proxy-recovery.json"));
    options.log = &log;
    // Before any widget exists: texts are translated when they are set. A change in the
    // settings dialog takes effect at the next start.
    echw::installTranslation(app, echw::settingsLanguage(options.settingsPath));

    echw::TerminationSignals signals;
    echw::AppController controller(options);
    QObject::connect(&controller, &echw::AppController::quitRequested, &app, &QApplication::quit);
    // A signal (log-out, kill, Ctrl+C in a terminal) quits as the tray's Quit does.
    QObject::connect(&signals, &echw::TerminationSignals::terminationRequested, &controller,
                     &echw::AppController::quit);
    // At log-out the session manager may end the process before Quit runs.
    QObject::connect(&app, &QGuiApplication::commitDataRequest, &controller,
                     &echw::AppController::sessionEnding);
    controller.launch();
    if (arguments.isSet(demo))
        controller.startDemo();
    return QApplication::exec();
}
