// One instance per user: the first claim listens on an owner-only socket in a private
// directory, a later claim hands its request over and gets the answer, a socket file left
// behind does not block, and a directory other users may enter is refused.
#include "desktop/SingleInstance.h"

#include <QDir>
#include <QFile>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

using namespace echw;
using namespace std::chrono_literals;

namespace {

constexpr int kWaitMs = 20'000;
constexpr auto kClaimTimeout = 10s;

mode_t modeOf(const QString& path)
{
    struct stat info {};
    if (::lstat(QFile::encodeName(path).constData(), &info) != 0)
        return 0;
    return info.st_mode;
}

// A socket file nobody listens on, as a killed instance leaves it: bound, never unlinked.
bool leaveStaleSocket(const QString& path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray name = QFile::encodeName(path);
    if (size_t(name.size()) >= sizeof(address.sun_path)) {
        ::close(fd);
        return false;
    }
    std::memcpy(address.sun_path, name.constData(), size_t(name.size()));
    const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    ::close(fd);
    return bound;
}

std::unique_ptr<SingleInstance> takeInstance(SingleInstance::Claim& claim)
{
    if (auto* failed = std::get_if<SingleInstance::Failed>(&claim))
        qWarning("claim failed: %s", qPrintable(failed->reason));
    auto* instance = std::get_if<std::unique_ptr<SingleInstance>>(&claim);
    return instance ? std::move(*instance) : nullptr;
}

} // namespace

