#pragma once

#include <QTcpServer>

#include <functional>
#include <memory>

namespace echw {

class SocketStream;

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
