#pragma once

#include "inbound/InboundContext.h"
#include "metrics/MetricsRegistry.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

namespace echw {

class InboundSession;
class SocketStream;

// One accepted local connection: waits for its first bytes, picks the protocol from them and
// runs the matching session until it ends.
class InboundConnection final : public QObject {
    Q_OBJECT
public:
    // Keeps `context` (and what it points into) until it is destroyed.
    InboundConnection(std::unique_ptr<SocketStream> client,
                      std::shared_ptr<const InboundContext> context, QObject* parent = nullptr);
    ~InboundConnection() override;

    void start();
    // Ends it at once, its session too (the handshake budget drops the oldest this way);
    // finished() follows before this returns.
    void drop();
    bool isEstablished() const { return m_established; }

Q_SIGNALS:
    // Its first request is complete; from now on it counts as established, not handshaking.
    void established();
    void finished();

private:
    void onFirstBytes();
    void close();

    // Declared first: the session and streams below go before what they use.
    std::shared_ptr<const InboundContext> m_contextOwner;
    const InboundContext& m_context;
    std::unique_ptr<SocketStream> m_client;
    std::unique_ptr<InboundSession> m_session;
    QTimer m_deadline;
    bool m_closed = false;
    bool m_established = false;
    // The protocol it was counted under in the metrics, once sniffed.
    std::optional<MetricsRegistry::Inbound> m_countedAs;
};

} // namespace echw
