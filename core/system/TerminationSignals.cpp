#include "TerminationSignals.h"

#include <QLoggingCategory>
#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <utility>

namespace echw {

Q_LOGGING_CATEGORY(lcSignals, "echw.signals")

namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

// The pipe the handler writes to; a plain global because a signal handler can reach nothing
// else.
int s_pipe[2] = {-1, -1};

void writeSignalNumber(int number)
{
    const int savedErrno = errno; // the interrupted code may be about to read errno
    const unsigned char byte = static_cast<unsigned char>(number);
    [[maybe_unused]] const ssize_t ignored = ::write(s_pipe[1], &byte, 1);
    errno = savedErrno;
}

void setHandler(void (*handler)(int))
{
    struct sigaction action = {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int number : kSignals)
        ::sigaction(number, &action, nullptr);
}

} // namespace

TerminationSignals::TerminationSignals(QObject* parent)
    : QObject(parent)
{
    if (::pipe(s_pipe) != 0)
        return;
    for (int fd : s_pipe)
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    // A full pipe must not block the handler; one pending byte is enough to wake the loop.
    ::fcntl(s_pipe[1], F_SETFL, O_NONBLOCK);
    m_notifier = std::make_unique<QSocketNotifier>(s_pipe[0], QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, [this] {
        unsigned char byte = 0;
        if (::read(s_pipe[0], &byte, 1) != 1)
            return;
        if (std::exchange(m_requested, true)) {
            qCInfo(lcSignals, "signal %d: already stopping", int(byte));
            return;
        }
        Q_EMIT terminationRequested(int(byte));
    });
    setHandler(writeSignalNumber);
}

TerminationSignals::~TerminationSignals()
{
    setHandler(SIG_IGN);
    m_notifier.reset();
    for (int& fd : s_pipe) {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
}

void TerminationSignals::blockInThisThread()
{
    sigset_t set;
    sigemptyset(&set);
    for (int number : kSignals)
        sigaddset(&set, number);
    ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

} // namespace echw
