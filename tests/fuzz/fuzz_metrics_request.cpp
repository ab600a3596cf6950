// A request to the Prometheus endpoint (-metrics), answered from its head alone: the answer
// must be one complete HTTP response with a status the endpoint can give.

#include "FuzzSupport.h"
#include "http/HttpResponseReader.h"
#include "metrics/MetricsServer.h"

namespace {

const echw::MetricsServer::Render kRender = [] {
    return QByteArrayLiteral("# TYPE echw_up gauge\nechw_up 1\n");
};

void checkAnswer(QByteArrayView head)
{
    const QByteArray answer = echw::MetricsServer::respond(head, kRender);
    echw::HttpResponseReader reader;
    const auto status = reader.append(answer);
    // A HEAD answer keeps its Content-Length without the body, so only its status line counts.
    // Empty lines before the request line are skipped, as RFC 9112 section 2.2 asks of a
    // server, so "\r\n\r\nHEAD ..." is a HEAD too.
    QByteArrayView requestLine = head;
    while (requestLine.startsWith("\r\n"))
        requestLine = requestLine.sliced(2);
    if (requestLine.startsWith("HEAD ") && answer.startsWith("HTTP/1.1 200")) {
        ECHW_FUZZ_CHECK(!answer.endsWith(kRender()));
        return;
    }
    ECHW_FUZZ_CHECK(status == echw::HttpResponseReader::Status::Complete);
    const int code = reader.response().status;
    ECHW_FUZZ_CHECK(code == 200 || code == 400 || code == 404 || code == 405 || code == 414 ||
                    code == 431 || code == 505);
    if (code == 200)
        ECHW_FUZZ_CHECK(reader.response().body == kRender());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView input = echw::fuzz::bytesOf(data, size);
    checkAnswer(input);
    // What the connection hands over: the bytes up to the first empty line.
    if (const qsizetype end = input.indexOf("\r\n\r\n"); end >= 0)
        checkAnswer(input.first(end + 4));
    return 0;
}
