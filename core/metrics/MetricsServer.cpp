#include "MetricsServer.h"

#include "http/HttpSyntax.h"
#include "metrics/PrometheusText.h"

#include <QLoggingCategory>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>

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

// RFC 9112 section 3: method SP request-target SP HTTP-version.
bool validRequestLine(QByteArrayView line, QByteArrayView* method, QByteArrayView* target)
{
    const qsizetype first = line.indexOf(' ');
    if (first <= 0)
        return false;
    const qsizetype second = line.indexOf(' ', first + 1);
    if (second <= first + 1)
        return false;
    *method = line.first(first);
    *target = line.sliced(first + 1, second - first - 1);
    const QByteArrayView version = line.sliced(second + 1);
    return http::isToken(*method) &&
           std::all_of(target->begin(), target->end(), http::isVisibleAscii) &&
           (version == "HTTP/1.1" || version == "HTTP/1.0");
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
        m_head += m_socket->read(MetricsServer::kMaxRequestHead + 1 - m_head.size());
        const qsizetype end = m_head.indexOf("\r\n\r\n");
        QByteArray answer;
        if (end >= 0)
            answer = MetricsServer::respond(QByteArrayView(m_head).first(end + 4), m_render);
        else if (m_head.size() > MetricsServer::kMaxRequestHead)
            answer = plain("431 Request Header Fields Too Large");
        else
            return;
        m_answered = true;
        m_head.clear();
        m_socket->write(answer);
        // Closes once the answer is out; the deadline still bounds a client that never reads.
        m_socket->disconnectFromHost();
    }

    QTcpSocket* m_socket;
    const MetricsServer::Render& m_render;
    QTimer m_deadline;
    QByteArray m_head;
    bool m_answered = false;
};

QByteArray MetricsServer::respond(QByteArrayView head, const Render& render)
{
    if (!head.endsWith("\r\n\r\n"))
        return plain("400 Bad Request");
    QByteArrayView rest = head.first(head.size() - 2);
    QByteArrayView method;
    QByteArrayView target;
    bool first = true;
    while (!rest.isEmpty()) {
        const qsizetype end = rest.indexOf("\r\n");
        const QByteArrayView line = rest.first(end);
        rest = rest.sliced(end + 2);
        if (first) {
            first = false;
            if (!validRequestLine(line, &method, &target))
                return plain("400 Bad Request");
            continue;
        }
        const auto field = http::splitFieldLine(line);
        const auto* parsed = std::get_if<http::FieldLine>(&field);
        if (!parsed || !http::isFieldValue(parsed->value))
            return plain("400 Bad Request");
    }
    if (first)
        return plain("400 Bad Request");
    const bool headOnly = method == "HEAD";
    if (method != "GET" && !headOnly)
        return plain("405 Method Not Allowed", "Allow: GET, HEAD\r\n");
    if (target != "/metrics" && !target.startsWith("/metrics?"))
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
