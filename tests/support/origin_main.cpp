// echw-test-origin: the loopback origin server (OriginServer.h) as a process of its own, for
// integration tests that drive a real proxy binary with curl.
//
//   echw-test-origin [--listen ADDR]... [--port N] [--exit-on-stdin-eof]
//
// Prints "listening <port>" once every address is bound, then serves until SIGTERM, SIGINT or,
// with --exit-on-stdin-eof, the end of standard input (so it dies with a parent that forgets it).
// The hidden "--print-sha256 SEED SIZE" prints contentSha256Hex(SEED, SIZE) and exits, letting a
// shell test check a /bytes download without a copy of the generator.

#include "DeterministicContent.h"
#include "OriginServer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>
#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sys/signalfd.h>
#include <unistd.h>

namespace {

using echw::test::OriginServer;

[[noreturn]] void failUsage(const QString& message)
{
    std::fprintf(stderr, "echw-test-origin: %s\n", qPrintable(message));
    std::exit(2);
}

quint64 parseUnsigned(const QString& text, const QString& what)
{
    bool ok = false;
    const quint64 value = text.toULongLong(&ok);
    if (!ok)
        failUsage(QStringLiteral("invalid %1: %2").arg(what, text));
    return value;
}

// SIGTERM and SIGINT are delivered through a signalfd, so shutdown runs in the event loop with
// the usual destructors instead of in a signal handler. They are blocked before QCoreApplication
// exists so that every thread Qt may start inherits the mask and none of them takes the signal.
int blockTerminationSignals()
{
    sigset_t terminationSignals;
    sigemptyset(&terminationSignals);
    sigaddset(&terminationSignals, SIGTERM);
    sigaddset(&terminationSignals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &terminationSignals, nullptr);
    return signalfd(-1, &terminationSignals, SFD_NONBLOCK | SFD_CLOEXEC);
}

} // namespace

int main(int argc, char* argv[])
{
    const int signalDescriptor = blockTerminationSignals();
    // A harness that stops reading our stdout must not kill us with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("echw-test-origin"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Loopback origin server for the ECH Workers tests."));
    parser.addHelpOption();
    const QCommandLineOption listenOption(
        QStringLiteral("listen"),
        QStringLiteral("Address to listen on (repeatable; default 127.0.0.1)."),
        QStringLiteral("addr"));
    const QCommandLineOption portOption(QStringLiteral("port"),
                                        QStringLiteral("Port; 0 picks a free one (default)."),
                                        QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption stdinOption(QStringLiteral("exit-on-stdin-eof"),
                                         QStringLiteral("Exit when standard input reaches EOF."));
    QCommandLineOption sha256Option(QStringLiteral("print-sha256"),
                                    QStringLiteral("Print contentSha256Hex(SEED, SIZE) and exit."));
    sha256Option.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({listenOption, portOption, stdinOption, sha256Option});
    parser.process(app);

    const QStringList positional = parser.positionalArguments();
    if (parser.isSet(sha256Option)) {
        if (positional.size() != 2)
            failUsage(QStringLiteral("--print-sha256 takes SEED and SIZE"));
        const QByteArray digest =
            echw::test::contentSha256Hex(parseUnsigned(positional[0], QStringLiteral("seed")),
                                         parseUnsigned(positional[1], QStringLiteral("size")));
        std::printf("%s\n", digest.constData());
        return 0;
    }
    if (!positional.isEmpty())
        failUsage(QStringLiteral("unexpected argument %1").arg(positional.front()));

    const quint64 port = parseUnsigned(parser.value(portOption), QStringLiteral("port"));
    if (port > 65535)
        failUsage(QStringLiteral("invalid port: %1").arg(port));
    QList<QHostAddress> addresses;
    const QStringList listenValues = parser.values(listenOption);
    for (const QString& value : listenValues) {
        QHostAddress address;
        if (!address.setAddress(value))
            failUsage(QStringLiteral("invalid address: %1").arg(value));
        addresses.append(address);
    }
    if (addresses.isEmpty())
        addresses.append(QHostAddress(QHostAddress::LocalHost));

    if (signalDescriptor < 0) {
        std::perror("echw-test-origin: signalfd");
        return 1;
    }
    QSocketNotifier signalNotifier(signalDescriptor, QSocketNotifier::Read);
    QObject::connect(&signalNotifier, &QSocketNotifier::activated, &app,
                     [] { QCoreApplication::quit(); });

    std::unique_ptr<QSocketNotifier> stdinNotifier;
    if (parser.isSet(stdinOption)) {
        stdinNotifier = std::make_unique<QSocketNotifier>(STDIN_FILENO, QSocketNotifier::Read);
        QObject::connect(stdinNotifier.get(), &QSocketNotifier::activated, &app, [] {
            // Standard input may be shared with the parent, so it stays blocking; the notifier
            // said it is readable, so one read returns at once.
            char buffer[4096];
            const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                QCoreApplication::quit();
        });
    }

    OriginServer server;
    if (!server.listen(addresses, quint16(port))) {
        std::fprintf(stderr, "echw-test-origin: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    std::printf("listening %u\n", unsigned(server.port()));
    std::fflush(stdout);
    return app.exec();
}
