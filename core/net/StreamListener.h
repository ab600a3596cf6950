#pragma once

#include <QTcpServer>

#include <functional>
#include <memory>

namespace echw {

class SocketStream;

// Connections the kernel completes and queues before we accept them. Qt's default of 50
// drops the SYNs of a burst (a browser opening a page, a benchmark's 1000 clients, clients
// waiting at the connection limit), which then retry after one second or more. Linux clamps it
// to net.core.somaxconn.
constexpr int kListenBacklog = 4096;

// A listening TCP socket that hands each accepted connection over as a SocketStream.
class StreamListener final : public QTcpServer {
    Q_OBJECT
public:
    using Handler = std::function<void(std::unique_ptr<SocketStream>)>;

    explicit StreamListener(Handler handler, QObject* parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    Handler m_handler;
};

} // namespace echw
