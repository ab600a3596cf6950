#include "OriginServer.h"

#include "DeterministicContent.h"
#include "Sha256.h"
#include "http/HttpSyntax.h"

#include <QSocketNotifier>
#include <QTcpServer>
#include <QTimer>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <functional>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace echw::test {

namespace {

constexpr QByteArrayView kEchoMagic("ECHO\n");
constexpr QByteArrayView kSinkMagic("SINK\n");

// One wakeup reads at most kReadsPerWakeup * kReadChunk and writes at most kWriteBudget, so a
// single fast transfer cannot starve the other connections of the one thread.
constexpr qsizetype kReadChunk = 64 * 1024;
constexpr int kReadsPerWakeup = 16;
constexpr qsizetype kWriteBudget = 4 * 1024 * 1024;
// Streamed bodies are generated in pieces of this size whenever less than that is queued.
constexpr qsizetype kStreamPiece = 256 * 1024;
// Reading pauses while this much output is queued (a peer that does not read what it is sent)
// or this much input awaits parsing (pipelined requests behind a long response).
constexpr qsizetype kOutputHighWater = 1024 * 1024;
constexpr qsizetype kInputLimit = 1024 * 1024;
constexpr qsizetype kMaxHeadSize = 64 * 1024;
constexpr qsizetype kMaxChunkLine = 4 * 1024;
constexpr qsizetype kMaxTrailerSize = 64 * 1024;
// After the server's FIN, how long it keeps reading for the client's before closing anyway.
constexpr int kLingerMs = 5000;
// With port 0 the first address's free port may be taken on another address; pick again.
constexpr int kEphemeralPortAttempts = 16;
constexpr int kListenBacklog = 1024;

enum class BodyKind { None, Length, Chunked };

struct Request {
    QByteArray method;
    QByteArray target;
    QByteArray host;
    bool http10 = false;
    bool keepAlive = true;
    bool expectContinue = false;
    bool unsupportedExpectation = false;
    BodyKind bodyKind = BodyKind::None;
    quint64 contentLength = 0;
};

// A field line as RFC 9112 section 5 has it, its value free of control characters (the
// shared rules of core/http); nullopt for anything else, obs-fold included.
std::optional<http::FieldLine> validFieldLine(QByteArrayView line)
{
    const auto split = http::splitFieldLine(line);
    const auto* field = std::get_if<http::FieldLine>(&split);
    if (!field || !http::isFieldValue(field->value))
        return std::nullopt;
    return *field;
}

// Strict decimal: digits only (QByteArrayView::toULongLong would also take signs and spaces).
std::optional<quint64> parseDecimal(QByteArrayView text)
{
    if (text.isEmpty() ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    bool ok = false;
    const quint64 value = text.toULongLong(&ok, 10);
    return ok ? std::optional(value) : std::nullopt;
}

// Calls visit(element) for each comma-separated element of a header list; stops at the first
// false.
bool forEachListElement(QByteArrayView value, const std::function<bool(QByteArrayView)>& visit)
{
    for (;;) {
        const qsizetype comma = value.indexOf(',');
        if (!visit(http::trimOws(comma < 0 ? value : value.first(comma))))
            return false;
        if (comma < 0)
            return true;
        value = value.sliced(comma + 1);
    }
}

// Length of the request head at the start of buffer, blank line included; -1 if incomplete.
// Bare LF line ends are accepted (RFC 9112 section 2.2).
qsizetype findHeadEnd(QByteArrayView buffer)
{
    for (qsizetype lineStart = 0;;) {
        const qsizetype newline = buffer.indexOf('\n', lineStart);
        if (newline < 0)
            return -1;
        const qsizetype length = newline - lineStart;
        if (length == 0 || (length == 1 && buffer[lineStart] == '\r'))
            return newline + 1;
        lineStart = newline + 1;
    }
}

bool parseRequestLine(QByteArrayView line, Request& request)
{
    const qsizetype firstSpace = line.indexOf(' ');
    const qsizetype secondSpace = firstSpace < 0 ? -1 : line.indexOf(' ', firstSpace + 1);
    if (secondSpace < 0)
        return false;
    const QByteArrayView method = line.first(firstSpace);
    const QByteArrayView target = line.sliced(firstSpace + 1, secondSpace - firstSpace - 1);
    const QByteArrayView version = line.sliced(secondSpace + 1);
    if (!http::isToken(method) || target.isEmpty() || !http::isFieldValue(target) ||
        target.contains('\t'))
        return false;
    // Origin-form only (or "*"): an absolute-form target here means a proxy forgot to rewrite it.
    if (target.front() != '/' && target != QByteArrayView("*"))
        return false;
    if (version == QByteArrayView("HTTP/1.0"))
        request.http10 = true;
    else if (version != QByteArrayView("HTTP/1.1"))
        return false;
    request.method = method.toByteArray();
    request.target = target.toByteArray();
    return true;
}

// Parses a complete head (as delimited by findHeadEnd); nullopt if it is malformed.
std::optional<Request> parseRequestHead(QByteArrayView head)
{
    Request request;
    int hostCount = 0;
    std::optional<quint64> contentLength;
    bool chunked = false;
    bool closeRequested = false;
    bool keepAliveRequested = false;

    for (qsizetype lineStart = 0; lineStart < head.size();) {
        const qsizetype newline = head.indexOf('\n', lineStart);
        QByteArrayView line = head.sliced(lineStart, newline - lineStart);
        if (line.endsWith('\r'))
            line.chop(1);
        const bool requestLine = lineStart == 0;
        lineStart = newline + 1;
        if (line.isEmpty())
            break;
        if (requestLine) {
            if (!parseRequestLine(line, request))
                return std::nullopt;
            continue;
        }

        // Whitespace before the colon and obs-fold continuation lines are rejected per RFC 9112
        // section 5, like every malformed line.
        const auto field = validFieldLine(line);
        if (!field)
            return std::nullopt;
        const auto [name, value] = *field;

        bool valid = true;
        if (http::equalsIgnoringCase(name, "Host")) {
            ++hostCount;
            request.host = value.toByteArray();
        } else if (http::equalsIgnoringCase(name, "Content-Length")) {
            valid = forEachListElement(value, [&](QByteArrayView element) {
                const auto length = parseDecimal(element);
                if (!length || (contentLength && *contentLength != *length))
                    return false;
                contentLength = length;
                return true;
            });
        } else if (http::equalsIgnoringCase(name, "Transfer-Encoding")) {
            // Only a single "chunked": the server cannot undo any other coding it would hash.
            valid = forEachListElement(value, [&](QByteArrayView element) {
                if (chunked || !http::equalsIgnoringCase(element, "chunked"))
                    return false;
                chunked = true;
                return true;
            });
        } else if (http::equalsIgnoringCase(name, "Connection")) {
            forEachListElement(value, [&](QByteArrayView element) {
                closeRequested |= http::equalsIgnoringCase(element, "close");
                keepAliveRequested |= http::equalsIgnoringCase(element, "keep-alive");
                return true;
            });
        } else if (http::equalsIgnoringCase(name, "Expect")) {
            if (http::equalsIgnoringCase(value, "100-continue"))
                request.expectContinue = true;
            else
                request.unsupportedExpectation = true;
        }
        if (!valid)
            return std::nullopt;
    }

    if (chunked && (contentLength || request.http10))
        return std::nullopt;
    if (request.http10 ? hostCount > 1 : hostCount != 1)
        return std::nullopt;
    request.keepAlive = request.http10 ? keepAliveRequested && !closeRequested : !closeRequested;
    if (chunked)
        request.bodyKind = BodyKind::Chunked;
    else if (contentLength.value_or(0) > 0)
        request.bodyKind = BodyKind::Length;
    request.contentLength = contentLength.value_or(0);
    // RFC 9110 10.1.1: an HTTP/1.0 client never waits for 100 Continue, so it is not sent there.
    request.expectContinue =
        request.expectContinue && !request.http10 && request.bodyKind != BodyKind::None;
    return request;
}

// Size of a chunk from its size line (CRLF excluded); extensions are checked and ignored.
std::optional<quint64> parseChunkSizeLine(QByteArrayView line)
{
    if (line.endsWith('\r'))
        line.chop(1);
    quint64 size = 0;
    qsizetype i = 0;
    int significantDigits = 0;
    for (; i < line.size(); ++i) {
        const char c = line[i];
        int digit = 0;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            break;
        // 15 digits stay clear of overflow while allowing any realistic size.
        if ((size != 0 || digit != 0) && ++significantDigits > 15)
            return std::nullopt;
        size = size * 16 + quint64(digit);
    }
    if (i == 0)
        return std::nullopt;
    const QByteArrayView rest = http::trimOws(line.sliced(i));
    if (!rest.isEmpty() && (rest.front() != ';' || !http::isFieldValue(rest)))
        return std::nullopt;
    return size;
}

// "<length> <sha256hex>\n", the reply of SINK and of POST /sha256.
QByteArray hashSummary(Sha256& hash)
{
    const quint64 length = hash.length(); // hexResult() starts over
    return QByteArray::number(length) + ' ' + hash.hexResult() + '\n';
}

class Listener final : public QTcpServer {
public:
    Listener(std::function<void(qintptr)> onConnection, QObject* parent)
        : QTcpServer(parent)
        , m_onConnection(std::move(onConnection))
    {}

protected:
    void incomingConnection(qintptr descriptor) override { m_onConnection(descriptor); }

private:
    std::function<void(qintptr)> m_onConnection;
};

} // namespace

class OriginServer::Connection final : public QObject {
public:
    Connection(int descriptor, OriginServer* server);
    ~Connection() override;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

private:
    enum class Mode { Sniffing, Http, Echo, Sink };
    // Head: awaiting a request head. Body: reading its body. Streaming: generating a /bytes body,
    // during which further (pipelined) input waits.
    enum class HttpPhase { Head, Body, Streaming };
    enum class Route { Bytes, Sha256, EchoHeaders, Hello, NotFound, Malformed };
    enum class ChunkPhase { SizeLine, Data, DataEnd, Trailer };
    enum class Step { Progress, NeedInput, Complete, Malformed };

