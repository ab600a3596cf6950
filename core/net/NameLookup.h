#pragma once

#include <QHostInfo>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace echw {

namespace detail {
struct NameLookupRequest;
}

// One name resolved by the system resolver (QHostInfo::fromName) on the process's own lookup
// threads, which outlive every engine thread. The answer comes back as a queued call on the
// thread of `context`, through state shared with the worker, so no object of the requester's
// thread is ever touched from another thread; destroying the NameLookup first cancels it and
// the callback is never called.
//
// Why not QHostInfo::lookupHost: its result object is moved to the receiver's thread from
// Qt's pool thread, and a lookup finishing after that thread has ended wrote into memory the
// thread had freed (heap corruption when an engine thread stopped under load).
//
// Keep the NameLookup a member (or child) of `context`, so it goes before `context` does.
class NameLookup final {
public:
    using Callback = std::function<void(const QHostInfo&)>;

    // Most lookups waiting for a thread at once; past it a lookup fails at once with
    // HostNotFound and says why (the bound on what waiting requests can hold).
    static constexpr int kMaxWaiting = 4096;
    // Lookups that run at the same time; the rest wait their turn.
    static constexpr int kThreads = 8;

    NameLookup(const QString& host, QObject* context, Callback callback);
    ~NameLookup();

    NameLookup(const NameLookup&) = delete;
    NameLookup& operator=(const NameLookup&) = delete;

private:
    std::shared_ptr<detail::NameLookupRequest> m_request;
};

} // namespace echw
