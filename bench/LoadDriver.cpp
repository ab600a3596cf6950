#include "LoadDriver.h"

#include "ProcessStats.h"

#include <QStringList>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace echw::bench {

namespace {

constexpr qsizetype kReadBufferSize = 256 * 1024;
constexpr qsizetype kMaxHead = 16 * 1024;
constexpr int kReadsPerEvent = 4;
const QByteArray kEchoProbe = QByteArrayLiteral("bench\n");

QString errnoText(const char* what, int error)
{
    return QStringLiteral("%1: %2").arg(QLatin1StringView(what),
                                        QString::fromUtf8(strerror(error)));
}

} // namespace

struct LoadDriver::Connection {
    enum class Phase { Connecting, SocksMethod, SocksReply, Response, Body, Echo, Idle };

    int fd = -1;
    Phase phase = Phase::Connecting;
    Clock::time_point connectStart;
    Clock::time_point requestStart;
    double firstByteMs = -1;
    bool writesWatched = false;
    QByteArray out;
    qsizetype outOffset = 0;
    qint64 uploadLeft = 0;
    QByteArray in; // SOCKS replies, the response head, an upload's answer
    qint64 bodyLeft = 0;
};

qint64 LoadResult::errorCount() const
{
    qint64 count = 0;
    for (const auto& [reason, n] : errors)
        count += n;
    return count;
}

QString LoadResult::errorSummary() const
{
    QStringList parts;
    for (const auto& [reason, n] : errors)
        parts.append(QStringLiteral("%1 x %2").arg(n).arg(reason));
    return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
}

LoadDriver::LoadDriver()
    : m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_readBuffer(kReadBufferSize, Qt::Uninitialized)
    , m_uploadPattern(64 * 1024, 'u')
{}

LoadDriver::~LoadDriver()
{
    closeAll();
    ::close(m_epoll);
}

void LoadDriver::closeAll()
{
    for (auto& [key, connection] : m_connections)
        ::close(connection->fd);
    m_connections.clear();
    m_busy = 0;
    m_opening = 0;
}

bool LoadDriver::mayStart() const
{
    if (m_plan.transfers >= 0 && m_started >= m_plan.transfers)
        return false;
    return m_plan.duration.count() == 0 || Clock::now() - m_start < m_plan.duration;
}

LoadDriver::Clock::time_point LoadDriver::nextPacedStart() const
{
    if (m_plan.rate <= 0)
        return m_start;
    return m_start + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(double(m_started) / m_plan.rate));
}

LoadResult LoadDriver::run(const LoadPlan& plan)
{
    m_plan = plan;
    m_result = {};
    m_started = 0;
    m_start = Clock::now();
    const double cpuBefore = ownCpuSeconds();
    const auto deadline = m_start + plan.deadline;
    auto nextTick = m_start + plan.tickInterval;
    while (true) {
        while (m_busy < m_plan.concurrency && mayStart() &&
               (m_plan.maxOpening == 0 || m_opening < m_plan.maxOpening) &&
               Clock::now() >= nextPacedStart()) {
            open();
        }
        if (m_busy == 0 && !mayStart())
            break;
        const auto now = Clock::now();
        if (now >= deadline) {
            std::vector<Connection*> busy;
            for (auto& [key, connection] : m_connections) {
                if (connection->phase != Connection::Phase::Idle)
                    busy.push_back(key);
            }
            for (Connection* connection : busy)
                fail(*connection, QStringLiteral("deadline"));
            break;
        }
        if (m_plan.onTick && now >= nextTick) {
            m_plan.onTick();
            nextTick += m_plan.tickInterval;
        }
        auto wait = std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(100));
        if (m_plan.onTick)
            wait = std::min<Clock::duration>(wait, nextTick - now);
        if (m_plan.rate > 0)
            wait = std::min<Clock::duration>(
                wait, std::max<Clock::duration>(nextPacedStart() - now, Clock::duration(0)));
        serve(int(std::chrono::ceil<std::chrono::milliseconds>(wait).count()));
    }
    m_result.seconds = std::chrono::duration<double>(Clock::now() - m_start).count();
    m_result.driverCpuSeconds = ownCpuSeconds() - cpuBefore;
    return m_result;
}