    void service();
    void readSocket();
    void processInput();
    bool sniff();
    void processHttp();
    bool readHead();
    bool readBody();
    Step chunkedStep();
    void feedBody(QByteArrayView data);
    Route chooseRoute();
    void respond();
    void queueResponseHead(QByteArrayView status, QByteArrayView contentType, quint64 length);
    void queueResponse(QByteArrayView status, QByteArrayView contentType, QByteArrayView body);
    void rejectRequest(QByteArrayView status);
    void completeRequest();
    void writeOutput();
    void refillStream();
    void finish();
    void afterIo();
    void closeSocket();

    OriginServer* m_server;
    int m_descriptor;
    QSocketNotifier* m_readNotifier;
    QSocketNotifier* m_writeNotifier;

    QByteArray m_input;
    QByteArray m_output;
    Mode m_mode = Mode::Sniffing;
    bool m_peerEof = false;
    // No further requests: the rest of the input is discarded and the write side shut down once
    // the output is flushed.
    bool m_finishing = false;
    bool m_writeShut = false;
    // A streamed response finished inside writeOutput(), so pipelined input may be parsed again.
    bool m_resumeInput = false;
    std::optional<Sha256> m_hash;

    HttpPhase m_phase = HttpPhase::Head;
    Request m_request;
    QByteArray m_rawHead;
    Route m_route = Route::NotFound;
    quint64 m_bodyRemaining = 0;
    ChunkPhase m_chunkPhase = ChunkPhase::SizeLine;
    qsizetype m_trailerSize = 0;
    quint64 m_streamSeed = 0;
    quint64 m_streamOffset = 0;
    quint64 m_streamRemaining = 0;
};

OriginServer::Connection::Connection(int descriptor, OriginServer* server)
    : QObject(server)
    , m_server(server)
    , m_descriptor(descriptor)
    , m_readNotifier(new QSocketNotifier(descriptor, QSocketNotifier::Read, this))
    , m_writeNotifier(new QSocketNotifier(descriptor, QSocketNotifier::Write, this))
{
    const int flags = ::fcntl(descriptor, F_GETFL);
    ::fcntl(descriptor, F_SETFL, flags | O_NONBLOCK);
    // Small responses on a kept-alive connection would otherwise wait out delayed ACKs.
    const int one = 1;
    ::setsockopt(descriptor, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    m_writeNotifier->setEnabled(false);
    connect(m_readNotifier, &QSocketNotifier::activated, this, [this] {
        readSocket();
        if (m_descriptor >= 0)
            service();
    });
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &Connection::service);
}

OriginServer::Connection::~Connection()
{
    if (m_descriptor < 0)
        return;
    m_readNotifier->setEnabled(false);
    m_writeNotifier->setEnabled(false);
    ::close(m_descriptor);
}

void OriginServer::Connection::service()
{
    do {
        m_resumeInput = false;
        processInput();
        if (m_descriptor < 0)
            return;
        writeOutput();
        if (m_descriptor < 0)
            return;
    } while (m_resumeInput);
    afterIo();
}

void OriginServer::Connection::readSocket()
{
    char buffer[kReadChunk];
    for (int i = 0; i < kReadsPerWakeup && m_input.size() < kInputLimit;) {
        const ssize_t n = ::recv(m_descriptor, buffer, sizeof buffer, 0);
        if (n > 0) {
            if (!m_finishing)
                m_input.append(buffer, n);
            ++i;
        } else if (n == 0) {
            m_peerEof = true;
            return;
        } else if (errno != EINTR) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                closeSocket();
            return;
        }
    }
}

