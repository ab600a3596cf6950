#include "StreamRelay.h"

#include "metrics/ConnectionRegistry.h"
#include "net/ByteStream.h"

namespace echw {

StreamRelay::StreamRelay(std::unique_ptr<ByteStream> client, std::unique_ptr<ByteStream> upstream,
                         QObject* parent)
    : QObject(parent)
    , m_client(std::move(client))
    , m_upstream(std::move(upstream))
    , m_up(std::make_unique<StreamPump>(m_client.get(), m_upstream.get()))
    , m_down(std::make_unique<StreamPump>(m_upstream.get(), m_client.get()))
{
    connect(m_up.get(), &StreamPump::finished, this, &StreamRelay::checkDone);
    connect(m_down.get(), &StreamPump::finished, this, &StreamRelay::checkDone);
    connect(m_client.get(), &ByteStream::failed, this,
            [this](const QString& reason) { fail(QStringLiteral("client: ") + reason); });
    connect(m_upstream.get(), &ByteStream::failed, this,
            [this](const QString& reason) { fail(QStringLiteral("upstream: ") + reason); });
}

StreamRelay::~StreamRelay() = default;

void StreamRelay::countInto(TrafficCounters* counters)
{
    m_up->countInto(&counters->up);
    m_down->countInto(&counters->down);
}

void StreamRelay::abort(const QString& reason)
{
    fail(reason);
}

void StreamRelay::start()
{
    m_up->start();
    m_down->start();
}

void StreamRelay::checkDone()
{
    if (m_done || !m_up->isFinished() || !m_down->isFinished())
        return;
    m_done = true;
    m_client->abort();
    m_upstream->abort();
    Q_EMIT finished(QString());
}

void StreamRelay::fail(const QString& reason)
{
    if (m_done)
        return;
    m_done = true;
    m_client->abort();
    m_upstream->abort();
    Q_EMIT finished(reason);
}

} // namespace echw
