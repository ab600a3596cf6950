#include "DemoTraffic.h"

#include <QTcpSocket>

#include <algorithm>

namespace echw {

namespace {

constexpr auto kTickInterval = std::chrono::milliseconds(100);

} // namespace

DemoTraffic::DemoTraffic(QObject* parent)
    : QObject(parent)
{
    m_tick.setInterval(kTickInterval);
    connect(&m_tick, &QTimer::timeout, this, &DemoTraffic::tick);
}

DemoTraffic::~DemoTraffic()
{
    stop();
}

void DemoTraffic::start(const QString& proxyHost, quint16 proxyPort, quint16 originPort)
{
    stop();
    m_proxyHost = proxyHost;
    m_proxyPort = proxyPort;
    m_originPort = originPort;
    m_tick.start();
    tick();
}

void DemoTraffic::stop()
{
    m_tick.stop();
    for (Download& download : m_downloads)
        download.socket->abort();
    m_downloads.clear();
}

void DemoTraffic::tick()
{
    // read(), not skip(): only a read makes Qt resume reading a socket whose buffer was full.
    for (Download& download : m_downloads)
        download.received += download.socket->read(download.bytesPerTick).size();
    const auto done = std::remove_if(m_downloads.begin(), m_downloads.end(), [this](auto& d) {
        if (d.socket->state() != QAbstractSocket::UnconnectedState || d.socket->bytesAvailable())
            return false;
        // Connection: close, so the body ends with the connection.
        if (d.received >= d.expected)
            ++m_completed;
        return true;
    });
    m_downloads.erase(done, m_downloads.end());
    // One new download per tick at most, so a failing proxy is not flooded with retries.
    if (m_downloads.size() < std::size_t(kConcurrent))
        launch();
}

void DemoTraffic::launch()
{
    // Sizes and paces vary so the connection list and the chart have something to show:
    // between about 0.6 and 5 MB/s, three to seven seconds each.
    const quint64 n = m_launched++;
    Download download;
    download.bytesPerTick = 64 * 1024 * qint64(1 + n % 8);
    download.expected = download.bytesPerTick * 10 * qint64(3 + n % 5);
    download.socket = std::make_unique<QTcpSocket>();
    download.socket->setReadBufferSize(download.bytesPerTick);
    download.socket->connectToHost(m_proxyHost, m_proxyPort);
    // An HTTP proxy request in absolute form: through Qt's SOCKS5 socket engine, a download
    // paced by a limited read buffer stalled for good once the buffer had filled.
    download.socket->write(QStringLiteral("GET http://localhost:%3/bytes/%1?seed=%2 HTTP/1.1\r\n"
                                          "Host: localhost:%3\r\nConnection: close\r\n\r\n")
                               .arg(download.expected)
                               .arg(n)
                               .arg(m_originPort)
                               .toLatin1());
    m_downloads.push_back(std::move(download));
}

} // namespace echw
