// ech-workers-server: the self-hosted worker (see WorkerServer.h and --help).
#include "ServerCommandLine.h"
#include "ServerCredentials.h"
#include "ServerLog.h"
#include "WorkerServer.h"
#include "net/SocketAddresses.h"
#include "system/LogOutput.h"
#include "system/TerminationSignals.h"

#include <QCoreApplication>
#include <QDir>
#include <QLoggingCategory>
#include <QStandardPaths>

#include <cstdio>

namespace {

using echw::server::lcServer;

void printLine(const QByteArray& line)
{
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fputc('\n', stdout);
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    // The client's application name, so the state lands next to the client's data, in "server".
    QCoreApplication::setApplicationName(QStringLiteral("ech-workers"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ECHW_VERSION));

    const QString appData = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    const auto commandLine = echw::server::ServerCommandLine::parse(
        app.arguments().mid(1),
        appData.isEmpty() ? QString() : QDir(appData).filePath(QStringLiteral("server")));
    switch (commandLine.action) {
    case echw::server::ServerCommandLine::Action::Help:
        std::fputs(qPrintable(echw::server::ServerCommandLine::help()), stdout);
        return 0;
    case echw::server::ServerCommandLine::Action::Version:
        std::printf("ech-workers-server %s\n", ECHW_VERSION);
        return 0;
    case echw::server::ServerCommandLine::Action::Error:
        std::fprintf(stderr, "ech-workers-server: %s\n", qPrintable(commandLine.error));
        return 2;
    case echw::server::ServerCommandLine::Action::Run:
        break;
    }
    echw::installLogOutput(commandLine.logLevel);

    auto loaded = echw::server::loadOrCreateCredentials(commandLine.credentials);
    if (auto* error = std::get_if<QString>(&loaded)) {
        qCCritical(lcServer, "%s", qPrintable(*error));
        return 1;
    }
    const auto& credentials = std::get<echw::server::ServerCredentials>(loaded);
    for (const QString& note : credentials.notes)
        qCInfo(lcServer, "%s", qPrintable(note));

    echw::TerminationSignals signals;
    echw::server::WorkerServer server(credentials, commandLine.settings);
    if (auto error = server.listen(commandLine.listenAddress, commandLine.listenPort)) {
        qCCritical(lcServer, "%s", qPrintable(*error));
        return 1;
    }

    printLine("ech-config " + credentials.echConfigList.toBase64());
    std::fputs(credentials.echConfigPem().constData(), stdout);
    printLine("certificate " + credentials.certificateFile.toUtf8());
    printLine("listening on " +
              echw::hostPortString(server.serverAddress(), server.serverPort()).toUtf8());
    std::fflush(stdout);

    const echw::server::WorkerSettings& settings = commandLine.settings;
    qCInfo(lcServer, "ECH public name %s, token %s, DoH %s, internal targets %s",
           qPrintable(credentials.publicName), settings.token.isEmpty() ? "none" : "set",
           settings.dohEnabled ? "on" : "off",
           settings.allowInternalTargets ? "allowed" : "refused");
    if (settings.token.isEmpty() && !commandLine.listenAddress.isLoopback())
        qCWarning(lcServer, "no -token: anyone who can reach this address can use it as a proxy");

    QObject::connect(&signals, &echw::TerminationSignals::terminationRequested, &app,
                     [&](int number) {
                         qCInfo(lcServer, "signal %d: stopping", number);
                         server.stop();
                         QCoreApplication::quit();
                     });
    return QCoreApplication::exec();
}
