#include "NameLookup.h"

#include <QMetaObject>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <pthread.h>
#include <thread>

namespace echw {

namespace detail {

struct NameLookupRequest {
    QString host;
    std::mutex mutex;
    // Where the answer goes; null once the lookup is cancelled or answered. Read by the
    // lookup thread only under `mutex`, and it posts to it under `mutex` too, so the
    // requester's destructor (which clears it under `mutex`) never races a post.
    QObject* context = nullptr;
    // Touched only on the context's thread: whatever it captures is destroyed there.
    NameLookup::Callback callback;
};

} // namespace detail

namespace {

using Request = detail::NameLookupRequest;

// Runs on the context's thread.
void deliver(const std::shared_ptr<Request>& request, const QHostInfo& info)
{
    NameLookup::Callback callback;
    {
        const std::lock_guard lock(request->mutex);
        if (!request->context)
            return;
        request->context = nullptr;
        callback = std::move(request->callback);
    }
    // A local copy: the callback may well destroy the NameLookup that holds the request.
    callback(info);
}

// The lookup threads: started on first use, alive until the process exits, so a lookup can
// never outlive them. They are detached and share their queue through a shared_ptr: a thread
// still inside the system resolver at exit keeps what it uses alive.
class LookupThreads {
public:
    static LookupThreads& instance()
    {
        static LookupThreads threads;
        return threads;
    }

    // False when too many lookups wait already.
    bool submit(const std::shared_ptr<Request>& request)
    {
        {
            const std::lock_guard lock(m_shared->mutex);
            if (int(m_shared->queue.size()) >= NameLookup::kMaxWaiting) {
                std::erase_if(m_shared->queue,
                              [](const auto& waiting) { return waiting.expired(); });
                if (int(m_shared->queue.size()) >= NameLookup::kMaxWaiting)
                    return false;
            }
            m_shared->queue.push_back(request);
        }
        m_shared->wake.notify_one();
        return true;
    }

    ~LookupThreads()
    {
        std::unique_lock lock(m_shared->mutex);
        m_shared->stopping = true;
        m_shared->wake.notify_all();
        // A thread blocked in the system resolver is left to finish on its own: exit does not
        // wait for a DNS timeout.
        m_shared->idle.wait_for(lock, std::chrono::seconds(2),
                                [this] { return m_shared->running == 0; });
    }

private:
    struct Shared {
        std::mutex mutex;
        std::condition_variable wake;
        std::condition_variable idle;
        // Weak: a lookup cancelled while it waits is skipped, not run.
        std::deque<std::weak_ptr<Request>> queue;
        bool stopping = false;
        int running = 0;
    };

    LookupThreads()
        : m_shared(std::make_shared<Shared>())
    {
        m_shared->running = NameLookup::kThreads;
        for (int i = 0; i < NameLookup::kThreads; ++i)
            std::thread(&LookupThreads::work, m_shared).detach();
    }

    static void work(std::shared_ptr<Shared> shared)
    {
        // Otherwise it inherits the name of whichever thread looked up first.
        pthread_setname_np(pthread_self(), "echw-lookup");
        for (;;) {
            std::shared_ptr<Request> request;
            {
                std::unique_lock lock(shared->mutex);
                shared->wake.wait(lock, [&] { return shared->stopping || !shared->queue.empty(); });
                if (shared->stopping)
                    break;
                request = shared->queue.front().lock();
                shared->queue.pop_front();
            }
            if (!request)
                continue;
            const QHostInfo info = QHostInfo::fromName(request->host);
            const std::lock_guard lock(request->mutex);
            if (request->context)
                QMetaObject::invokeMethod(
                    request->context, [request, info] { deliver(request, info); },
                    Qt::QueuedConnection);
        }
        const std::lock_guard lock(shared->mutex);
        --shared->running;
        shared->idle.notify_all();
    }

    std::shared_ptr<Shared> m_shared;
};

} // namespace

NameLookup::NameLookup(const QString& host, QObject* context, Callback callback)
    : m_request(std::make_shared<Request>())
{
    m_request->host = host;
    m_request->context = context;
    m_request->callback = std::move(callback);
    if (!LookupThreads::instance().submit(m_request)) {
        QHostInfo refused;
        refused.setHostName(host);
        refused.setError(QHostInfo::HostNotFound);
        refused.setErrorString(
            QStringLiteral("too many name lookups waiting (%1)").arg(kMaxWaiting));
        QMetaObject::invokeMethod(
            context, [request = m_request, refused] { deliver(request, refused); },
            Qt::QueuedConnection);
    }
}

NameLookup::~NameLookup()
{
    {
        const std::lock_guard lock(m_request->mutex);
        m_request->context = nullptr;
    }
    // On the context's thread, where it belongs; the lookup thread never touches it.
    m_request->callback = {};
}

} // namespace echw
