#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace echw::bench {

// What each connection of a load does once it reaches the origin (tests/support/OriginServer.h).
enum class Job {
    Download, // GET /bytes/<bytes>: the body length must be <bytes>
    Upload,   // POST /sha256 with <bytes> of body: the answer must name <bytes>
    Hold,     // "ECHO\n", one line echoed back, then the tunnel stays open and idle
};

struct LoadPlan {
    quint16 proxyPort = 0; // SOCKS5 proxy on 127.0.0.1; 0: straight to the origin (baseline)
    quint16 originPort = 0;
    Job job = Job::Download;
    qint64 bytes = 0;                           // per transfer
    int concurrency = 1;                        // connections busy at once
    qint64 transfers = -1;                      // transfers to start in all; -1: until `duration`
    std::chrono::milliseconds duration{0};      // no transfer starts after this (0: no limit)
    std::chrono::milliseconds deadline{60'000}; // whatever still runs then fails ("deadline")
    bool keepAlive = false;                     // every connection loops requests on its one tunnel
    int maxOpening = 0; // connections in their handshakes at once (0: no limit)
    // New transfers per second at most, evenly spaced (0: as fast as `concurrency` allows): a
    // paced load leaves the client idle time between connections, as browsing does.
    double rate = 0;
    std::chrono::milliseconds tickInterval{0};
    std::function<void()> onTick; // called every tickInterval while the load runs
};

struct LoadResult {
    qint64 transfers = 0; // completed and verified
    qint64 bytes = 0;     // payload of the completed transfers
    double seconds = 0;
    double driverCpuSeconds = 0; // the driver's own CPU time, to show it was not the bottleneck
    std::map<QString, qint64> errors; // by reason
    QList<double> firstByteMs;        // new connections: TCP connect to first response byte
    QList<double> roundTripMs;        // keep-alive: request sent to response complete

    qint64 errorCount() const;
    QString errorSummary() const; // "none" or "3 x reason, 1 x other"
};

// An event-driven load generator: raw non-blocking sockets on one epoll loop, no copies of the
// payload (a download body is counted, an upload body is written from one pattern buffer), so
// it stays far from being the bottleneck. It speaks SOCKS5 (no auth, CONNECT 127.0.0.1:port)
// and just enough HTTP/1.1 for the origin.
class LoadDriver {
public:
    LoadDriver();
    ~LoadDriver();
    LoadDriver(const LoadDriver&) = delete;
    LoadDriver& operator=(const LoadDriver&) = delete;

    // Runs the plan until nothing is busy (held tunnels stay open) or the deadline passes.
    LoadResult run(const LoadPlan& plan);
    // Serves events on held tunnels for a while; a tunnel that closes counts as an error in
    // `result` (may be null).
    void idle(std::chrono::milliseconds time, LoadResult* result);
    int openConnections() const { return int(m_connections.size()); }
    void closeAll();

private:
    struct Connection;
    using Clock = std::chrono::steady_clock;

    bool mayStart() const;
    Clock::time_point nextPacedStart() const;
    void open();
    void handle(Connection& connection, quint32 events);
    void onConnected(Connection& connection);
    void readFrom(Connection& connection);
    void consume(Connection& connection, const char* data, qsizetype size);
    void consumeSocks(Connection& connection);
    bool consumeHead(Connection& connection);
    void beginRequest(Connection& connection);
    void finishTransfer(Connection& connection);
    // One send(); false when the connection must wait for EPOLLOUT or has failed.
    bool sendSome(Connection& connection, const char* data, qint64 size, qint64* sent);
    void flush(Connection& connection);
    void watchWrites(Connection& connection, bool on);
    void fail(Connection& connection, const QString& reason);
    void close(Connection& connection);
    void serve(int timeoutMs);

    LoadPlan m_plan;
    LoadResult m_result;
    int m_epoll = -1;
    Clock::time_point m_start;
    qint64 m_started = 0;
    int m_busy = 0;
    int m_opening = 0;
    std::map<Connection*, std::unique_ptr<Connection>> m_connections;
    std::vector<std::unique_ptr<Connection>> m_closed; // freed after each batch of events
    QByteArray m_readBuffer;
    QByteArray m_uploadPattern;
};

// Nearest-rank percentile (0..100) of samples, which it sorts.
double percentile(QList<double>& samples, double rank);

} // namespace echw::bench
