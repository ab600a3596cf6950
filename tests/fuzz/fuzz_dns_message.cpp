// A DNS response as a DoH server sends it (RFC 1035 section 4, RFC 8484): the strict parser,
// names with compression pointers, HTTPS/SVCB records (RFC 9460) and the CNAME chain that
// extractEchConfig follows to the ECHConfigList.

#include "FuzzSupport.h"
#include "ech/DnsMessage.h"

#include <algorithm>
#include <limits>

namespace {

using echw::DnsRecord;

// A name decoded from the wire is plain ASCII (escapes for the rest), so it compares the way
// RFC 4343 says.
bool isPrintableAscii(const QString& name)
{
    return std::all_of(name.begin(), name.end(),
                       [](QChar c) { return c.unicode() > 0x20 && c.unicode() < 0x7F; });
}

void checkName(QByteArrayView message, qsizetype offset)
{
    const auto decoded = echw::readDnsName(message, offset);
    if (const auto* name = std::get_if<echw::DecodedDnsName>(&decoded)) {
        ECHW_FUZZ_CHECK(name->end > offset && name->end <= message.size());
        ECHW_FUZZ_CHECK(!name->name.isEmpty() && isPrintableAscii(name->name));
    }
}

void checkRecords(QByteArrayView message, const QList<DnsRecord>& records)
{
    for (const DnsRecord& record : records) {
        ECHW_FUZZ_CHECK(record.rdataOffset >= 0 &&
                        record.rdataOffset + record.rdata.size() <= message.size());
        ECHW_FUZZ_CHECK(message.sliced(record.rdataOffset, record.rdata.size()) == record.rdata);
        ECHW_FUZZ_CHECK(isPrintableAscii(record.name));
        if (record.type == echw::DnsType::Https)
            echw::parseSvcbRdata(record.rdata);
        if (record.type == echw::DnsType::Cname)
            checkName(message, record.rdataOffset);
    }
}

// A query for a name read from the wire, once it is one buildDnsQuery takes, must read back as
// that name.
void checkQueryFor(const QString& name)
{
    const QByteArray query = echw::buildDnsQuery(name, echw::DnsType::Https);
    if (query.isEmpty())
        return;
    QByteArray asResponse = query;
    asResponse[2] = char(quint8(asResponse[2]) | 0x80);
    const auto parsed = echw::parseDnsResponse(asResponse);
    const auto* response = std::get_if<echw::DnsResponse>(&parsed);
    ECHW_FUZZ_CHECK(response && response->questions.size() == 1);
    ECHW_FUZZ_CHECK(response->questions.first().name.compare(name, Qt::CaseInsensitive) == 0);
}

void checkExtraction(QByteArrayView message, const QString& queried)
{
    const auto extracted = echw::extractEchConfig(message, queried);
    if (const auto* found = std::get_if<echw::EchLookupResult>(&extracted)) {
        ECHW_FUZZ_CHECK(!echw::validateEchConfigList(found->echConfigList));
        ECHW_FUZZ_CHECK(found->ttl <= quint32(std::numeric_limits<qint32>::max()));
        ECHW_FUZZ_CHECK(!found->ownerName.isEmpty());
    } else {
        ECHW_FUZZ_CHECK(!std::get<QString>(extracted).isEmpty());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView message = echw::fuzz::bytesOf(data, size);
    // Names anywhere in the message: a crafted pointer may aim at any byte.
    for (qsizetype offset = 0; offset < std::min<qsizetype>(message.size(), 48); ++offset)
        checkName(message, offset);

    const auto parsed = echw::parseDnsResponse(message);
    QString queried = QStringLiteral("example.com");
    if (const auto* response = std::get_if<echw::DnsResponse>(&parsed)) {
        for (const auto& question : response->questions)
            ECHW_FUZZ_CHECK(isPrintableAscii(question.name));
        checkRecords(message, response->answers);
        checkRecords(message, response->authorities);
        checkRecords(message, response->additionals);
        if (!response->questions.isEmpty()) {
            queried = response->questions.first().name;
            checkQueryFor(queried);
        }
    }
    checkExtraction(message, queried);
    return 0;
}
