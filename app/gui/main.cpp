// ech-workers-gui: the desktop app (tray, dashboard, settings, local demo).
#include "AppController.h"
#include "Translation.h"
#include "desktop/SingleInstance.h"
#include "system/LogCollector.h"
#include "system/LogOutput.h"
#include "system/TerminationSignals.h"
#include "tray/TrayController.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QLoggingCategory>
#include <QStandardPaths>

namespace {

Q_LOGGING_CATEGORY(lcMain, "echw.main")

constexpr auto kClaimTimeout = std::chrono::seconds(5);
// What a later launch asks the running app for.
constexpr QByteArrayView kShowRequest("show");
constexpr QByteArrayView kLoginRequest("login");

struct InstanceClaim {
    // Null when there is no safe place for the check: the app then runs without it.
    std::unique_ptr<echw::SingleInstance> instance;
    // Set when this launch ends here: a running instance took the request (0) or did not
    // answer (1).
    std::optional<int> exitCode;
};

InstanceClaim claimTheOneInstance(QByteArrayView request)
{
    const auto runtime = echw::userRuntimeDirectory();
    if (const auto* problem = std::get_if<QString>(&runtime)) {
        qCWarning(lcMain, "no check for a running instance: %s", qPrintable(*problem));
        return {};
    }
    auto claim = echw::SingleInstance::claim(std::get<echw::PrivateDirectory>(runtime).path,
                                             request.toByteArray(), kClaimTimeout);
    if (std::holds_alternative<echw::SingleInstance::HandedOver>(claim)) {
        qCInfo(lcMain, "ECH Workers is already running; the request (%s) went to it",
               request.toByteArray().constData());
        return {nullptr, 0};
    }
    if (const auto* hung = std::get_if<echw::SingleInstance::NotAnswering>(&claim)) {
        qCCritical(lcMain, "ECH Workers is already running (process %lld) but did not answer",
                   hung->processId);
        return {nullptr, 1};
    }
    if (const auto* failed = std::get_if<echw::SingleInstance::Failed>(&claim)) {
        qCWarning(lcMain, "no check for a running instance: %s", qPrintable(failed->reason));
        return {};
    }
    auto instance = std::get<std::unique_ptr<echw::SingleInstance>>(std::move(claim));
    qCInfo(lcMain, "the one instance (process %lld): later launches reach it at %s",
           QCoreApplication::applicationPid(), qPrintable(instance->socketPath()));
    return {std::move(instance), std::nullopt};
}

} // namespace

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
    const QCommandLineOption autostart(
        QStringLiteral("autostart"),
        QStringLiteral("Started at login: stay in the tray and start the proxy."));
    arguments.addOption(autostart);
    arguments.process(app);

    // ECHW_LOGLEVEL is the terminal's level; the log view collects from Info up (Debug while
    // it shows Debug) whatever the terminal gets.
    const QtMsgType terminalLevel =
        echw::logLevelFromName(qEnvironmentVariable("ECHW_LOGLEVEL")).value_or(QtInfoMsg);
    echw::installLogPattern();
    echw::setLoggedLevel(terminalLevel);

    // One app per user: a second launch hands its request to the first and ends.
    InstanceClaim claim =
        claimTheOneInstance(arguments.isSet(autostart) ? kLoginRequest : kShowRequest);
    if (claim.exitCode)
        return *claim.exitCode;
    const std::unique_ptr<echw::SingleInstance> instance = std::move(claim.instance);
    echw::LogCollector log(terminalLevel);

    const QDir config(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation));
    const QDir data(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation));
    const QDir cache(QStandardPaths::writableLocation(QStandardPaths::CacheLocation));
    echw::AppController::Options options;
    options.settingsPath = config.filePath(QStringLiteral("settings.json"));
    options.demoStateDirectory = data.filePath(QStringLiteral("demo-server"));
    options.echCacheFile = cache.filePath(QStringLiteral("ech-config.json"));
    options.updatedListDirectory = data.filePath(QStringLiteral("china-ip-list"));
    options.certificateDirectory = data.filePath(QStringLiteral("certificates"));
    options.windowStatePath = config.filePath(QStringLiteral("window-state.ini"));
    options.systemProxyRecoveryPath = data.filePath(QStringLiteral("system-proxy-recovery.json"));
    options.log = &log;
    options.startedAtLogin = arguments.isSet(autostart);
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
    if (instance) {
        QObject::connect(instance.get(), &echw::SingleInstance::requestReceived, &controller,
                         [&controller](const QByteArray& request) {
                             // At login a running app is already where it should be.
                             if (request == kShowRequest)
                                 controller.activate();
                         });
    }
    controller.launch();
    if (arguments.isSet(demo))
        controller.startDemo();
    return QApplication::exec();
}
