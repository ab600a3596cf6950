#include "DemoTraffic.h"

#include <QNetworkProxy>
#include <QNetworkReply>

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
    m_network.setProxy(QNetworkProxy(QNetworkProxy::Socks5Proxy, proxyHost, proxyPort));
    m_originPort = originPort;
    m_tick.start();
    tick();
}

void DemoTraffic::stop()
{
    m_tick.stop();
    for (Download& download : m_downloads) {
        disconnect(download.reply, nullptr, this, nullptr);
        download.reply->abort();
        download.reply->deleteLater();
    }
    m_downloads.clear();
}

void DemoTraffic::tick()
{
    for (Download& download : m_downloads)
        download.reply->read(download.bytesPerTick);
    const auto done = std::remove_if(m_downloads.begin(), m_downloads.end(), [](const Download& d) {
        return d.reply->isFinished() && d.reply->bytesAvailable() == 0;
    });
    for (auto it = done; it != m_downloads.end(); ++it) {
        if (it->reply->error() == QNetworkReply::NoError)
            ++m_completed;
        it->reply->deleteLater();
    }
    m_downloads.erase(done, m_downloads.end());
    // One new download per tick at most, so a failing proxy is not flooded with retries.
    if (m_downloads.size() < std::size_t(kConcurrent))
        launch();
}

void DemoTraffic::launch()
{
    // Sizes and paces vary so the connection list and the chart have something to show:
    // between about 0.6 and 5 MB/s, a few seconds each.
    const quint64 n = m_launched++;
    const qint64 bytesPerTick = 64 * 1024 * qint64(1 + n % 8);
    const qint64 size = bytesPerTick * 10 * qint64(3 + n % 5);
    QNetworkRequest request(QUrl(
        QStringLiteral("http://localhost:%1/bytes/%2?seed=%3").arg(m_originPort).arg(size).arg(n)));
    QNetworkReply* reply = m_network.get(request);
    reply->setReadBufferSize(bytesPerTick);
    m_downloads.push_back({reply, bytesPerTick});
}

} // namespace echw
