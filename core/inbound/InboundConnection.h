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
    InboundConnection(std::unique_ptr<SocketStream> client, const InboundContext& context,
                      QObject* parent = nullptr);
    ~InboundConnection() override;

    void start();

Q_SIGNALS:
    void finished();

private:
    void onFirstBytes();
    void close();

    std::unique_ptr<SocketStream> m_client;
    std::unique_ptr<InboundSession> m_session;
    const InboundContext& m_context;
    QTimer m_deadline;
    bool m_closed = false;
    // The protocol it was counted under in the metrics, once sniffed.
    std::optional<MetricsRegistry::Inbound> m_countedAs;
};

} // namespace echw
