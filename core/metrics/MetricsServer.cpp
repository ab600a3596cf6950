#include "MetricsServer.h"

#include "http/HttpRequestHeadReader.h"
#include "metrics/PrometheusText.h"

#include <QLoggingCategory>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace echw {

Q_LOGGING_CATEGORY(lcMetrics, "echw.metrics")

namespace {

QByteArray response(QByteArrayView status, QByteArrayView contentType, const QByteArray& body,
                    bool withBody = true, QByteArrayView extraFields = {})
{
    QByteArray out = "HTTP/1.1 " + status.toByteArray() + "\r\n";
    out += "Content-Type: " + contentType.toByteArray() + "\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += extraFields.toByteArray();
    out += "Cache-Control: no-store\r\nConnection: close\r\n\r\n";
    if (withBody)
        out += body;
    return out;
}

QByteArray plain(QByteArrayView status, QByteArrayView extraFields = {})
{
    return response(status, "text/plain; charset=utf-8", status.toByteArray() + '\n', true,
                    extraFields);
}

// The answer to a request the shared HTTP layer refused.
QByteArray refused(const http::Error& error)
{
    switch (error.status) {
    case 414:
        return plain("414 URI Too Long");
    case 431:
        return plain("431 Request Header Fields Too Large");
    case 505:
        return plain("505 HTTP Version Not Supported");
    default:
        return plain("400 Bad Request");
    }
}

} // namespace

// One connection: its request head, read up to the cap, then the answer and the close.
class MetricsExchange final : public QObject {
public:
    MetricsExchange(QTcpSocket* socket, const MetricsServer::Render& render,
                    std::chrono::milliseconds deadline)
        : QObject(socket)
        , m_socket(socket)
        , m_render(render)
    {
        m_deadline.setSingleShot(true);
        connect(&m_deadline, &QTimer::timeout, this, [this] {
            qCDebug(lcMetrics, "closing a metrics connection: its deadline passed");
            m_socket->abort();
        });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, this, &MetricsExchange::onReadyRead);
        m_deadline.start(deadline);
    }

private:
    void onReadyRead()
    {
        if (m_answered) {
            m_socket->readAll();
            return;
        }
        // Read in pieces no larger than the head may be, so the reader's buffer stays within
        // its limit; every piece is taken now, since readyRead does not come again for bytes
        // already buffered.
        QByteArray answer;
        switch (m_reader.append(m_socket->read(MetricsServer::kMaxRequestHead))) {
        case http::RequestHeadReader::Status::NeedMore:
            if (m_socket->bytesAvailable() > 0)
                QMetaObject::invokeMethod(this, &MetricsExchange::onReadyRead,
                                          Qt::QueuedConnection);
            return;
        case http::RequestHeadReader::Status::Failed:
            answer = refused(m_reader.error());
            break;
        case http::RequestHeadReader::Status::Complete:
            answer = MetricsServer::answer(m_reader.head(), m_render);
            break;
        }
        m_answered = true;
        m_socket->write(answer);
        // Closes once the answer is out; the deadline still bounds a client that never reads.
        m_socket->disconnectFromHost();
    }

    QTcpSocket* m_socket;
    const MetricsServer::Render& m_render;
    QTimer m_deadline;
    http::RequestHeadReader m_reader;
    bool m_answered = false;
};

QByteArray MetricsServer::respond(QByteArrayView head, const Render& render)
{
    http::RequestHeadReader reader;
    switch (reader.append(head)) {
    case http::RequestHeadReader::Status::NeedMore:
        return plain("400 Bad Request");
    case http::RequestHeadReader::Status::Failed:
        return refused(reader.error());
    case http::RequestHeadReader::Status::Complete:
        break;
    }
    return answer(reader.head(), render);
}

QByteArray MetricsServer::answer(const http::RequestHead& request, const Render& render)
{
    const bool headOnly = request.method == "HEAD";
    if (request.method != "GET" && !headOnly)
        return plain("405 Method Not Allowed", "Allow: GET, HEAD\r\n");
    if (request.target != "/metrics" && !request.target.startsWith("/metrics?"))
        return plain("404 Not Found");
    return response("200 OK", prometheus::kContentType, render(), !headOnly);
}

MetricsServer::MetricsServer(Render render, std::chrono::milliseconds deadline, QObject* parent)
    : QObject(parent)
    , m_render(std::move(render))
    , m_deadline(deadline)
    , m_server(std::make_unique<QTcpServer>())
{
    connect(m_server.get(), &QTcpServer::newConnection, this, &MetricsServer::onNewConnection);
}

MetricsServer::~MetricsServer() = default;

bool MetricsServer::listen(const QHostAddress& address, quint16 port)
{
    return m_server->listen(address, port);
}

QString MetricsServer::errorString() const
{
    return m_server->errorString();
}

QHostAddress MetricsServer::serverAddress() const
{
    return m_server->serverAddress();
}

quint16 MetricsServer::serverPort() const
{
    return m_server->serverPort();
}

void MetricsServer::onNewConnection()
{
    while (QTcpSocket* socket = m_server->nextPendingConnection()) {
        if (m_open >= kMaxConnections) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        ++m_open;
        // Owned by the socket, which is a child of m_server: gone with the server at the latest.
        auto* exchange = new MetricsExchange(socket, m_render, m_deadline);
        connect(exchange, &QObject::destroyed, this, [this] { --m_open; });
    }
}

} // namespace echw
