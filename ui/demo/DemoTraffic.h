#pragma once

#include <QNetworkAccessManager>
#include <QObject>
#include <QTimer>

#include <vector>

class QNetworkReply;

namespace echw {

// Real traffic for the demo: a few downloads from the local demo website through the running
// proxy, each read at its own pace so connections stay open long enough to watch, replaced as
// they finish. Reading slowly is enough: Qt stops reading from the socket when the reply's
// buffer is full, and the proxy's backpressure carries that to the website.
class DemoTraffic final : public QObject {
    Q_OBJECT
public:
    static constexpr int kConcurrent = 4;

    explicit DemoTraffic(QObject* parent = nullptr);
    ~DemoTraffic() override;

    void start(const QString& proxyHost, quint16 proxyPort, quint16 originPort);
    void stop();
    bool isRunning() const { return m_tick.isActive(); }
    quint64 completed() const { return m_completed; }

private:
    struct Download {
        QNetworkReply* reply; // owned by m_network until deleteLater
        qint64 bytesPerTick;
    };

    void tick();
    void launch();

    QNetworkAccessManager m_network;
    QTimer m_tick;
    std::vector<Download> m_downloads;
    quint16 m_originPort = 0;
    quint64 m_launched = 0;
    quint64 m_completed = 0;
};

} // namespace echw