void OriginServer::Connection::processInput()
{
    if (m_finishing || (m_mode == Mode::Sniffing && !sniff()))
        return;
    switch (m_mode) {
    case Mode::Http:
        processHttp();
        break;
    case Mode::Echo:
        m_output.append(m_input);
        m_input.clear();
        if (m_peerEof)
            finish();
        break;
    case Mode::Sink:
        m_hash->addData(m_input);
        m_input.clear();
        if (m_peerEof) {
            m_output.append(hashSummary(*m_hash));
            finish();
        }
        break;
    case Mode::Sniffing:
        Q_UNREACHABLE();
    }
}

// Picks the mode from the first bytes; false while they are still ambiguous or when the
// connection is being closed for want of anything recognisable.
bool OriginServer::Connection::sniff()
{
    for (const auto& [magic, mode] :
         {std::pair(kEchoMagic, Mode::Echo), std::pair(kSinkMagic, Mode::Sink)}) {
        const qsizetype compared = std::min(m_input.size(), magic.size());
        if (QByteArrayView(m_input).first(compared) != magic.first(compared))
            continue;
        if (compared < magic.size()) {
            if (m_peerEof)
                finish();
            return false;
        }
        m_input.remove(0, magic.size());
        m_mode = mode;
        if (mode == Mode::Sink)
            m_hash.emplace();
        return true;
    }
    // Every request line starts with a method, and every registered method with a capital.
    if (m_input.front() >= 'A' && m_input.front() <= 'Z') {
        m_mode = Mode::Http;
        return true;
    }
    finish();
    return false;
}

