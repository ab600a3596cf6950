#include "LocalDemo.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QStandardPaths>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>
#endif

namespace echw {

Q_LOGGING_CATEGORY(lcDemo, "echw.demo")

namespace {

constexpr auto kStartTimeout = std::chrono::seconds(20);
const auto kPublicName = QStringLiteral("ech-demo.test");

QString findProgram(const char* environment, const QString& name, const QString& buildFolder)
{
    const QString configured = qEnvironmentVariable(environment);
    if (!configured.isEmpty())
        return QFileInfo(configured).isExecutable() ? configured : QString();
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString& candidate : {here.filePath(name), here.filePath(buildFolder + name)}) {
        if (QFileInfo(candidate).isExecutable())
            return QFileInfo(candidate).canonicalFilePath();
    }
    return QStandardPaths::findExecutable(name);
}

// The value after `prefix` on the first complete output line that starts with it.
std::optional<QByteArray> lineValue(const QByteArray& output, const QByteArray& prefix)
{
    for (const QByteArray& line : output.split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed();
    }
    return std::nullopt;
}

// The demo's processes end with the app however it ends: a kill -9 runs none of its code, so
// the kernel does it (Linux: a parent-death signal, set in the child before it runs the
// program; the check after it covers an app that died while the child was being set up).
void endWithTheApp(QProcess& process)
{
#ifdef Q_OS_LINUX
    process.setChildProcessModifier([parent = ::getpid()] {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent)
            ::_exit(1);
    });
#else
    Q_UNUSED(process);
#endif
}

QString randomToken()
{
    return QString::number(QRandomGenerator::system()->generate64(), 36) +
           QString::number(QRandomGenerator::system()->generate64(), 36);
}

} // namespace

LocalDemo::LocalDemo(QObject* parent)
    : QObject(parent)
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        fail(tr("the demo server did not start within %1 s")
                 .arg(std::chrono::seconds(kStartTimeout).count()));
    });
}

LocalDemo::~LocalDemo()
{
    stop();
}

LocalDemo::Programs LocalDemo::findPrograms()
{
    return {findProgram("ECHW_SERVER_BIN", QStringLiteral("ech-workers-server"),
                        QStringLiteral("../server/")),
            findProgram("ECHW_ORIGIN_BIN", QStringLiteral("echw-test-origin"),
                        QStringLiteral("../tests/support/"))};
}

void LocalDemo::start(const Programs& programs, const QString& stateDirectory)
{
    stop();
    if (programs.server.isEmpty() || programs.origin.isEmpty()) {
        // Reported from the event loop like every other outcome.
        const QString missing = programs.server.isEmpty() ? QStringLiteral("ech-workers-server")
                                                          : QStringLiteral("echw-test-origin");
        QTimer::singleShot(0, this, [this, missing] {
            fail(tr("%1 was not found next to this program or on PATH").arg(missing));
        });
        return;
    }
    m_profile = ServerProfile{};
    m_profile.id = ServerProfile::newId();
    m_profile.name = tr("Local demo");
    m_profile.token = randomToken();
    m_profile.echDomain = kPublicName;

    m_server = std::make_unique<QProcess>();
    m_server->setProcessChannelMode(QProcess::SeparateChannels);
    m_server->setStandardErrorFile(QProcess::nullDevice());
    endWithTheApp(*m_server);
    connect(m_server.get(), &QProcess::readyReadStandardOutput, this, &LocalDemo::onServerOutput);
    connect(m_server.get(), &QProcess::finished, this,
            [this] { fail(tr("the demo server stopped")); });
    // The token through the environment: a command line is readable by every local user.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("ECH_WORKERS_SERVER_TOKEN"), m_profile.token);
    m_server->setProcessEnvironment(environment);
    m_server->start(programs.server, {QStringLiteral("-l"), QStringLiteral("127.0.0.1:0"),
                                      QStringLiteral("-doh"), QStringLiteral("-public-name"),
                                      kPublicName, QStringLiteral("-state"), stateDirectory});

    m_origin = std::make_unique<QProcess>();
    m_origin->setStandardErrorFile(QProcess::nullDevice());
    endWithTheApp(*m_origin);
    connect(m_origin.get(), &QProcess::readyReadStandardOutput, this, &LocalDemo::onOriginOutput);
    connect(m_origin.get(), &QProcess::finished, this,
            [this] { fail(tr("the demo website stopped")); });
    m_origin->start(programs.origin, {});
    m_deadline.start(kStartTimeout);
}

void LocalDemo::stop()
{
    m_deadline.stop();
    m_ready = false;
    for (auto* process : {&m_server, &m_origin}) {
        if (!*process)
            continue;
        disconnect(process->get(), nullptr, this, nullptr);
        (*process)->terminate();
        if (!(*process)->waitForFinished(3000))
            (*process)->kill();
        (*process)->waitForFinished(1000);
        process->reset();
    }
    m_serverOutput.clear();
    m_originOutput.clear();
    m_serverPort = 0;
    m_originPort = 0;
}

void LocalDemo::onServerOutput()
{
    m_serverOutput += m_server->readAllStandardOutput();
    if (m_serverOutput.size() > 64 * 1024) {
        fail(tr("the demo server printed something unexpected"));
        return;
    }
    if (m_serverPort == 0) {
        const auto listening = lineValue(m_serverOutput, "listening on ");
        const auto certificate = lineValue(m_serverOutput, "certificate ");
        if (!listening || !certificate)
            return;
        m_serverPort = quint16(listening->mid(listening->lastIndexOf(':') + 1).toUInt());
        m_certificate = QString::fromUtf8(*certificate);
        checkReady();
    }
}

void LocalDemo::onOriginOutput()
{
    m_originOutput += m_origin->readAllStandardOutput();
    if (m_originPort == 0) {
        if (const auto port = lineValue(m_originOutput, "listening ")) {
            m_originPort = quint16(port->toUInt());
            checkReady();
        }
    }
}

void LocalDemo::checkReady()
{
    if (m_ready || m_serverPort == 0 || m_originPort == 0)
        return;
    m_deadline.stop();
    m_profile.address = QStringLiteral("localhost:%1").arg(m_serverPort);
    // The server is on this machine: dialled by address, with no name lookup per tunnel.
    m_profile.preferredIp = QStringLiteral("127.0.0.1");
    m_profile.dohServer = QStringLiteral("https://127.0.0.1:%1/dns-query").arg(m_serverPort);
    m_profile.caFile = m_certificate;
    m_ready = true;
    qCInfo(lcDemo, "demo server on 127.0.0.1:%u, demo website on 127.0.0.1:%u",
           unsigned(m_serverPort), unsigned(m_originPort));
    Q_EMIT ready();
}

void LocalDemo::fail(const QString& reason)
{
    qCWarning(lcDemo, "%s", qPrintable(reason));
    stop();
    Q_EMIT failed(reason);
}

} // namespace echw
