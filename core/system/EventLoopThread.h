#pragma once

#include <QObject>
#include <QString>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

class QEventLoop;
class QThread;

namespace echw {

// An event loop on a thread of its own, for objects handed to it. Unlike QThread, whose wait()
// returns while the thread is still running its thread-local destructors (OpenSSL frees its
// per-thread state there), stop() joins the thread: once it returns, nothing of the thread is
// left running, so the process can exit or its libraries clean up without a race.
//
// Objects given with adopt() live on the thread and are deleted there, in reverse order, after
// the loop ends. Termination signals are blocked on the thread (TerminationSignals).
class EventLoopThread final {
public:
    explicit EventLoopThread(const QString& name);
    ~EventLoopThread(); // stop() with the default deadline
    EventLoopThread(const EventLoopThread&) = delete;
    EventLoopThread& operator=(const EventLoopThread&) = delete;

    static constexpr std::chrono::milliseconds kStopDeadline{5000};

    const QString& name() const { return m_state->name; }
    // Moves `object` (parentless, on the calling thread) to this thread, which owns it from now
    // on. Returns it for queued calls; it is valid until stop().
    template <typename T> T* adopt(std::unique_ptr<T> object)
    {
        T* raw = object.get();
        adoptObject(std::unique_ptr<QObject>(std::move(object)));
        return raw;
    }

    // Asks the loop to end, without waiting.
    void quit();
    // Ends the loop, deletes the adopted objects on the thread and joins it. Returns false
    // when the thread did not end within `deadline`: it is then detached and left to finish
    // on its own (its objects with it), which is said in the log.
    bool stop(std::chrono::milliseconds deadline = kStopDeadline);

private:
    // What the thread uses, shared with it: a thread left running after a timed-out stop()
    // keeps it alive on its own.
    struct State {
        QString name;
        std::mutex mutex;
        std::condition_variable changed;
        QThread* qthread = nullptr; // Qt's view of the thread, set once it runs
        QEventLoop* loop = nullptr; // set while the loop runs
        bool quitRequested = false;
        bool finished = false;
        std::vector<std::unique_ptr<QObject>> objects; // touched on the thread only
    };

    static void run(const std::shared_ptr<State>& state);
    void adoptObject(std::unique_ptr<QObject> object);

    std::shared_ptr<State> m_state;
    std::thread m_thread;
};

} // namespace echw
