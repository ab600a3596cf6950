#pragma once

#include "http/HttpRequestHeadReader.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QObject>

#include <chrono>
#include <functional>
#include <memory>

class QTcpServer;

namespace echw {

// The Prometheus endpoint: HTTP/1.1 on its own port, GET /metrics and nothing else, one
// request per connection. Every connection has a deadline and the shared cap on its request
// head (http::HeadLimits), and
// only a few are served at once, so a slow or hostile client costs little.
class MetricsServer final : public QObject {
    Q_OBJECT
public:
    using Render = std::function<QByteArray()>;

    static constexpr std::chrono::milliseconds kDeadline{5'000};
    static constexpr qsizetype kMaxRequestHead = http::HeadLimits{}.maxBytes;
    static constexpr int kMaxConnections = 16;

    explicit MetricsServer(Render render, std::chrono::milliseconds deadline = kDeadline,
                           QObject* parent = nullptr);
    ~MetricsServer() override;

    bool listen(const QHostAddress& address, quint16 port);
    QString errorString() const;
    QHostAddress serverAddress() const;
    quint16 serverPort() const;

    // The whole response to one request head (request line and field lines, each ending in
    // CRLF, then the empty line), read by core/http's RequestHeadReader: 200 with the
    // exposition for GET (or HEAD) /metrics, 404 for another path, 405 for another method, and
    // what the shared layer answers for a head it refuses (400, 414, 431, 505).
    static QByteArray respond(QByteArrayView head, const Render& render);
    static QByteArray answer(const http::RequestHead& request, const Render& render);

private:
    void onNewConnection();

    Render m_render;
    std::chrono::milliseconds m_deadline;
    std::unique_ptr<QTcpServer> m_server;
    int m_open = 0;
};

} // namespace echw