void OriginServer::Connection::processHttp()
{
    while (!m_finishing) {
        switch (m_phase) {
        case HttpPhase::Head:
            if (!readHead())
                return;
            break;
        case HttpPhase::Body:
            if (!readBody())
                return;
            respond();
            break;
        case HttpPhase::Streaming:
            return;
        }
    }
}

// Moves on to the body once a complete head has arrived; false if more input is needed or the
// request was rejected.
bool OriginServer::Connection::readHead()
{
    // RFC 9112 2.2: empty lines before a request line are ignored.
    const auto requestStart = std::find_if(m_input.cbegin(), m_input.cend(),
                                           [](char c) { return c != '\r' && c != '\n'; });
    m_input.remove(0, requestStart - m_input.cbegin());

    const qsizetype headSize = findHeadEnd(m_input);
    if (headSize < 0 || headSize > kMaxHeadSize) {
        if (m_input.size() > kMaxHeadSize)
            rejectRequest("431 Request Header Fields Too Large");
        else if (m_peerEof)
            finish();
        return false;
    }
    m_rawHead = m_input.first(headSize);
    m_input.remove(0, headSize);

    auto request = parseRequestHead(m_rawHead);
    if (!request) {
        rejectRequest("400 Bad Request");
        return false;
    }
    m_request = std::move(*request);
    if (m_request.unsupportedExpectation) {
        rejectRequest("417 Expectation Failed");
        return false;
    }
    m_route = chooseRoute();
    if (m_route == Route::Malformed) {
        rejectRequest("400 Bad Request");
        return false;
    }
    if (m_route == Route::Sha256)
        m_hash.emplace();
    if (m_request.expectContinue)
        m_output.append("HTTP/1.1 100 Continue\r\n\r\n");
    m_bodyRemaining = m_request.contentLength;
    m_chunkPhase = ChunkPhase::SizeLine;
    m_trailerSize = 0;
    m_phase = HttpPhase::Body;
    return true;
}

