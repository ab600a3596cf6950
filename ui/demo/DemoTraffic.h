#pragma once

#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

class QTcpSocket;

namespace echw {

// Real traffic for the demo: a few downloads from the local demo website through the running
// proxy as HTTP proxy requests, each read at its own pace so connections stay open long
// enough to watch, replaced as they finish. Pacing is the socket's read buffer: when it is
// full Qt stops reading, and the proxy's backpressure carries that back to the website.
class DemoTraffic final : public QObject {
    Q_OBJECT
public:
    static constexpr int kConcurrent = 4;

    explicit DemoTraffic(QObject* parent = nullptr);
    ~DemoTraffic() override;

    void start(const QString& proxyHost, quint16 proxyPort, quint16 originPort);
    void stop();
    bool isRunning() const { return m_tick.isActive(); }
    // Downloads that received their whole body.
    quint64 completed() const { return m_completed; }

private:
    struct Download {
        std::unique_ptr<QTcpSocket> socket;
        qint64 bytesPerTick = 0;
        qint64 expected = 0; // body bytes
        qint64 received = 0; // response bytes, head included
    };

    void tick();
    void launch();

    QTimer m_tick;
    std::vector<Download> m_downloads;
    QString m_proxyHost;
    quint16 m_proxyPort = 0;
    quint16 m_originPort = 0;
    quint64 m_launched = 0;
    quint64 m_completed = 0;
};

} // namespace echw
