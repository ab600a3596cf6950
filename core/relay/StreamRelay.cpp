#include "StreamRelay.h"

#include "metrics/ConnectionRegistry.h"
#include "net/Handover.h"
#include "net/SocketStream.h"

namespace echw {

namespace {

const QString kClient = QStringLiteral("client");
const QString kUpstream = QStringLiteral("upstream");

} // namespace

StreamRelay::StreamRelay(std::unique_ptr<ByteStream> client, std::unique_ptr<ByteStream> upstream,
                         QObject* parent)
    : QObject(parent)
    , m_client(std::move(client))
    , m_upstream(std::move(upstream))
{
    setUpSplice(m_up, m_client.get(), m_upstream.get(), kClient, kUpstream);
    if (m_up.splice)
        setUpSplice(m_down, m_upstream.get(), m_client.get(), kUpstream, kClient);
    if (!m_down.splice && m_up.splice)
        m_up.splice.reset();
    if (!m_up.splice) {
        setUpCopy(m_up, m_client.get(), m_upstream.get());
        setUpCopy(m_down, m_upstream.get(), m_client.get());
    }
    connect(m_client.get(), &ByteStream::failed, this,
            [this](const QString& reason) { fail(kClient + QStringLiteral(": ") + reason); });
    connect(m_upstream.get(), &ByteStream::failed, this,
            [this](const QString& reason) { fail(kUpstream + QStringLiteral(": ") + reason); });
}

StreamRelay::~StreamRelay() = default;

void StreamRelay::setUpSplice(Direction& direction, ByteStream* source, ByteStream* sink,
                              const QString& sourceName, const QString& sinkName)
{
    auto* sourceSocket = qobject_cast<SocketStream*>(source);
    auto* sinkSocket = qobject_cast<SocketStream*>(sink);
    if (!sourceSocket || !sinkSocket)
        return;
    auto pump = std::make_unique<SplicePump>(sourceSocket, sinkSocket);
    if (!pump->open())
        return;
    connect(pump.get(), &SplicePump::finished, this, &StreamRelay::checkDone);
    connect(pump.get(), &SplicePump::failed, this,
            [this, sourceName, sinkName](SplicePump::Side side, const QString& reason) {
                fail((side == SplicePump::Side::Source ? sourceName : sinkName) +
                     QStringLiteral(": ") + reason);
            });
    connect(pump.get(), &SplicePump::unsupported, this, [this, &direction, source, sink] {
        // Nothing has moved yet: the copy path takes over from the same place.
        dropLater(direction.splice);
        setUpCopy(direction, source, sink);
        direction.copy->start();
    });
    direction.splice = std::move(pump);
}

void StreamRelay::setUpCopy(Direction& direction, ByteStream* source, ByteStream* sink)
{
    direction.copy = std::make_unique<StreamPump>(source, sink);
    if (direction.counter)
        direction.copy->countInto(direction.counter);
    connect(direction.copy.get(), &StreamPump::finished, this, &StreamRelay::checkDone);
}

void StreamRelay::countInto(TrafficCounters* counters)
{
    m_up.counter = &counters->up;
    m_down.counter = &counters->down;
    for (Direction* direction : {&m_up, &m_down}) {
        if (direction->copy)
            direction->copy->countInto(direction->counter);
        else
            direction->splice->countInto(direction->counter);
    }
}

StreamRelay::Mode StreamRelay::mode() const
{
    return m_up.splice && m_down.splice ? Mode::Splice : Mode::Copy;
}

void StreamRelay::abort(const QString& reason)
{
    fail(reason);
}

void StreamRelay::start()
{
    if (m_started)
        return;
    m_started = true;
    for (Direction* direction : {&m_up, &m_down}) {
        if (m_done)
            return;
        if (direction->copy)
            direction->copy->start();
        else
            direction->splice->start();
    }
}

void StreamRelay::checkDone()
{
    if (m_done || !m_up.isFinished() || !m_down.isFinished())
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