// True once the whole body has been consumed.
bool OriginServer::Connection::readBody()
{
    switch (m_request.bodyKind) {
    case BodyKind::None:
        return true;
    case BodyKind::Length: {
        const auto take = qsizetype(std::min<quint64>(m_bodyRemaining, quint64(m_input.size())));
        feedBody(QByteArrayView(m_input).first(take));
        m_input.remove(0, take);
        m_bodyRemaining -= quint64(take);
        if (m_bodyRemaining == 0)
            return true;
        break;
    }
    case BodyKind::Chunked:
        for (;;) {
            const Step step = chunkedStep();
            if (step == Step::Complete)
                return true;
            if (step == Step::Malformed) {
                rejectRequest("400 Bad Request");
                return false;
            }
            if (step == Step::NeedInput)
                break;
        }
        break;
    }
    // A request cut short by the client's EOF is dropped.
    if (m_peerEof)
        finish();
    return false;
}

OriginServer::Connection::Step OriginServer::Connection::chunkedStep()
{
    switch (m_chunkPhase) {
    case ChunkPhase::SizeLine: {
        const qsizetype newline = m_input.indexOf('\n');
        if ((newline < 0 ? m_input.size() : newline) > kMaxChunkLine)
            return Step::Malformed;
        if (newline < 0)
            return Step::NeedInput;
        const auto size = parseChunkSizeLine(QByteArrayView(m_input).first(newline));
        m_input.remove(0, newline + 1);
        if (!size)
            return Step::Malformed;
        m_bodyRemaining = *size;
        m_chunkPhase = *size == 0 ? ChunkPhase::Trailer : ChunkPhase::Data;
        return Step::Progress;
    }
    case ChunkPhase::Data: {
        const auto take = qsizetype(std::min<quint64>(m_bodyRemaining, quint64(m_input.size())));
        feedBody(QByteArrayView(m_input).first(take));
        m_input.remove(0, take);
        m_bodyRemaining -= quint64(take);
        if (m_bodyRemaining > 0)
            return Step::NeedInput;
        m_chunkPhase = ChunkPhase::DataEnd;
        return Step::Progress;
    }
    case ChunkPhase::DataEnd: {
        qsizetype lineEnd = 0;
        if (m_input.startsWith("\r\n"))
            lineEnd = 2;
        else if (m_input.startsWith('\n'))
            lineEnd = 1;
        else if (m_input.isEmpty() || m_input == QByteArrayView("\r"))
            return Step::NeedInput;
        else
            return Step::Malformed;
        m_input.remove(0, lineEnd);
        m_chunkPhase = ChunkPhase::SizeLine;
        return Step::Progress;
    }
    case ChunkPhase::Trailer: {
        const qsizetype newline = m_input.indexOf('\n');
        if (newline < 0)
            return m_trailerSize + m_input.size() > kMaxTrailerSize ? Step::Malformed
                                                                    : Step::NeedInput;
        QByteArrayView line = QByteArrayView(m_input).first(newline);
        if (line.endsWith('\r'))
            line.chop(1);
        const bool lastLine = line.isEmpty();
        const bool valid = lastLine || validFieldLine(line).has_value();
        m_trailerSize += newline + 1;
        m_input.remove(0, newline + 1);
        if (!valid || m_trailerSize > kMaxTrailerSize)
            return Step::Malformed;
        return lastLine ? Step::Complete : Step::Progress;
    }
    }
    Q_UNREACHABLE();
}

