#include "DirectConnector.h"

#include "net/SocketStream.h"
#include "net/TcpDialer.h"

namespace echw {

DirectConnector::DirectConnector(std::chrono::milliseconds timeout)
    : m_timeout(timeout)
{}

std::unique_ptr<QObject> DirectConnector::open(const TargetAddress& target, QByteArray earlyData,
                                               Callback callback, ConnectionEntry*)
{
    auto dialer = std::make_unique<TcpDialer>(
        target, m_timeout,
        [earlyData = std::move(earlyData),
         callback = std::move(callback)](TcpDialer::Result result) {
            if (auto* stream = std::get_if<std::unique_ptr<SocketStream>>(&result)) {
                (*stream)->write(earlyData);
                callback(std::unique_ptr<ByteStream>(std::move(*stream)));
                return;
            }
            callback(std::get<ConnectError>(std::move(result)));
        });
    dialer->start();
    return dialer;
}

} // namespace echw
