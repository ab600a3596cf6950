#include "EchConfigRelay.h"

#include "ech/EchConfigCache.h"

namespace echw {

EchConfigRelay::EchConfigRelay(std::shared_ptr<ReplyTarget> providerTarget,
                               EchConfigProvider* provider)
    : m_providerTarget(std::move(providerTarget))
    , m_provider(provider)
{}

EchConfigRelay::~EchConfigRelay() = default;

void EchConfigRelay::get(QObject* context, Callback callback)
{
    const quint64 id = ++m_nextId;
    m_waiting.emplace(id, Waiter{context, std::move(callback)});
    m_providerTarget->post([provider = m_provider, replies = m_replies.get(), relay = this, id] {
        provider->get(provider, [replies, relay, id](Result result) {
            // Runs only while the relay lives: its destructor cancels the target first.
            replies->post([relay, id, result = std::move(result)]() mutable {
                relay->answered(id, std::move(result));
            });
        });
    });
}

void EchConfigRelay::answered(quint64 id, Result result)
{
    const auto found = m_waiting.find(id);
    if (found == m_waiting.end())
        return;
    Waiter waiter = std::move(found->second);
    m_waiting.erase(found);
    if (waiter.context)
        waiter.callback(std::move(result));
}

void EchConfigRelay::replaceWithRetryConfigs(const QByteArray& configs)
{
    m_providerTarget->post(
        [provider = m_provider, configs] { provider->replaceWithRetryConfigs(configs); });
}

void EchConfigRelay::invalidate()
{
    m_providerTarget->post([provider = m_provider] { provider->invalidate(); });
}

} // namespace echw
