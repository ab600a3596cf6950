// The RDATA of an HTTPS/SVCB record (RFC 9460 section 2.2) on its own, so the fuzzer spends its
// time on SvcParams rather than on building a DNS message around them.

#include "FuzzSupport.h"
#include "ech/DnsMessage.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView rdata = echw::fuzz::bytesOf(data, size);
    const auto parsed = echw::parseSvcbRdata(rdata);
    const auto* record = std::get_if<echw::SvcbRecord>(&parsed);
    if (!record) {
        ECHW_FUZZ_CHECK(!std::get<QString>(parsed).isEmpty());
        return 0;
    }
    ECHW_FUZZ_CHECK(!record->targetName.isEmpty());
    // The parameters fill the data after the name: 4 header bytes and the value each.
    qsizetype paramBytes = 0;
    for (qsizetype i = 0; i < record->params.size(); ++i) {
        if (i > 0)
            ECHW_FUZZ_CHECK(record->params[i - 1].key < record->params[i].key);
        paramBytes += 4 + record->params[i].value.size();
        ECHW_FUZZ_CHECK(record->param(record->params[i].key) == record->params[i].value);
    }
    ECHW_FUZZ_CHECK(paramBytes <= rdata.size() - 3);
    ECHW_FUZZ_CHECK(
        rdata.endsWith(record->params.isEmpty() ? QByteArray() : record->params.last().value));
    if (const auto ech = record->param(echw::SvcParamKey::Ech))
        ECHW_FUZZ_CHECK(!echw::validateEchConfigList(*ech));
    return 0;
}
