#include "InboundSession.h"

#include "metrics/ConnectionRegistry.h"
#include "net/ByteStream.h"

#include <QLoggingCategory>

namespace echw {

Q_LOGGING_CATEGORY(lcInbound, "echw.inbound")

InboundSession::InboundSession(std::unique_ptr<ByteStream> client, const InboundContext& context,
                               QObject* parent)
    : QObject(parent)
    , m_client(std::move(client))
    , m_context(context)
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] { onDeadline(m_deadlineWhat); });
}

InboundSession::~InboundSession() = default;

void InboundSession::closeNow()
{
    qCInfo(lcInbound, "closing a client connection on request");
    finish();
}

ConnectionEntry* InboundSession::listConnection(const QString& inbound, const TargetAddress& target)
{
    if (!m_context.registry)
        return nullptr;
    if (m_entry) {
        m_entry->setTarget(target);
    } else {
        m_entry = m_context.registry->add(inbound, target);
        m_entry->setCloser([this] { closeNow(); });
    }
    return m_entry.get();
}

void InboundSession::armDeadline(std::chrono::milliseconds timeout, const char* what)
{
    m_deadlineWhat = what;
    m_deadline.start(timeout);
}

void InboundSession::requestReceived()
{
    m_deadline.stop();
    if (!std::exchange(m_established, true))
        Q_EMIT established();
}

void InboundSession::onDeadline(const char* what)
{
    qCInfo(lcInbound, "closing a client connection: %s timed out", what);
    finish();
}

void InboundSession::replyAndClose(const QByteArray& reply)
{
    if (m_closing || m_finished)
        return;
    m_closing = true;
    if (!m_client) {
        finish();
        return;
    }
    m_client->setReadPaused(true);
    m_client->write(reply);
    connect(m_client.get(), &ByteStream::writeFinished, this, &InboundSession::finish);
    connect(m_client.get(), &ByteStream::failed, this, &InboundSession::finish);
    m_client->finishWrite();
    armDeadline(m_context.lingerTimeout, "sending the final reply");
}

void InboundSession::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_deadline.stop();
    if (m_client)
        m_client->abort();
    Q_EMIT finished();
}

} // namespace echw
