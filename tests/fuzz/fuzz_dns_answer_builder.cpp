// A DoH query sent to the worker server's own DNS endpoint (RFC 8484, RFC 1035 section 4):
// the answer it builds must be a response the client's strict parser accepts, echoing the
// query, and for the server's own name it must carry the ECHConfigList the client extracts.

#include "FuzzSupport.h"
#include "ech/DnsAnswerBuilder.h"
#include "ech/DnsMessage.h"

namespace {

// A valid ECHConfigList: the 2-byte list length, then one entry of version 0xfe0d with four
// bytes of contents.
const QByteArray kEchConfigList = QByteArrayLiteral("\x00\x08\xfe\x0d\x00\x04\x01\x02\x03\x04");
const QString kOwnName = QStringLiteral("public.example");
constexpr quint32 kTtl = 300;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView query = echw::fuzz::bytesOf(data, size);
    const auto built = echw::buildHttpsAnswer(query, kOwnName, kEchConfigList, kTtl);
    const auto* answer = std::get_if<QByteArray>(&built);
    if (!answer) {
        ECHW_FUZZ_CHECK(std::get<QString>(built).startsWith(u"malformed DNS query"));
        return 0;
    }
    const auto parsed = echw::parseDnsResponse(*answer);
    const auto* response = std::get_if<echw::DnsResponse>(&parsed);
    ECHW_FUZZ_CHECK(response);
    ECHW_FUZZ_CHECK(answer->first(2) == query.first(2)); // the ID
    if (response->rcode == echw::DnsRcode::NotImp) {
        ECHW_FUZZ_CHECK(response->questions.isEmpty() && response->answers.isEmpty());
        return 0;
    }
    ECHW_FUZZ_CHECK(response->questions.size() == 1);
    const echw::DnsQuestion& question = response->questions.first();
    const bool own = question.name.compare(kOwnName, Qt::CaseInsensitive) == 0;
    ECHW_FUZZ_CHECK(own == (response->rcode != echw::DnsRcode::NxDomain));
    const bool asksForHttps =
        own && question.type == echw::DnsType::Https && question.qclass == echw::DnsClassIn;
    ECHW_FUZZ_CHECK(response->answers.size() == (asksForHttps ? 1 : 0));
    if (!asksForHttps)
        return 0;
    const auto extracted = echw::extractEchConfig(*answer, kOwnName);
    const auto* found = std::get_if<echw::EchLookupResult>(&extracted);
    ECHW_FUZZ_CHECK(found && found->echConfigList == kEchConfigList && found->ttl == kTtl);
    return 0;
}
