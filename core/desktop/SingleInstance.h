#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

#include <chrono>
#include <memory>
#include <optional>
#include <variant>

class QLocalServer;
class QLocalSocket;
class QLockFile;

namespace echw {

// A directory only this user may enter: its path.
struct PrivateDirectory {
    QString path;
};

// The directory for the app's lock file and local socket: $XDG_RUNTIME_DIR, or when that is
// unset <temp>/ech-workers-<uid>, made with mode 0700 (the XDG Base Directory spec asks for a
// replacement "with similar capabilities"). Either is checked with checkPrivateDirectory; the
// fallback must not be a symbolic link either, since anyone can plant one in the temp folder.
// The reason when neither can be used.
std::variant<PrivateDirectory, QString> userRuntimeDirectory();

enum class SymbolicLinks { Follow, Refuse };
// Whether `path` is a directory owned by this user with no permission for group or others (so
// no other user can reach a socket in it); the reason otherwise.
std::optional<QString> checkPrivateDirectory(const QString& path,
                                             SymbolicLinks links = SymbolicLinks::Follow);

// One running desktop app per user. The first launch holds a lock file and listens on a local
// socket in the user's private runtime directory; a later launch finds the lock held, connects,
// hands over its request (one short word such as "show") and waits for the answer. The lock
// decides who is first, so two launches at the same moment never both listen; the socket only
// carries the request.
class SingleInstance final : public QObject {
    Q_OBJECT
public:
    static constexpr qsizetype kMaxRequestBytes = 64;
    // How long the running instance gives a later launch to send its request.
    static constexpr std::chrono::milliseconds kRequestDeadline{2000};

    // Another instance runs and answered the request.
    struct HandedOver {};
    // Another instance holds the lock but did not answer in time (hung, or stopped).
    struct NotAnswering {
        qint64 processId = 0;
    };
    // Neither could be done: why (a directory others can enter, a lock file that cannot be
    // made, a socket that cannot listen).
    struct Failed {
        QString reason;
    };
    using Claim = std::variant<std::unique_ptr<SingleInstance>, HandedOver, NotAnswering, Failed>;

    // Becomes the one instance in `directory` (checked with checkPrivateDirectory), or hands
    // `request` to the one that runs, within `timeout` in all. A lock or a socket file left by
    // an instance that crashed or was killed is taken over. Blocks: call it before the event
    // loop runs.
    static Claim claim(const QString& directory, const QByteArray& request,
                       std::chrono::milliseconds timeout);

    ~SingleInstance() override;

    QString socketPath() const { return m_socketPath; }
    QString lockPath() const;

Q_SIGNALS:
    // A later launch asked for `request`; it is answered once the slots have run.
    void requestReceived(const QByteArray& request);

private:
    SingleInstance(std::unique_ptr<QLockFile> lock, QString socketPath);
    std::optional<QString> listen();
    void serve(QLocalSocket* connection);

    std::unique_ptr<QLockFile> m_lock;
    QString m_socketPath;
    QLocalServer* m_server; // a child
};

} // namespace echw
