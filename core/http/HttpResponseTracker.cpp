#include "HttpResponseTracker.h"

#include "http/HttpHead.h"

#include <algorithm>

namespace echw::http {

ResponseTracker::ResponseTracker(HeadLimits limits)
    : m_limits(limits)
    , m_scanner(HeadScanner::Kind::Response, limits)
    , m_chunked(limits)
{}

void ResponseTracker::expect(bool headRequest)
{
    m_expected.push_back(headRequest);
}

void ResponseTracker::observe(QByteArrayView bytes)
{
    while (!bytes.isEmpty()) {
        switch (m_phase) {
        case Phase::Opaque:
            return;
        case Phase::Head:
            bytes = bytes.sliced(observeHead(bytes));
            break;
        case Phase::LengthBody: {
            const qsizetype take = qsizetype(std::min<qint64>(m_remaining, bytes.size()));
            m_remaining -= take;
            bytes = bytes.sliced(take);
            if (m_remaining == 0)
                completeResponse();
            break;
        }
        case Phase::ChunkedBody:
            bytes = bytes.sliced(m_chunked.feed(bytes));
            if (m_chunked.failed())
                m_phase = Phase::Opaque;
            else if (m_chunked.complete())
                completeResponse();
            break;
        }
    }
}

// Returns how many of `bytes` belong to the head.
qsizetype ResponseTracker::observeHead(QByteArrayView bytes)
{
    // Nothing was asked: these bytes cannot be a response to anything.
    if (m_expected.empty()) {
        m_phase = Phase::Opaque;
        return bytes.size();
    }
    const qsizetype before = m_head.size();
    // At most one byte past the limit is held, enough for the scanner to see it passed.
    m_head.append(bytes.first(std::min(bytes.size(), m_limits.maxBytes + 1 - before)));
    switch (m_scanner.scan(m_head)) {
    case HeadScanner::Status::NeedMore:
        return m_head.size() - before;
    case HeadScanner::Status::Failed:
        m_phase = Phase::Opaque;
        return bytes.size();
    case HeadScanner::Status::Complete:
        break;
    }
    const qsizetype used = m_scanner.consumed() - before;
    onHead(QByteArrayView(m_head).first(m_scanner.consumed()));
    m_head.clear();
    m_scanner.reset();
    return used;
}

void ResponseTracker::onHead(QByteArrayView head)
{
    const auto parsed = parseResponseHead(head);
    const auto* response = std::get_if<ResponseHead>(&parsed);
    // 101: what follows is another protocol, not HTTP responses.
    if (!response || response->status == 101) {
        m_phase = Phase::Opaque;
        return;
    }
    const auto framing = responseFraming(m_expected.front(), response->status,
                                         response->versionMinor, response->fields);
    const auto* body = std::get_if<BodyFraming>(&framing);
    if (!body) {
        m_phase = Phase::Opaque;
        return;
    }
    if (response->status / 100 == 1)
        return; // interim: the final response follows
    switch (body->kind) {
    case BodyFraming::Kind::None:
        completeResponse();
        break;
    case BodyFraming::Kind::Length:
        m_remaining = body->length;
        m_phase = Phase::LengthBody;
        break;
    case BodyFraming::Kind::Chunked:
        m_chunked = ChunkedDecoder(m_limits);
        m_phase = Phase::ChunkedBody;
        break;
    case BodyFraming::Kind::CloseDelimited:
        m_phase = Phase::Opaque;
        break;
    }
}

void ResponseTracker::completeResponse()
{
    m_expected.pop_front();
    m_phase = Phase::Head;
}

void ResponseTracker::finishInput()
{
    // An opaque connection's response in progress ends here; whatever else was asked on this
    // connection gets no answer from it.
    if (m_phase == Phase::Opaque && !m_expected.empty())
        m_expected.pop_front();
}

} // namespace echw::http