class TestSingleInstance : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        // QTemporaryDir makes its directory 0700; the checks below rely on that.
        QCOMPARE(modeOf(m_dir->path()) & 0777, mode_t(0700));
    }

    void theFirstClaimListensOnAnOwnerOnlySocket()
    {
        auto claim = SingleInstance::claim(m_dir->path(), "show", kClaimTimeout);
        const auto instance = takeInstance(claim);
        QVERIFY(instance);
        QCOMPARE(QFileInfo(instance->socketPath()).absolutePath(), m_dir->path());
        const mode_t socket = modeOf(instance->socketPath());
        QVERIFY(S_ISSOCK(socket));
        QCOMPARE(socket & 077, mode_t(0)); // nothing for group or others
        QVERIFY(QFile::exists(instance->lockPath()));
    }

    void aSecondClaimHandsItsRequestToTheFirst()
    {
        auto first = SingleInstance::claim(m_dir->path(), "show", kClaimTimeout);
        const auto instance = takeInstance(first);
        QVERIFY(instance);
        QSignalSpy requests(instance.get(), &SingleInstance::requestReceived);

        // The second claim blocks until it is answered, so it runs on a thread of its own
        // while this one's event loop serves it.
        std::atomic<bool> done = false;
        SingleInstance::Claim second = SingleInstance::Failed{};
        std::thread launch([&] {
            second = SingleInstance::claim(m_dir->path(), "show", kClaimTimeout);
            done = true;
        });
        const bool finished = QTest::qWaitFor([&] { return done.load(); }, kWaitMs);
        launch.join();
        QVERIFY(finished);
        QVERIFY(std::holds_alternative<SingleInstance::HandedOver>(second));
        QCOMPARE(requests.size(), 1);
        QCOMPARE(requests.at(0).at(0).toByteArray(), QByteArray("show"));
    }

    void theInstanceEndsWithItsSocketAndLock()
    {
        QString socket;
        QString lock;
        {
            auto claim = SingleInstance::claim(m_dir->path(), "show", kClaimTimeout);
            const auto instance = takeInstance(claim);
            QVERIFY(instance);
            socket = instance->socketPath();
            lock = instance->lockPath();
        }
        QVERIFY(!QFile::exists(socket));
        QVERIFY(!QFile::exists(lock));
        auto again = SingleInstance::claim(m_dir->path(), "show", kClaimTimeout);
        QVERIFY(takeInstance(again));
    }

    void aSocketFileLeftBehindDoesNotBlock()
    {
        const QString socket = m_dir->filePath(QStringLiteral("ech-workers-gui.socket"));
        QVERIFY(leaveStaleSocket(socket));
        QVERIFY(S_ISSOCK(modeOf(socket)));
        auto claim = SingleInstance::claim(m_dir->path(), "show", kClaimTimeout);
        const auto instance = takeInstance(claim);
        QVERIFY(instance);
        QCOMPARE(instance->socketPath(), socket);

        QLocalSocket client;
        client.connectToServer(socket);
        QVERIFY(client.waitForConnected(kWaitMs));
    }

    void aLaunchThatSaysNothingIsCutOffAtTheDeadline()
    {
        auto claim = SingleInstance::claim(m_dir->path(), "show", kClaimTimeout);
        const auto instance = takeInstance(claim);
        QVERIFY(instance);
        QLocalSocket silent;
        QSignalSpy disconnected(&silent, &QLocalSocket::disconnected);
        silent.connectToServer(instance->socketPath());
        QVERIFY(silent.waitForConnected(kWaitMs));
        QVERIFY(disconnected.wait(int(SingleInstance::kRequestDeadline.count()) + kWaitMs));
    }

    void aDirectoryOtherUsersMayEnterIsRefused()
    {
        QVERIFY(QFile::setPermissions(m_dir->path(),
                                      QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                          QFileDevice::ExeOwner | QFileDevice::ReadOther |
                                          QFileDevice::ExeOther));
        auto claim = SingleInstance::claim(m_dir->path(), "show", kClaimTimeout);
        const auto* failed = std::get_if<SingleInstance::Failed>(&claim);
        QVERIFY(failed);
        QVERIFY2(failed->reason.contains(QStringLiteral("0705")), qPrintable(failed->reason));
        QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("ech-workers-gui.socket"))));
    }

    void theRuntimeDirectoryIsXdgRuntimeDir()
    {
        const EnvironmentGuard guard;
        qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_dir->path()));
        const auto runtime = userRuntimeDirectory();
        QVERIFY(std::holds_alternative<PrivateDirectory>(runtime));
        QCOMPARE(std::get<PrivateDirectory>(runtime).path, m_dir->path());

        QVERIFY(QFile::setPermissions(m_dir->path(),
                                      QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                          QFileDevice::ExeOwner | QFileDevice::ExeGroup));
        const auto open = userRuntimeDirectory();
        QVERIFY(std::holds_alternative<QString>(open));
        QVERIFY(std::get<QString>(open).startsWith(QStringLiteral("XDG_RUNTIME_DIR: ")));
    }

    void withoutXdgRuntimeDirAPrivateFolderInTempIsMade()
    {
        const EnvironmentGuard guard;
        qunsetenv("XDG_RUNTIME_DIR");
        qputenv("TMPDIR", QFile::encodeName(m_dir->path()));
        const QString expected = m_dir->filePath(QStringLiteral("ech-workers-%1").arg(::geteuid()));
        const auto runtime = userRuntimeDirectory();
        const auto* problem = std::get_if<QString>(&runtime);
        QVERIFY2(!problem, qPrintable(problem ? *problem : QString()));
        QCOMPARE(std::get<PrivateDirectory>(runtime).path, expected);
        QCOMPARE(modeOf(expected) & 07777, mode_t(0700));
        // Made once, used again.
        QVERIFY(std::holds_alternative<PrivateDirectory>(userRuntimeDirectory()));
    }

    void aFallbackFolderSomeoneElseCouldPlantIsRefused_data()
    {
        QTest::addColumn<bool>("symbolicLink");
        QTest::newRow("open to others") << false;
        QTest::newRow("a symbolic link to a private folder") << true;
    }

    void aFallbackFolderSomeoneElseCouldPlantIsRefused()
    {
        QFETCH(bool, symbolicLink);
        const EnvironmentGuard guard;
        qunsetenv("XDG_RUNTIME_DIR");
        qputenv("TMPDIR", QFile::encodeName(m_dir->path()));
        const QString fallback = m_dir->filePath(QStringLiteral("ech-workers-%1").arg(::geteuid()));
        if (symbolicLink) {
            const QString target = m_dir->filePath(QStringLiteral("elsewhere"));
            QVERIFY(QDir().mkdir(target, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                             QFileDevice::ExeOwner));
            QVERIFY(QFile::link(target, fallback));
        } else {
            QVERIFY(QDir().mkdir(fallback));
            QVERIFY(QFile::setPermissions(fallback,
                                          QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                              QFileDevice::ExeOwner | QFileDevice::ReadOther |
                                              QFileDevice::WriteOther | QFileDevice::ExeOther));
        }
        const auto runtime = userRuntimeDirectory();
        QVERIFY(std::holds_alternative<QString>(runtime));
        QVERIFY(std::get<QString>(runtime).contains(fallback));
    }

private:
    // Puts XDG_RUNTIME_DIR and TMPDIR back as they were.
    class EnvironmentGuard {
    public:
        EnvironmentGuard()
            : m_runtime(qgetenv("XDG_RUNTIME_DIR"))
            , m_hadRuntime(qEnvironmentVariableIsSet("XDG_RUNTIME_DIR"))
            , m_temp(qgetenv("TMPDIR"))
            , m_hadTemp(qEnvironmentVariableIsSet("TMPDIR"))
        {}
        ~EnvironmentGuard()
        {
            restore("XDG_RUNTIME_DIR", m_runtime, m_hadRuntime);
            restore("TMPDIR", m_temp, m_hadTemp);
        }

    private:
        static void restore(const char* name, const QByteArray& value, bool wasSet)
        {
            if (wasSet)
                qputenv(name, value);
            else
                qunsetenv(name);
        }
        QByteArray m_runtime;
        bool m_hadRuntime;
        QByteArray m_temp;
        bool m_hadTemp;
    };

    std::unique_ptr<QTemporaryDir> m_dir;
};

QTEST_GUILESS_MAIN(TestSingleInstance)
#include "tst_singleinstance.moc"