void OriginServer::Connection::feedBody(QByteArrayView data)
{
    if (m_hash)
        m_hash->addData(data);
}

// Also records the parameters of a /bytes request.
OriginServer::Connection::Route OriginServer::Connection::chooseRoute()
{
    const bool get = m_request.method == "GET" || m_request.method == "HEAD";
    const QByteArrayView target(m_request.target);
    const qsizetype question = target.indexOf('?');
    const QByteArrayView path = question < 0 ? target : target.first(question);
    const QByteArrayView query = question < 0 ? QByteArrayView() : target.sliced(question + 1);

    if (path.startsWith("/bytes/")) {
        const auto size = parseDecimal(path.sliced(7));
        if (!get || !size)
            return Route::NotFound;
        m_streamRemaining = *size;
        m_streamSeed = 0;
        m_streamOffset = 0;
        const bool seedValid = forEachListElement(query, [this](QByteArrayView parameter) {
            if (!parameter.startsWith("seed="))
                return true;
            const auto seed = parseDecimal(parameter.sliced(5));
            m_streamSeed = seed.value_or(0);
            return seed.has_value();
        });
        return seedValid ? Route::Bytes : Route::Malformed;
    }
    if (path == QByteArrayView("/sha256") &&
        (m_request.method == "POST" || m_request.method == "PUT"))
        return Route::Sha256;
    if (path == QByteArrayView("/echo-headers") && get)
        return Route::EchoHeaders;
    if (path == QByteArrayView("/hello") && get)
        return Route::Hello;
    return Route::NotFound;
}

void OriginServer::Connection::respond()
{
    switch (m_route) {
    case Route::Bytes:
        queueResponseHead("200 OK", "application/octet-stream", m_streamRemaining);
        if (m_request.method != "HEAD" && m_streamRemaining > 0) {
            m_phase = HttpPhase::Streaming;
            return;
        }
        break;
    case Route::Sha256: {
        const QByteArray summary = hashSummary(*m_hash);
        m_hash.reset();
        queueResponse("200 OK", "text/plain", summary);
        break;
    }
    case Route::EchoHeaders:
        queueResponse("200 OK", "text/plain", m_rawHead);
        break;
    case Route::Hello:
        queueResponse("200 OK", "text/plain", "hello from " + m_request.host + '\n');
        break;
    case Route::NotFound:
        queueResponse("404 Not Found", "text/plain", "not found\n");
        break;
    case Route::Malformed:
        Q_UNREACHABLE();
    }
    completeRequest();
}

void OriginServer::Connection::queueResponseHead(QByteArrayView status, QByteArrayView contentType,
                                                 quint64 length)
{
    m_output.append("HTTP/1.1 ").append(status);
    m_output.append("\r\nContent-Type: ").append(contentType);
    m_output.append("\r\nContent-Length: ").append(QByteArray::number(length));
    if (!m_request.keepAlive)
        m_output.append("\r\nConnection: close");
    else if (m_request.http10)
        m_output.append("\r\nConnection: keep-alive");
    m_output.append("\r\n\r\n");
}

void OriginServer::Connection::queueResponse(QByteArrayView status, QByteArrayView contentType,
                                             QByteArrayView body)
{
    queueResponseHead(status, contentType, quint64(body.size()));
    if (m_request.method != "HEAD")
        m_output.append(body);
}

void OriginServer::Connection::rejectRequest(QByteArrayView status)
{
    // The request may not even have parsed, so neither its version nor its method count.
    m_request = Request{};
    m_request.keepAlive = false;
    queueResponse(status, "text/plain", status.toByteArray() + '\n');
    finish();
}

void OriginServer::Connection::completeRequest()
{
    m_phase = HttpPhase::Head;
    m_rawHead.clear();
    if (!m_request.keepAlive)
        finish();
}

