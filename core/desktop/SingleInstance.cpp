#include "SingleInstance.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLockFile>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace echw {

namespace {

constexpr QLatin1StringView kLockName("ech-workers-gui.lock");
constexpr QLatin1StringView kSocketName("ech-workers-gui.socket");
constexpr QByteArrayView kAnswer("ok\n");
// Between two looks at a lock whose holder is still starting (not listening yet) or ending.
constexpr std::chrono::milliseconds kRetryPause{20};

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

int remainingMs(const QDeadlineTimer& deadline)
{
    return int(std::max<qint64>(1, deadline.remainingTime()));
}

enum class Handover { Answered, NotListening, NoAnswer };

// One attempt to hand the request to the instance listening at `socketPath`.
Handover handOver(const QString& socketPath, const QByteArray& request,
                  const QDeadlineTimer& deadline)
{
    QLocalSocket socket;
    socket.connectToServer(socketPath);
    if (!socket.waitForConnected(remainingMs(deadline)))
        return Handover::NotListening;
    socket.write(request + '\n');
    if (!socket.waitForBytesWritten(remainingMs(deadline)))
        return Handover::NoAnswer;
    QByteArray answer;
    while (!answer.contains('\n') && answer.size() <= kAnswer.size()) {
        if (!socket.bytesAvailable() && !socket.waitForReadyRead(remainingMs(deadline)))
            return Handover::NoAnswer;
        answer += socket.readAll();
    }
    return answer == kAnswer ? Handover::Answered : Handover::NoAnswer;
}

} // namespace

std::optional<QString> checkPrivateDirectory(const QString& path, SymbolicLinks links)
{
    const QByteArray name = QFile::encodeName(path);
    struct stat info {};
    const int result = links == SymbolicLinks::Follow ? ::stat(name.constData(), &info)
                                                      : ::lstat(name.constData(), &info);
    if (result != 0)
        return QStringLiteral("%1 cannot be used (%2)").arg(path, errnoText(errno));
    if (S_ISLNK(info.st_mode))
        return QStringLiteral("%1 is a symbolic link").arg(path);
    if (!S_ISDIR(info.st_mode))
        return QStringLiteral("%1 is not a directory").arg(path);
    if (info.st_uid != ::geteuid())
        return QStringLiteral("%1 belongs to another user").arg(path);
    if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        return QStringLiteral("other users may enter %1 (mode %2, it must be 0700)")
            .arg(path)
            .arg(info.st_mode & 07777, 4, 8, QLatin1Char('0'));
    return std::nullopt;
}

std::variant<PrivateDirectory, QString> userRuntimeDirectory()
{
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (!runtime.isEmpty()) {
        if (const auto problem = checkPrivateDirectory(runtime))
            return QStringLiteral("XDG_RUNTIME_DIR: %1").arg(*problem);
        return PrivateDirectory{runtime};
    }
    const QString fallback = QDir::tempPath() + QStringLiteral("/ech-workers-%1").arg(::geteuid());
    // mkdir leaves an existing path alone; whoever made it, the check below decides.
    if (::mkdir(QFile::encodeName(fallback).constData(), S_IRWXU) != 0 && errno != EEXIST)
        return QStringLiteral("could not create %1 (%2)").arg(fallback, errnoText(errno));
    if (const auto problem = checkPrivateDirectory(fallback, SymbolicLinks::Refuse))
        return *problem;
    return PrivateDirectory{fallback};
}

SingleInstance::Claim SingleInstance::claim(const QString& directory, const QByteArray& request,
                                            std::chrono::milliseconds timeout)
{
    if (const auto problem = checkPrivateDirectory(directory))
        return Failed{*problem};
    const QDeadlineTimer deadline(timeout);
    const QString socketPath = QDir(directory).filePath(kSocketName);
    auto lock = std::make_unique<QLockFile>(QDir(directory).filePath(kLockName));
    // Only an owner that no longer runs makes the lock stale, never its age: the app holds it
    // for as long as it runs.
    lock->setStaleLockTime(0);
    for (;;) {
        if (lock->tryLock(0)) {
            std::unique_ptr<SingleInstance> instance(
                new SingleInstance(std::move(lock), socketPath));
            if (auto problem = instance->listen())
                return Failed{*problem};
            return instance;
        }
        if (lock->error() != QLockFile::LockFailedError)
            return Failed{QStringLiteral("could not create the lock file %1")
                              .arg(QDir(directory).filePath(kLockName))};
        if (handOver(socketPath, request, deadline) == Handover::Answered)
            return HandedOver{};
        if (deadline.hasExpired()) {
            NotAnswering holder;
            QString host;
            QString application;
            lock->getLockInfo(&holder.processId, &host, &application);
            return holder;
        }
        QThread::msleep(static_cast<unsigned long>(kRetryPause.count()));
    }
}

SingleInstance::SingleInstance(std::unique_ptr<QLockFile> lock, QString socketPath)
    : m_lock(std::move(lock))
    , m_socketPath(std::move(socketPath))
    , m_server(new QLocalServer(this))
{
    connect(m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket* connection = m_server->nextPendingConnection())
            serve(connection);
    });
}

SingleInstance::~SingleInstance()
{
    // The socket goes before the lock, so the next instance never finds our socket file after
    // taking the lock (it would remove it anyway, but not while we still listen).
    m_server->close();
}

QString SingleInstance::lockPath() const
{
    return m_lock->fileName();
}

std::optional<QString> SingleInstance::listen()
{
    // We hold the lock, so a socket file here is one an instance that was killed left behind.
    QLocalServer::removeServer(m_socketPath);
    // Qt binds in a fresh directory, restricts the socket to its owner, then moves it here.
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(m_socketPath))
        return QStringLiteral("could not listen on %1 (%2)")
            .arg(m_socketPath, m_server->errorString());
    return std::nullopt;
}

void SingleInstance::serve(QLocalSocket* connection)
{
    // The connection is the server's child; whatever happens it goes at the deadline at last.
    connect(connection, &QLocalSocket::disconnected, connection, &QObject::deleteLater);
    QTimer::singleShot(kRequestDeadline, connection, [connection] {
        connection->abort();
        connection->deleteLater();
    });
    connect(connection, &QLocalSocket::readyRead, this, [this, connection] {
        if (!connection->canReadLine()) {
            if (connection->bytesAvailable() > kMaxRequestBytes) {
                connection->abort();
                connection->deleteLater();
            }
            return;
        }
        const QByteArray request = connection->readLine(kMaxRequestBytes + 1).trimmed();
        connection->disconnect(this);
        Q_EMIT requestReceived(request);
        connection->write(kAnswer.data(), kAnswer.size());
        connection->disconnectFromServer();
    });
}

} // namespace echw
