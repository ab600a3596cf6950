#include "DnsMessage.h"

#include <algorithm>
#include <limits>

namespace echw {

namespace {

constexpr qsizetype kHeaderSize = 12;     // RFC 1035 section 4.1.1
constexpr qsizetype kQuestionFixed = 4;   // QTYPE, QCLASS after QNAME (section 4.1.2)
constexpr qsizetype kRecordFixed = 10;    // TYPE, CLASS, TTL, RDLENGTH after NAME (4.1.3)
constexpr qsizetype kMaxLabelLength = 63; // section 2.3.4
constexpr qsizetype kMaxNameWireLength = 255;
constexpr qsizetype kMaxNameTextLength = 253; // 255 wire bytes minus first length and root
// A name has at most 127 labels, so an encoder never needs more pointers than that; the cap
// keeps a crafted chain of pointer-to-pointer hops from costing thousands of steps per name.
constexpr int kMaxPointerJumps = kMaxNameWireLength / 2;
// Resolvers give up after a handful of CNAME hops too; this also ends CNAME loops.
constexpr int kMaxCnameChain = 16;

constexpr quint16 kFlagResponse = 0x8000; // QR
constexpr quint16 kFlagAuthoritative = 0x0400;
constexpr quint16 kFlagTruncated = 0x0200;
constexpr quint16 kFlagRecursionDesired = 0x0100;
constexpr quint16 kFlagRecursionAvailable = 0x0080;
constexpr quint8 kPointerTag = 0xC0; // top two bits of a compression pointer

quint8 byteAt(QByteArrayView data, qsizetype at)
{
    return static_cast<quint8>(data[at]);
}

quint16 u16At(QByteArrayView data, qsizetype at)
{
    return quint16((byteAt(data, at) << 8) | byteAt(data, at + 1));
}

quint32 u32At(QByteArrayView data, qsizetype at)
{
    return (quint32(u16At(data, at)) << 16) | u16At(data, at + 2);
}

void appendU16(QByteArray& out, quint16 value)
{
    out.append(char(value >> 8));
    out.append(char(value & 0xFF));
}

bool isAsciiHostChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') ||
           c == u'-' || c == u'_';
}

// The name lower-cased without its trailing dot, or nullopt when buildDnsQuery would refuse it.
std::optional<QString> normalizedQueryName(QStringView name)
{
    if (name.endsWith(u'.'))
        name.chop(1);
    if (name.isEmpty() || name.size() > kMaxNameTextLength)
        return std::nullopt;
    for (QStringView label : name.split(u'.')) {
        if (label.isEmpty() || label.size() > kMaxLabelLength)
            return std::nullopt;
        if (!std::all_of(label.begin(), label.end(), isAsciiHostChar))
            return std::nullopt;
    }
    return name.toString().toLower();
}

bool sameName(QStringView a, QStringView b)
{
    // Decoded names are pure ASCII (see DnsMessage.h), so this is RFC 4343 ASCII case folding.
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

void appendEscapedLabel(QString& out, QByteArrayView label)
{
    for (char ch : label) {
        const auto byte = static_cast<quint8>(ch);
        if (ch == '.' || ch == '\\') {
            out += u'\\';
            out += QLatin1Char(ch);
        } else if (byte <= 0x20 || byte >= 0x7F) {
            out += QStringLiteral("\\%1").arg(int(byte), 3, 10, QLatin1Char('0'));
        } else {
            out += QLatin1Char(ch);
        }
    }
}

std::variant<DecodedDnsName, QString> decodeName(QByteArrayView data, qsizetype offset,
                                                 bool allowPointers)
{
    if (offset < 0 || offset >= data.size())
        return QStringLiteral("truncated before the name at offset %1").arg(offset);
    QString text;
    qsizetype pos = offset;
    qsizetype lowestVisited = offset;
    qsizetype end = -1;
    qsizetype wireLength = 0;
    int jumps = 0;
    for (;;) {
        if (pos >= data.size())
            return QStringLiteral("truncated inside the name at offset %1").arg(offset);
        const quint8 length = byteAt(data, pos);
        if ((length & kPointerTag) == kPointerTag) {
            if (!allowPointers)
                return QStringLiteral("compression pointer at offset %1 in a name that must "
                                      "be uncompressed")
                    .arg(pos);
            if (pos + 1 >= data.size())
                return QStringLiteral("truncated inside the compression pointer at offset %1")
                    .arg(pos);
            const qsizetype target = (qsizetype(length & 0x3F) << 8) | byteAt(data, pos + 1);
            // RFC 1035 4.1.4: a pointer refers to a prior occurrence. Requiring it to land
            // before everything this name has read so far also guarantees progress: no loops.
            if (target >= lowestVisited)
                return QStringLiteral("compression pointer at offset %1 points forward or "
                                      "loops (to offset %2)")
                    .arg(pos)
                    .arg(target);
            if (++jumps > kMaxPointerJumps)
                return QStringLiteral("name at offset %1 uses more than %2 compression pointers")
                    .arg(offset)
                    .arg(kMaxPointerJumps);
            if (end < 0)
                end = pos + 2;
            pos = lowestVisited = target;
            continue;
        }
        // 0x40 and 0x80 prefixes are the extended label types RFC 6891 section 5 retired.
        if (length > kMaxLabelLength)
            return QStringLiteral("label length %1 at offset %2 is over 63")
                .arg(int(length))
                .arg(pos);
        wireLength += 1 + length;
        if (wireLength > kMaxNameWireLength)
            return QStringLiteral("name at offset %1 is longer than 255 bytes").arg(offset);
        if (length == 0) {
            if (end < 0)
                end = pos + 1;
            break;
        }
        if (length > data.size() - pos - 1)
            return QStringLiteral("truncated inside the label at offset %1").arg(pos);
        if (!text.isEmpty())
            text += u'.';
        appendEscapedLabel(text, data.sliced(pos + 1, length));
        pos += 1 + length;
    }
    if (text.isEmpty())
        text = QStringLiteral(".");
    return DecodedDnsName{text, end};
}

// Parses `count` records starting at pos into out; returns the error, if any.
std::optional<QString> parseRecords(QByteArrayView message, qsizetype& pos, int count,
                                    QStringView section, QList<DnsRecord>& out)
{
    for (int i = 0; i < count; ++i) {
        const auto where = [&] {
            return QStringLiteral("%1 record %2").arg(section).arg(i + 1);
        };
        auto name = readDnsName(message, pos);
        if (const auto* error = std::get_if<QString>(&name))
            return QStringLiteral("%1 in %2").arg(*error, where());
        auto& decoded = std::get<DecodedDnsName>(name);
        pos = decoded.end;
        if (message.size() - pos < kRecordFixed)
            return QStringLiteral("truncated inside %1").arg(where());
        DnsRecord record;
        record.name = std::move(decoded.name);
        record.type = u16At(message, pos);
        record.rrClass = u16At(message, pos + 2);
        record.ttl = u32At(message, pos + 4);
        const quint16 rdLength = u16At(message, pos + 8);
        pos += kRecordFixed;
        if (message.size() - pos < rdLength)
            return QStringLiteral("truncated inside the data of %1 (%2 bytes declared, %3 left)")
                .arg(where())
                .arg(rdLength)
                .arg(message.size() - pos);
        record.rdataOffset = pos;
        record.rdata = message.sliced(pos, rdLength).toByteArray();
        pos += rdLength;
        out.append(std::move(record));
    }
    return std::nullopt;
}

QString svcParamKeyName(quint16 key)
{
    switch (key) {
    case SvcParamKey::Mandatory:
        return QStringLiteral("mandatory");
    case SvcParamKey::Alpn:
        return QStringLiteral("alpn");
    case SvcParamKey::NoDefaultAlpn:
        return QStringLiteral("no-default-alpn");
    case SvcParamKey::Port:
        return QStringLiteral("port");
    case SvcParamKey::Ipv4Hint:
        return QStringLiteral("ipv4hint");
    case SvcParamKey::Ech:
        return QStringLiteral("ech");
    case SvcParamKey::Ipv6Hint:
        return QStringLiteral("ipv6hint");
    default:
        return QStringLiteral("key%1").arg(key); // RFC 9460 section 2.1 unknown-key form
    }
}

// The "expected format" of RFC 9460 section 2.2 for the keys whose values it (sections 7, 8)
// and RFC 9848 (ech) define. Unknown keys have no format to break.
std::optional<QString> checkSvcParamValue(quint16 key, QByteArrayView value)
{
    switch (key) {
    case SvcParamKey::Mandatory: {
        if (value.isEmpty() || value.size() % 2 != 0)
            return QStringLiteral("is not a non-empty list of 2-byte keys");
        for (qsizetype at = 0; at < value.size(); at += 2) {
            const quint16 listed = u16At(value, at);
            if (listed == SvcParamKey::Mandatory)
                return QStringLiteral("lists itself");
            if (at > 0 && listed <= u16At(value, at - 2))
                return QStringLiteral("keys are not in strictly increasing order");
        }
        return std::nullopt;
    }
    case SvcParamKey::Alpn: {
        if (value.isEmpty())
            return QStringLiteral("lists no protocol");
        for (qsizetype at = 0; at < value.size();) {
            const quint8 idLength = byteAt(value, at);
            if (idLength == 0)
                return QStringLiteral("has an empty protocol id");
            if (idLength > value.size() - at - 1)
                return QStringLiteral("has a protocol id running past its end");
            at += 1 + idLength;
        }
        return std::nullopt;
    }
    case SvcParamKey::NoDefaultAlpn:
        if (!value.isEmpty())
            return QStringLiteral("is not empty");
        return std::nullopt;
    case SvcParamKey::Port:
        if (value.size() != 2)
            return QStringLiteral("is %1 bytes, not 2").arg(value.size());
        return std::nullopt;
    case SvcParamKey::Ipv4Hint:
        if (value.isEmpty() || value.size() % 4 != 0)
            return QStringLiteral("is not a non-empty list of IPv4 addresses");
        return std::nullopt;
    case SvcParamKey::Ipv6Hint:
        if (value.isEmpty() || value.size() % 16 != 0)
            return QStringLiteral("is not a non-empty list of IPv6 addresses");
        return std::nullopt;
    case SvcParamKey::Ech:
        return validateEchConfigList(value);
    default:
        return std::nullopt;
    }
}

// RFC 9460 section 2.4.3: recognised SvcParams must agree with each other ("self-consistent").
std::optional<QString> checkSelfConsistency(const SvcbRecord& record)
{
    if (const auto mandatory = record.param(SvcParamKey::Mandatory)) {
        for (qsizetype at = 0; at < mandatory->size(); at += 2) {
            const quint16 listed = u16At(*mandatory, at);
            if (!record.param(listed))
                return QStringLiteral("mandatory lists %1, which the record does not carry")
                    .arg(svcParamKeyName(listed));
        }
    }
    // Section 7.1.1: no-default-alpn only makes sense next to an alpn list.
    if (record.param(SvcParamKey::NoDefaultAlpn) && !record.param(SvcParamKey::Alpn))
        return QStringLiteral("no-default-alpn without alpn");
    return std::nullopt;
}

// RFC 2181 section 8: a TTL with the top bit set is to be read as zero.
quint32 effectiveTtl(quint32 ttl)
{
    return ttl > quint32(std::numeric_limits<qint32>::max()) ? 0 : ttl;
}

QString rcodeText(quint8 rcode)
{
    switch (rcode) {
    case DnsRcode::FormErr:
        return QStringLiteral("FORMERR");
    case DnsRcode::ServFail:
        return QStringLiteral("SERVFAIL");
    case DnsRcode::NxDomain:
        return QStringLiteral("NXDOMAIN");
    case DnsRcode::NotImp:
        return QStringLiteral("NOTIMP");
    case DnsRcode::Refused:
        return QStringLiteral("REFUSED");
    default:
        return QStringLiteral("error code %1").arg(int(rcode));
    }
}

} // namespace

std::optional<QByteArray> SvcbRecord::param(quint16 key) const
{
    for (const SvcParam& p : params) {
        if (p.key == key)
            return p.value;
    }
    return std::nullopt;
}

QByteArray buildDnsQuery(QStringView name, quint16 type, quint16 id)
{
    const auto normalized = normalizedQueryName(name);
    if (!normalized)
        return {};
    QByteArray query;
    query.reserve(kHeaderSize + normalized->size() + 2 + kQuestionFixed);
    appendU16(query, id);
    // QR=0, OPCODE=QUERY, RD=1: the DoH server is a recursive resolver and must recurse.
    appendU16(query, kFlagRecursionDesired);
    appendU16(query, 1); // QDCOUNT
    appendU16(query, 0); // ANCOUNT
    appendU16(query, 0); // NSCOUNT
    appendU16(query, 0); // ARCOUNT
    for (QStringView label : QStringView(*normalized).split(u'.')) {
        query.append(char(label.size()));
        query.append(label.toLatin1());
    }
    query.append('\0');
    appendU16(query, type);
    appendU16(query, DnsClassIn);
    return query;
}

std::variant<DecodedDnsName, QString> readDnsName(QByteArrayView message, qsizetype offset)
{
    return decodeName(message, offset, true);
}

std::variant<DnsResponse, QString> parseDnsResponse(QByteArrayView message)
{
    if (message.size() < kHeaderSize)
        return QStringLiteral("truncated inside the header (%1 of 12 bytes)").arg(message.size());
    const quint16 flags = u16At(message, 2);
    if (!(flags & kFlagResponse))
        return QStringLiteral("the message is a query, not a response (QR bit is 0)");

    DnsResponse response;
    response.id = u16At(message, 0);
    response.opcode = quint8((flags >> 11) & 0xF);
    response.rcode = quint8(flags & 0xF);
    response.authoritative = flags & kFlagAuthoritative;
    response.truncated = flags & kFlagTruncated;
    response.recursionAvailable = flags & kFlagRecursionAvailable;
    const int questionCount = u16At(message, 4);
    const int answerCount = u16At(message, 6);
    const int authorityCount = u16At(message, 8);
    const int additionalCount = u16At(message, 10);

    // No reserve() from the counts: they are untrusted, the bytes bound the real number.
    qsizetype pos = kHeaderSize;
    for (int i = 0; i < questionCount; ++i) {
        auto name = readDnsName(message, pos);
        if (const auto* error = std::get_if<QString>(&name))
            return QStringLiteral("%1 in question %2").arg(*error, QString::number(i + 1));
        auto& decoded = std::get<DecodedDnsName>(name);
        pos = decoded.end;
        if (message.size() - pos < kQuestionFixed)
            return QStringLiteral("truncated inside question %1").arg(i + 1);
        response.questions.append(
            DnsQuestion{std::move(decoded.name), u16At(message, pos), u16At(message, pos + 2)});
        pos += kQuestionFixed;
    }
    if (auto error = parseRecords(message, pos, answerCount, u"answer", response.answers))
        return *error;
    if (auto error = parseRecords(message, pos, authorityCount, u"authority", response.authorities))
        return *error;
    if (auto error =
            parseRecords(message, pos, additionalCount, u"additional", response.additionals))
        return *error;
    if (pos != message.size())
        return QStringLiteral("%1 unexpected bytes after the last record")
            .arg(message.size() - pos);
    return response;
}

std::variant<SvcbRecord, QString> parseSvcbRdata(QByteArrayView rdata)
{
    if (rdata.size() < 2)
        return QStringLiteral("record data too short for SvcPriority");
    SvcbRecord record;
    record.priority = u16At(rdata, 0);
    auto target = decodeName(rdata, 2, false);
    if (const auto* error = std::get_if<QString>(&target))
        return QStringLiteral("%1 in TargetName").arg(*error);
    auto& decodedTarget = std::get<DecodedDnsName>(target);
    record.targetName = std::move(decodedTarget.name);

    qsizetype pos = decodedTarget.end;
    while (pos < rdata.size()) {
        if (rdata.size() - pos < 4)
            return QStringLiteral("record data ends inside a SvcParam header");
        const quint16 key = u16At(rdata, pos);
        const quint16 length = u16At(rdata, pos + 2);
        pos += 4;
        if (!record.params.isEmpty()) {
            const quint16 previous = record.params.constLast().key;
            if (key == previous)
                return QStringLiteral("SvcParam %1 appears twice").arg(svcParamKeyName(key));
            if (key < previous)
                return QStringLiteral("SvcParam %1 follows %2; keys must be in increasing order")
                    .arg(svcParamKeyName(key), svcParamKeyName(previous));
        }
        if (rdata.size() - pos < length)
            return QStringLiteral("value of SvcParam %1 runs past the end of the record data")
                .arg(svcParamKeyName(key));
        const QByteArrayView value = rdata.sliced(pos, length);
        if (auto problem = checkSvcParamValue(key, value))
            return QStringLiteral("SvcParam %1 %2").arg(svcParamKeyName(key), *problem);
        record.params.append(SvcParam{key, value.toByteArray()});
        pos += length;
    }
    if (auto problem = checkSelfConsistency(record))
        return *problem;
    return record;
}

std::optional<QString> validateEchConfigList(QByteArrayView list)
{
    if (list.size() < 2)
        return QStringLiteral("ECHConfigList is shorter than its 2-byte length");
    const quint16 declared = u16At(list, 0);
    if (declared != list.size() - 2)
        return QStringLiteral("ECHConfigList declares %1 bytes but carries %2")
            .arg(declared)
            .arg(list.size() - 2);
    if (declared == 0)
        return QStringLiteral("ECHConfigList is empty");
    for (qsizetype pos = 2; pos < list.size();) {
        if (list.size() - pos < 4)
            return QStringLiteral("ECHConfig at offset %1 is cut off inside its header").arg(pos);
        const quint16 length = u16At(list, pos + 2);
        if (list.size() - pos - 4 < length)
            return QStringLiteral("ECHConfig at offset %1 declares %2 bytes but only %3 remain")
                .arg(pos)
                .arg(length)
                .arg(list.size() - pos - 4);
        pos += 4 + length;
    }
    return std::nullopt;
}

std::variant<EchLookupResult, QString> extractEchConfig(QByteArrayView dnsResponse,
                                                        QStringView queriedName)
{
    const auto normalized = normalizedQueryName(queriedName);
    if (!normalized)
        return QStringLiteral("\"%1\" is not a valid domain name").arg(queriedName);
    const QString& queried = *normalized;

    auto parsed = parseDnsResponse(dnsResponse);
    if (const auto* error = std::get_if<QString>(&parsed)) {
        // The parser's errors for a short message start with "truncated" (see DnsMessage.h),
        // which makes "DNS answer for X is truncated inside ...".
        if (error->startsWith(u"truncated"))
            return QStringLiteral("DNS answer for %1 is %2").arg(queried, *error);
        return QStringLiteral("DNS answer for %1 is invalid: %2").arg(queried, *error);
    }
    const DnsResponse& response = std::get<DnsResponse>(parsed);

    // TC tells a UDP client to retry over TCP; a DoH answer already comes over a stream and
    // may be up to 64 KiB, so here it only means records are missing.
    if (response.truncated)
        return QStringLiteral("DNS answer for %1 is truncated (TC flag set); try another DoH "
                              "server")
            .arg(queried);
    if (response.opcode != 0)
        return QStringLiteral("DNS answer for %1 has opcode %2 instead of QUERY")
            .arg(queried)
            .arg(int(response.opcode));
    if (response.rcode == DnsRcode::NxDomain)
        return QStringLiteral("DNS server answered NXDOMAIN for %1: the name does not exist; "
                              "check the ECH domain")
            .arg(queried);
    if (response.rcode != DnsRcode::NoError)
        return QStringLiteral("DNS server answered %1 for %2; try again later or use another "
                              "DoH server")
            .arg(rcodeText(response.rcode), queried);
    // Servers echo the question (RFC 1035 section 4.1.2); a different one means the answer
    // belongs to another query.
    if (response.questions.size() > 1)
        return QStringLiteral("DNS answer for %1 carries %2 questions instead of one")
            .arg(queried)
            .arg(response.questions.size());
    if (response.questions.size() == 1) {
        const DnsQuestion& question = response.questions.constFirst();
        if (!sameName(question.name, queried) || question.type != DnsType::Https ||
            question.qclass != DnsClassIn)
            return QStringLiteral("DNS answer for %1 answers a different question (%2, type %3)")
                .arg(queried, question.name, QString::number(question.type));
    }

    quint32 ttl = std::numeric_limits<quint32>::max();
    QString owner = queried;
    for (int hops = 0;; ++hops) {
        const DnsRecord* cname = nullptr;
        for (const DnsRecord& record : response.answers) {
            if (record.type != DnsType::Cname || record.rrClass != DnsClassIn ||
                !sameName(record.name, owner))
                continue;
            // RFC 2181 section 10.1: a name has at most one CNAME.
            if (cname)
                return QStringLiteral("DNS answer for %1 has more than one CNAME for %2")
                    .arg(queried, owner);
            cname = &record;
        }
        if (!cname)
            break;
        if (hops == kMaxCnameChain)
            return QStringLiteral("DNS answer for %1 has more than %2 CNAMEs in a row or a "
                                  "CNAME loop")
                .arg(queried)
                .arg(kMaxCnameChain);
        auto target = readDnsName(dnsResponse, cname->rdataOffset);
        if (const auto* error = std::get_if<QString>(&target))
            return QStringLiteral("DNS answer for %1 has a malformed CNAME for %2: %3")
                .arg(queried, owner, *error);
        if (std::get<DecodedDnsName>(target).end != cname->rdataOffset + cname->rdata.size())
            return QStringLiteral("DNS answer for %1 has a malformed CNAME for %2: the name does "
                                  "not fill the record data")
                .arg(queried, owner);
        ttl = std::min(ttl, effectiveTtl(cname->ttl));
        owner = std::move(std::get<DecodedDnsName>(target).name);
    }
    const QString ownerText = sameName(owner, queried)
                                  ? queried
                                  : QStringLiteral("%1 (CNAME target of %2)").arg(owner, queried);

    struct HttpsRr {
        const DnsRecord* record;
        SvcbRecord svcb;
    };
    QList<HttpsRr> rrset;
    for (const DnsRecord& record : response.answers) {
        if (record.type != DnsType::Https || record.rrClass != DnsClassIn ||
            !sameName(record.name, owner))
            continue;
        auto svcb = parseSvcbRdata(record.rdata);
        // RFC 9460 section 2.2: one malformed RR makes the client reject the whole RRset.
        if (const auto* error = std::get_if<QString>(&svcb))
            return QStringLiteral("HTTPS record for %1 is malformed: %2").arg(ownerText, *error);
        rrset.append(HttpsRr{&record, std::move(std::get<SvcbRecord>(svcb))});
    }
    if (rrset.isEmpty())
        return QStringLiteral("no HTTPS record for %1 in the DNS answer").arg(ownerText);

    // RFC 9460 section 2.4.1: with an AliasMode record present, ServiceMode records are
    // ignored. Following the alias needs another query, which is the caller's business.
    const auto alias = std::find_if(rrset.cbegin(), rrset.cend(),
                                    [](const HttpsRr& rr) { return rr.svcb.isAliasMode(); });
    if (alias != rrset.cend()) {
        // Section 2.5.1: AliasMode to "." means the service is not available.
        if (alias->svcb.targetName == QLatin1StringView("."))
            return QStringLiteral("HTTPS record for %1 says the service is not available")
                .arg(ownerText);
        return QStringLiteral("HTTPS record for %1 is an alias for %2; use %2 as the ECH domain")
            .arg(ownerText, alias->svcb.targetName);
    }

    // Lowest SvcPriority wins (section 2.4.1); on a tie the first in the answer is taken, so
    // the result is reproducible: the shuffle RFC 9460 suggests balances connection load,
    // which does not apply to picking a key.
    const HttpsRr* best = nullptr;
    for (const HttpsRr& rr : rrset) {
        if (rr.svcb.param(SvcParamKey::Ech) && (!best || rr.svcb.priority < best->svcb.priority))
            best = &rr;
    }
    if (!best)
        return QStringLiteral("no HTTPS record with an ech parameter for %1").arg(ownerText);

    EchLookupResult result;
    result.echConfigList = *best->svcb.param(SvcParamKey::Ech);
    result.ttl = std::min(ttl, effectiveTtl(best->record->ttl));
    result.ownerName = best->record->name;
    return result;
}

} // namespace echw