void OriginServer::Connection::writeOutput()
{
    for (qsizetype budget = kWriteBudget;;) {
        if (m_phase == HttpPhase::Streaming && m_output.size() < kStreamPiece)
            refillStream();
        if (m_output.isEmpty() || budget <= 0)
            return;
        const ssize_t n =
            ::send(m_descriptor, m_output.constData(), size_t(m_output.size()), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                closeSocket();
            return;
        }
        m_output.remove(0, n);
        budget -= n;
    }
}

void OriginServer::Connection::refillStream()
{
    const auto piece = qsizetype(std::min<quint64>(m_streamRemaining, kStreamPiece));
    const qsizetype queued = m_output.size();
    m_output.resize(queued + piece);
    fillContent(m_streamSeed, m_streamOffset, m_output.data() + queued, piece);
    m_streamOffset += quint64(piece);
    m_streamRemaining -= quint64(piece);
    if (m_streamRemaining == 0) {
        completeRequest();
        m_resumeInput = true;
    }
}

void OriginServer::Connection::finish()
{
    m_finishing = true;
    m_input.clear();
}

// Half-closes once a finishing connection has flushed, closes once both directions are done,
// and otherwise waits for whichever direction can make progress.
void OriginServer::Connection::afterIo()
{
    if (m_finishing && m_output.isEmpty() && !m_writeShut) {
        if (::shutdown(m_descriptor, SHUT_WR) != 0) {
            closeSocket();
            return;
        }
        m_writeShut = true;
        // Closing with unread input would reset the connection and could destroy the response
        // in flight, so the client's FIN is awaited, for a while.
        if (!m_peerEof)
            QTimer::singleShot(kLingerMs, this, &Connection::closeSocket);
    }
    if (m_writeShut && m_peerEof) {
        closeSocket();
        return;
    }
    const bool roomForInput = m_output.size() < kOutputHighWater && m_input.size() < kInputLimit;
    m_readNotifier->setEnabled(!m_peerEof && (m_finishing || roomForInput));
    m_writeNotifier->setEnabled(!m_output.isEmpty());
}

void OriginServer::Connection::closeSocket()
{
    if (m_descriptor < 0)
        return;
    m_readNotifier->setEnabled(false);
    m_writeNotifier->setEnabled(false);
    ::close(m_descriptor);
    m_descriptor = -1;
    --m_server->m_activeConnections;
    deleteLater();
}

OriginServer::OriginServer(QObject* parent)
    : QObject(parent)
{}

OriginServer::~OriginServer() = default;

bool OriginServer::listen(const QList<QHostAddress>& addresses, quint16 port)
{
    Q_ASSERT(m_listeners.isEmpty());
    if (addresses.isEmpty()) {
        m_errorString = QStringLiteral("no address to listen on");
        return false;
    }
    const int attempts = port == 0 && addresses.size() > 1 ? kEphemeralPortAttempts : 1;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        if (listenOnAll(addresses, port))
            return true;
        stopListening();
    }
    return false;
}

bool OriginServer::listenOnAll(const QList<QHostAddress>& addresses, quint16 port)
{
    m_port = port;
    for (const QHostAddress& address : addresses) {
        auto* listener = new Listener([this](qintptr descriptor) { accept(descriptor); }, this);
        m_listeners.append(listener);
        // Qt's default of 50 drops connections when a benchmark opens hundreds at once.
        listener->setListenBacklogSize(kListenBacklog);
        if (!listener->listen(address, m_port)) {
            m_errorString = QStringLiteral("cannot listen on %1 port %2: %3")
                                .arg(address.toString())
                                .arg(m_port)
                                .arg(listener->errorString());
            return false;
        }
        m_port = listener->serverPort();
    }
    return true;
}

void OriginServer::stopListening()
{
    qDeleteAll(m_listeners);
    m_listeners.clear();
    m_port = 0;
}

void OriginServer::accept(qintptr descriptor)
{
    ++m_activeConnections;
    new Connection(int(descriptor), this);
}

} // namespace echw::test
