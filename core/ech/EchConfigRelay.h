#pragma once

#include "ech/EchConfigSource.h"
#include "system/ReplyTarget.h"

#include <QObject>
#include <QPointer>

#include <unordered_map>

namespace echw {

class EchConfigProvider;

// One engine thread's way to the proxy's one EchConfigProvider, which lives on another thread
// (the runtime's): every call is queued to the provider, and answers come back on this thread
// through a ReplyTarget, so all threads share one DoH fetch, one cache and every retry-config
// update, and an answer can never reach an engine thread that is gone.
//
// Made and used on the engine thread. Calls reach the provider through `providerTarget`, which
// its owner cancels before deleting it, so a relay on a thread that outlived the runtime (a
// stop past its deadline) reaches nothing.
class EchConfigRelay final : public EchConfigSource {
public:
    EchConfigRelay(std::shared_ptr<ReplyTarget> providerTarget, EchConfigProvider* provider);
    ~EchConfigRelay() override;

    void get(QObject* context, Callback callback) override;
    void replaceWithRetryConfigs(const QByteArray& configs) override;
    void invalidate() override;

private:
    struct Waiter {
        QPointer<QObject> context;
        Callback callback;
    };
    void answered(quint64 id, Result result);

    std::shared_ptr<ReplyTarget> m_providerTarget;
    EchConfigProvider* m_provider; // used only in work posted through m_providerTarget
    // Only ids cross threads: what the callers gave stays here, on their thread.
    std::unordered_map<quint64, Waiter> m_waiting;
    quint64 m_nextId = 0;
    QObject m_receiver; // on the engine thread: where answers land
    ReplyTargetHandle m_replies{&m_receiver};
};

} // namespace echw