void LoadDriver::idle(std::chrono::milliseconds time, LoadResult* result)
{
    const auto end = Clock::now() + time;
    m_result = {};
    while (Clock::now() < end)
        serve(int(std::chrono::ceil<std::chrono::milliseconds>(end - Clock::now()).count()));
    if (!result)
        return;
    for (const auto& [reason, n] : m_result.errors)
        result->errors[QStringLiteral("while idle: ") + reason] += n;
}

void LoadDriver::serve(int timeoutMs)
{
    epoll_event events[256];
    const int count = epoll_wait(m_epoll, events, 256, std::max(0, timeoutMs));
    for (int i = 0; i < count; ++i) {
        auto* connection = static_cast<Connection*>(events[i].data.ptr);
        if (connection->fd >= 0)
            handle(*connection, events[i].events);
    }
    m_closed.clear();
}

void LoadDriver::open()
{
    ++m_started;
    ++m_busy;
    ++m_opening;
    auto owned = std::make_unique<Connection>();
    Connection& connection = *owned;
    m_connections.emplace(owned.get(), std::move(owned));
    connection.connectStart = Clock::now();
    connection.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (connection.fd < 0) {
        const int error = errno;
        fail(connection, errnoText("socket", error));
        return;
    }
    const int one = 1;
    setsockopt(connection.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(m_plan.proxyPort ? m_plan.proxyPort : m_plan.originPort);
    epoll_event event{};
    event.events = EPOLLOUT;
    event.data.ptr = &connection;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, connection.fd, &event);
    connection.writesWatched = true;
    if (::connect(connection.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 &&
        errno != EINPROGRESS) {
        const int error = errno;
        fail(connection, errnoText("connect", error));
    }
}

void LoadDriver::handle(Connection& connection, quint32 events)
{
    if (connection.phase == Connection::Phase::Connecting) {
        int error = 0;
        socklen_t length = sizeof error;
        getsockopt(connection.fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0)
            fail(connection, errnoText("connect", error));
        else if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            onConnected(connection);
        return;
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        readFrom(connection);
    if (connection.fd >= 0 && (events & EPOLLOUT))
        flush(connection);
}

void LoadDriver::onConnected(Connection& connection)
{
    if (m_plan.proxyPort == 0) {
        beginRequest(connection);
        return;
    }
    // RFC 1928: version 5, one method offered, 0 = no authentication.
    connection.phase = Connection::Phase::SocksMethod;
    connection.out = QByteArray("\x05\x01\x00", 3);
    connection.outOffset = 0;
    flush(connection);
}

void LoadDriver::readFrom(Connection& connection)
{
    for (int i = 0; i < kReadsPerEvent && connection.fd >= 0; ++i) {
        const ssize_t n = ::recv(connection.fd, m_readBuffer.data(), m_readBuffer.size(), 0);
        if (n > 0) {
            consume(connection, m_readBuffer.constData(), n);
            if (n < m_readBuffer.size())
                return;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        // Where it broke tells apart a lost handshake from a relay that gave up.
        static const char* const kPhaseNames[] = {
            "connect", "SOCKS method", "SOCKS reply", "response head", "body", "echo", "idle"};
        const QLatin1StringView phase(kPhaseNames[int(connection.phase)]);
        if (n < 0) {
            const int error = errno;
            fail(connection, QStringLiteral("%1 during %2").arg(errnoText("read", error), phase));
            return;
        }
        fail(connection, QStringLiteral("closed by the proxy during %1").arg(phase));
        return;
    }
}

void LoadDriver::consume(Connection& connection, const char* data, qsizetype size)
{
    using Phase = Connection::Phase;
    switch (connection.phase) {
    case Phase::Connecting:
    case Phase::Idle:
        return;
    case Phase::SocksMethod:
    case Phase::SocksReply:
        connection.in.append(data, size);
        consumeSocks(connection);
        return;
    case Phase::Echo:
        connection.in.append(data, size);
        if (connection.in.size() >= kEchoProbe.size()) {
            if (!connection.in.startsWith(kEchoProbe)) {
                fail(connection, QStringLiteral("echo mismatch"));
                return;
            }
            connection.in.clear();
            connection.phase = Phase::Idle;
            --m_busy;
            ++m_result.transfers;
        }
        return;
    case Phase::Response:
    case Phase::Body:
        break;
    }
    if (connection.phase == Phase::Response) {
        if (connection.firstByteMs < 0 && (size > 0 || !connection.in.isEmpty())) {
            connection.firstByteMs =
                std::chrono::duration<double, std::milli>(Clock::now() - connection.connectStart)
                    .count();
        }
        connection.in.append(data, size);
        if (!consumeHead(connection))
            return;
        data = nullptr;
        size = 0;
    }
    if (connection.phase != Phase::Body)
        return;
    // The body left over from the head sits in `in` (kept for an upload's answer).
    const qint64 take = std::min<qint64>(size, connection.bodyLeft);
    if (m_plan.job == Job::Upload && take > 0)
        connection.in.append(data, take);
    connection.bodyLeft -= take;
    if (connection.bodyLeft == 0)
        finishTransfer(connection);
}

void LoadDriver::consumeSocks(Connection& connection)
{
    QByteArray& in = connection.in;
    if (connection.phase == Connection::Phase::SocksMethod) {
        if (in.size() < 2)
            return;
        if (in[0] != 5 || in[1] != 0) {
            fail(connection, QStringLiteral("SOCKS method refused"));
            return;
        }
        in.remove(0, 2);
        // CONNECT 127.0.0.1:<origin port>, address type 1 (IPv4).
        const quint16 port = m_plan.originPort;
        connection.out = QByteArray("\x05\x01\x00\x01\x7f\x00\x00\x01", 8);
        connection.out.append(char(port >> 8)).append(char(port & 0xff));
        connection.outOffset = 0;
        connection.phase = Connection::Phase::SocksReply;
        flush(connection);
        if (connection.fd < 0 || in.isEmpty())
            return;
    }
    if (in.size() < 5)
        return;
    if (in[1] != 0) {
        fail(connection, QStringLiteral("SOCKS reply %1").arg(int(quint8(in[1]))));
        return;
    }
    const int addressLength = in[3] == 1 ? 4 : in[3] == 4 ? 16 : 1 + quint8(in[4]);
    const qsizetype length = 4 + addressLength + 2;
    if (in.size() < length)
        return;
    in.remove(0, length);
    // Bytes after the reply already belong to the response.
    const QByteArray rest = std::exchange(in, {});
    beginRequest(connection);
    if (connection.fd >= 0 && !rest.isEmpty())
        consume(connection, rest.constData(), rest.size());
}

bool LoadDriver::consumeHead(Connection& connection)
{
    QByteArray& in = connection.in;
    const qsizetype end = in.indexOf("\r\n\r\n");
    if (end < 0) {
        if (in.size() > kMaxHead)
            fail(connection, QStringLiteral("response head too long"));
        return false;
    }
    const QByteArray head = in.left(end);
    in.remove(0, end + 4);
    if (!head.startsWith("HTTP/1.1 200 ") && !head.startsWith("HTTP/1.0 200 ")) {
        fail(connection, QStringLiteral("HTTP status %1")
                             .arg(QString::fromLatin1(head.left(head.indexOf('\r')))));
        return false;
    }
    qint64 contentLength = -1;
    for (const QByteArray& line : head.split('\n')) {
        if (line.toLower().startsWith("content-length:"))
            contentLength = line.mid(15).trimmed().toLongLong();
    }
    if (contentLength < 0 || (m_plan.job == Job::Download && contentLength != m_plan.bytes)) {
        fail(connection, QStringLiteral("wrong Content-Length"));
        return false;
    }
    connection.phase = Connection::Phase::Body;
    const qint64 early = std::min<qint64>(in.size(), contentLength);
    connection.bodyLeft = contentLength - early;
    in.truncate(m_plan.job == Job::Upload ? early : 0);
    if (connection.bodyLeft == 0) {
        finishTransfer(connection);
        return false;
    }
    return true;
}

void LoadDriver::beginRequest(Connection& connection)
{
    if (connection.phase != Connection::Phase::Body)
        --m_opening;
    connection.in.clear();
    connection.outOffset = 0;
    connection.firstByteMs = -1;
    connection.requestStart = Clock::now();
    const QByteArray host = "Host: 127.0.0.1:" + QByteArray::number(m_plan.originPort) + "\r\n";
    const QByteArray close = m_plan.keepAlive ? QByteArray() : QByteArray("Connection: close\r\n");
    switch (m_plan.job) {
    case Job::Download:
        connection.out = "GET /bytes/" + QByteArray::number(m_plan.bytes) +
                         "?seed=" + QByteArray::number(m_started % 1000) + " HTTP/1.1\r\n" + host +
                         close + "\r\n";
        connection.phase = Connection::Phase::Response;
        break;
    case Job::Upload:
        connection.out = "POST /sha256 HTTP/1.1\r\n" + host +
                         "Content-Length: " + QByteArray::number(m_plan.bytes) + "\r\n" + close +
                         "\r\n";
        connection.uploadLeft = m_plan.bytes;
        connection.phase = Connection::Phase::Response;
        break;
    case Job::Hold:
        connection.out = "ECHO\n" + kEchoProbe;
        connection.phase = Connection::Phase::Echo;
        break;
    }
    flush(connection);
}

void LoadDriver::finishTransfer(Connection& connection)
{
    if (m_plan.job == Job::Upload) {
        const QByteArray answer = connection.in.left(connection.in.indexOf(' '));
        if (answer.toLongLong() != m_plan.bytes) {
            fail(connection, QStringLiteral("upload length mismatch"));
            return;
        }
    }
    ++m_result.transfers;
    m_result.bytes += m_plan.bytes;
    const auto now = Clock::now();
    if (m_plan.keepAlive) {
        m_result.roundTripMs.append(
            std::chrono::duration<double, std::milli>(now - connection.requestStart).count());
        if (mayStart()) {
            ++m_started;
            beginRequest(connection);
            return;
        }
    } else {
        m_result.firstByteMs.append(connection.firstByteMs);
    }
    close(connection);
}

bool LoadDriver::sendSome(Connection& connection, const char* data, qint64 size, qint64* sent)
{
    const ssize_t n = ::send(connection.fd, data, size_t(size), MSG_NOSIGNAL);
    if (n >= 0) {
        *sent = n;
        return true;
    }
    if (errno == EAGAIN || errno == EINTR) {
        watchWrites(connection, true);
    } else {
        const int error = errno;
        fail(connection, errnoText("write", error));
    }
    return false;
}

void LoadDriver::flush(Connection& connection)
{
    qint64 sent = 0;
    while (connection.outOffset < connection.out.size()) {
        if (!sendSome(connection, connection.out.constData() + connection.outOffset,
                      connection.out.size() - connection.outOffset, &sent))
            return;
        connection.outOffset += sent;
    }
    while (connection.uploadLeft > 0) {
        if (!sendSome(connection, m_uploadPattern.constData(),
                      std::min<qint64>(connection.uploadLeft, m_uploadPattern.size()), &sent))
            return;
        connection.uploadLeft -= sent;
    }
    watchWrites(connection, false);
}

void LoadDriver::watchWrites(Connection& connection, bool on)
{
    if (connection.writesWatched == on)
        return;
    connection.writesWatched = on;
    epoll_event event{};
    event.events = EPOLLIN | (on ? EPOLLOUT : 0u);
    event.data.ptr = &connection;
    epoll_ctl(m_epoll, EPOLL_CTL_MOD, connection.fd, &event);
}

void LoadDriver::fail(Connection& connection, const QString& reason)
{
    ++m_result.errors[reason];
    close(connection);
}

void LoadDriver::close(Connection& connection)
{
    if (connection.phase != Connection::Phase::Idle)
        --m_busy;
    if (connection.phase == Connection::Phase::Connecting ||
        connection.phase == Connection::Phase::SocksMethod ||
        connection.phase == Connection::Phase::SocksReply)
        --m_opening;
    if (connection.fd >= 0)
        ::close(connection.fd);
    connection.fd = -1;
    auto found = m_connections.find(&connection);
    if (found != m_connections.end()) {
        m_closed.push_back(std::move(found->second));
        m_connections.erase(found);
    }
}

double percentile(QList<double>& samples, double rank)
{
    if (samples.isEmpty())
        return 0;
    std::sort(samples.begin(), samples.end());
    const auto index = qsizetype(std::ceil(rank / 100.0 * double(samples.size()))) - 1;
    return samples[std::clamp<qsizetype>(index, 0, samples.size() - 1)];
}

} // namespace echw::bench
