#include "EventLoopThread.h"

#include "system/TerminationSignals.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QSslSocket>
#include <QThread>

#include <pthread.h>

namespace echw {

Q_LOGGING_CATEGORY(lcThread, "echw.thread")

EventLoopThread::EventLoopThread(const QString& name)
    : m_state(std::make_shared<State>())
{
    m_state->name = name;
    // Qt's TLS backend (behind the DoH client's QSslSocket) and the system OpenSSL under it
    // initialise themselves on first use, on whichever thread that is; done on an engine
    // thread (or on two at once), their per-thread state met the thread's exit in a race: a
    // use-after-free at stop in the ASan build, heap corruption ("unaligned tcache chunk") at
    // the GUI's exit in the normal one. So it happens here, on the thread that starts threads.
    QSslSocket::supportsSsl();
    m_thread = std::thread([state = m_state] { run(state); });
    std::unique_lock lock(m_state->mutex);
    m_state->changed.wait(lock, [this] { return m_state->qthread != nullptr; });
}

EventLoopThread::~EventLoopThread()
{
    stop();
}

void EventLoopThread::run(const std::shared_ptr<State>& state)
{
    TerminationSignals::blockInThisThread();
    QThread::currentThread()->setObjectName(state->name);
    // The name tools show (top -H, /proc/PID/task/TID/comm): at most 15 bytes.
    ::pthread_setname_np(::pthread_self(), state->name.toUtf8().left(15).constData());
    {
        QEventLoop loop;
        bool quit = false;
        {
            std::lock_guard lock(state->mutex);
            state->qthread = QThread::currentThread();
            state->loop = &loop;
            quit = state->quitRequested;
        }
        state->changed.notify_all();
        if (!quit)
            loop.exec();
        std::lock_guard lock(state->mutex);
        state->loop = nullptr;
    }
    // Deleted here, where they live, so their sockets and timers end on their own thread.
    while (!state->objects.empty())
        state->objects.pop_back();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    {
        std::lock_guard lock(state->mutex);
        state->finished = true;
    }
    state->changed.notify_all();
}

void EventLoopThread::adoptObject(std::unique_ptr<QObject> object)
{
    object->moveToThread(m_state->qthread);
    QObject* raw = object.release();
    // Recorded on the thread itself, which alone touches the list once it runs.
    QMetaObject::invokeMethod(
        raw, [state = m_state.get(), raw] { state->objects.emplace_back(raw); },
        Qt::BlockingQueuedConnection);
}

void EventLoopThread::quit()
{
    std::lock_guard lock(m_state->mutex);
    m_state->quitRequested = true;
    if (m_state->loop)
        QMetaObject::invokeMethod(m_state->loop, &QEventLoop::quit, Qt::QueuedConnection);
}

bool EventLoopThread::stop(std::chrono::milliseconds deadline)
{
    if (!m_thread.joinable())
        return true;
    quit();
    std::unique_lock lock(m_state->mutex);
    if (!m_state->changed.wait_for(lock, deadline, [this] { return m_state->finished; })) {
        lock.unlock();
        qCCritical(lcThread, "thread %s did not stop within %lld ms; leaving it",
                   qPrintable(m_state->name), qlonglong(deadline.count()));
        m_thread.detach();
        return false;
    }
    lock.unlock();
    // It only has its thread-local destructors left to run.
    m_thread.join();
    return true;
}

} // namespace echw
