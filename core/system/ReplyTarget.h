#pragma once

#include <QMetaObject>
#include <QObject>

#include <memory>
#include <mutex>
#include <utility>

namespace echw {

// Where another thread may post work for an object's thread, for as long as that object
// wants it: the object keeps the ReplyTarget as a member and the other thread a shared_ptr
// to it. Posting and cancelling take the same mutex, so once cancel() (or the destructor) has
// returned on the object's thread nothing more is posted, and what is posted runs on the
// object's thread, where it may touch the object. Work posted earlier and not run yet is
// discarded with the object by Qt.
class ReplyTarget final {
public:
    explicit ReplyTarget(QObject* receiver)
        : m_receiver(receiver)
    {}
    ReplyTarget(const ReplyTarget&) = delete;
    ReplyTarget& operator=(const ReplyTarget&) = delete;

    // Any thread. False when the receiver is gone (the work is dropped).
    template <typename Work> bool post(Work&& work)
    {
        const std::lock_guard lock(m_mutex);
        if (!m_receiver)
            return false;
        QMetaObject::invokeMethod(m_receiver, std::forward<Work>(work), Qt::QueuedConnection);
        return true;
    }

    // On the receiver's thread, before the receiver goes.
    void cancel()
    {
        const std::lock_guard lock(m_mutex);
        m_receiver = nullptr;
    }

private:
    std::mutex m_mutex;
    QObject* m_receiver;
};

// Owns a ReplyTarget for `receiver` and cancels it on destruction: the member to keep.
class ReplyTargetHandle final {
public:
    explicit ReplyTargetHandle(QObject* receiver)
        : m_target(std::make_shared<ReplyTarget>(receiver))
    {}
    ~ReplyTargetHandle() { m_target->cancel(); }
    ReplyTargetHandle(const ReplyTargetHandle&) = delete;
    ReplyTargetHandle& operator=(const ReplyTargetHandle&) = delete;

    const std::shared_ptr<ReplyTarget>& get() const { return m_target; }

private:
    std::shared_ptr<ReplyTarget> m_target;
};

} // namespace echw
