// An HTTP/1.1 response from a server (RFC 9112): the DoH answer that comes back through the
// tunnel. Read with the default limits and with small ones (so the limits are reached within
// the fuzzer's input sizes), cut at every boundary; a complete response written out again with
// a Content-Length must read back the same.

#include "FuzzSupport.h"
#include "http/HttpResponseReader.h"
#include "http/HttpSyntax.h"

namespace {

using echw::HttpResponse;
using echw::HttpResponseReader;
using echw::fuzz::note;

constexpr HttpResponseReader::Limits kSmallLimits{256, 512};

QByteArray describe(const HttpResponseReader& reader)
{
    QByteArray transcript;
    switch (reader.status()) {
    case HttpResponseReader::Status::NeedMore:
        note(transcript, "need more");
        break;
    case HttpResponseReader::Status::Failed:
        note(transcript, "failed", reader.error().toUtf8());
        break;
    case HttpResponseReader::Status::Complete: {
        const HttpResponse& response = reader.response();
        note(transcript, "status", QByteArray::number(response.status));
        note(transcript, "reason", response.reason);
        for (const auto& [name, value] : response.fields) {
            note(transcript, "name", name);
            note(transcript, "value", value);
        }
        note(transcript, "body", response.body);
        break;
    }
    }
    return transcript;
}

void checkComplete(const HttpResponse& response, const HttpResponseReader::Limits& limits)
{
    ECHW_FUZZ_CHECK(response.status >= 200 && response.status <= 599);
    ECHW_FUZZ_CHECK(response.body.size() <= limits.maxBodyBytes);
    if (response.status == 204 || response.status == 304)
        ECHW_FUZZ_CHECK(response.body.isEmpty());
    for (const auto& [name, value] : response.fields)
        ECHW_FUZZ_CHECK(echw::http::isToken(name) && echw::http::isFieldValue(value));

    QByteArray written =
        "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + response.reason + "\r\n";
    for (const auto& [name, value] : response.fields) {
        if (!echw::http::equalsIgnoringCase(name, "Content-Length") &&
            !echw::http::equalsIgnoringCase(name, "Transfer-Encoding"))
            written += name + ": " + value + "\r\n";
    }
    const bool bodyless = response.status == 204 || response.status == 304;
    if (!bodyless)
        written += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    written += "\r\n" + response.body;
    // CRLF where the server may have sent bare LFs makes the head longer: only the body limit
    // applies to the copy.
    HttpResponseReader again({1 << 20, limits.maxBodyBytes});
    ECHW_FUZZ_CHECK(again.append(written) == HttpResponseReader::Status::Complete);
    ECHW_FUZZ_CHECK(again.response().status == response.status);
    ECHW_FUZZ_CHECK(again.response().reason == response.reason);
    ECHW_FUZZ_CHECK(again.response().body == response.body);
}

QByteArray run(const HttpResponseReader::Limits& limits, const QList<QByteArrayView>& pieces)
{
    HttpResponseReader reader(limits);
    for (const QByteArrayView piece : pieces) {
        if (reader.append(piece) != HttpResponseReader::Status::NeedMore)
            break;
    }
    const QByteArray beforeEnd = describe(reader);
    const HttpResponseReader::Status verdict = reader.status();
    // The verdict stands: neither more bytes nor the end of input change it.
    if (verdict != HttpResponseReader::Status::NeedMore) {
        ECHW_FUZZ_CHECK(reader.append("HTTP/1.1 200 OK\r\n") == verdict);
        ECHW_FUZZ_CHECK(reader.finishInput() == verdict);
        ECHW_FUZZ_CHECK(describe(reader) == beforeEnd);
    } else {
        ECHW_FUZZ_CHECK(reader.finishInput() == HttpResponseReader::Status::Failed);
    }
    if (verdict == HttpResponseReader::Status::Complete)
        checkComplete(reader.response(), limits);
    return beforeEnd;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    echw::fuzz::expectSplitIndependentFor(echw::fuzz::bytesOf(data, size),
                                          {HttpResponseReader::Limits{}, kSmallLimits}, run);
    return 0;
}
