#include "StreamListener.h"

#include "net/SocketStream.h"

namespace echw {

StreamListener::StreamListener(Handler handler, QObject* parent)
    : QTcpServer(parent)
    , m_handler(std::move(handler))
{
    setListenBacklogSize(kListenBacklog);
}

void StreamListener::incomingConnection(qintptr descriptor)
{
    m_handler(std::make_unique<SocketStream>(int(descriptor)));
}

} // namespace echw
