#include "DnsAnswerBuilder.h"

#include "ech/DnsMessage.h"

#include <algorithm>
#include <limits>

namespace echw {

namespace {

constexpr qsizetype kHeaderSize = 12; // RFC 1035 section 4.1.1
constexpr qsizetype kQuestionFixed = 4;
constexpr quint8 kFlagResponseHigh = 0x80; // QR in the first flags byte
constexpr quint16 kFlagResponse = 0x8000;
constexpr quint16 kFlagAuthoritative = 0x0400;
constexpr quint16 kFlagRecursionDesired = 0x0100;
constexpr quint16 kFlagRecursionAvailable = 0x0080;
constexpr quint8 kPointerTag = 0xC0;
// The question name always starts right after the header (RFC 1035 section 4.1.4).
constexpr quint16 kPointerToQuestionName = 0xC000 | kHeaderSize;
constexpr quint16 kServicePriority = 1; // any non-zero SvcPriority is ServiceMode
constexpr char kAlpnHttp11[] = "http/1.1";

void appendU16(QByteArray& out, quint16 value)
{
    out.append(char(value >> 8));
    out.append(char(value & 0xFF));
}

void appendU32(QByteArray& out, quint32 value)
{
    appendU16(out, quint16(value >> 16));
    appendU16(out, quint16(value & 0xFFFF));
}

QByteArray httpsRdata(QByteArrayView echConfigList)
{
    // RFC 9460 section 7.1.2: alpn is a list of length-prefixed protocol ids.
    const QByteArray alpn = char(sizeof kAlpnHttp11 - 1) + QByteArray(kAlpnHttp11);
    QByteArray rdata;
    appendU16(rdata, kServicePriority);
    rdata.append('\0'); // TargetName "."
    appendU16(rdata, SvcParamKey::Alpn);
    appendU16(rdata, quint16(alpn.size()));
    rdata.append(alpn);
    appendU16(rdata, SvcParamKey::Ech);
    appendU16(rdata, quint16(echConfigList.size()));
    rdata.append(echConfigList);
    return rdata;
}

} // namespace

std::variant<QByteArray, QString> buildHttpsAnswer(QByteArrayView query, QStringView ownName,
                                                   QByteArrayView echConfigList, quint32 ttl)
{
    Q_ASSERT(!validateEchConfigList(echConfigList));
    if (query.size() < kHeaderSize)
        return QStringLiteral("malformed DNS query: truncated inside the header (%1 of 12 bytes)")
            .arg(query.size());
    if (quint8(query[2]) & kFlagResponseHigh)
        return QStringLiteral("malformed DNS query: the message is a response (QR bit is 1)");
    // A query has the layout of a response (RFC 1035 section 4.1) with QR clear, so the
    // codec's strict response parser checks every count, name and length of it.
    QByteArray asResponse = query.toByteArray();
    asResponse[2] = char(quint8(asResponse[2]) | kFlagResponseHigh);
    auto parsed = parseDnsResponse(asResponse);
    if (const auto* error = std::get_if<QString>(&parsed))
        return QStringLiteral("malformed DNS query: %1").arg(*error);
    const DnsResponse& message = std::get<DnsResponse>(parsed);
    if (message.questions.size() != 1)
        return QStringLiteral("malformed DNS query: %1 questions instead of one")
            .arg(message.questions.size());

    qsizetype questionEnd = kHeaderSize;
    for (;;) {
        const quint8 length = quint8(query[questionEnd]);
        if ((length & kPointerTag) == kPointerTag)
            return QStringLiteral("malformed DNS query: compression pointer in the question "
                                  "name, which has no earlier name to point to");
        ++questionEnd;
        if (length == 0)
            break;
        questionEnd += length;
    }
    questionEnd += kQuestionFixed;

    const quint16 queryFlags = (quint16(quint8(query[2])) << 8) | quint8(query[3]);
    quint16 flags = kFlagResponse | kFlagRecursionAvailable | (queryFlags & kFlagRecursionDesired);
    QByteArray response;
    appendU16(response, message.id);
    if (message.opcode != 0) {
        appendU16(response, flags | (quint16(message.opcode) << 11) | DnsRcode::NotImp);
        response.append(QByteArray(8, '\0')); // no sections
        return response;
    }

    const DnsQuestion& question = message.questions.constFirst();
    QStringView own = ownName;
    if (own.endsWith(u'.'))
        own.chop(1);
    // Decoded names are plain ASCII (DnsMessage.h), so this is RFC 4343 case folding.
    const bool isOwnName = question.name.compare(own, Qt::CaseInsensitive) == 0;
    bool withAnswer = false;
    if (!isOwnName) {
        flags |= DnsRcode::NxDomain;
    } else if (question.qclass != DnsClassIn) {
        flags |= DnsRcode::Refused;
    } else {
        flags |= kFlagAuthoritative;
        withAnswer = question.type == DnsType::Https;
    }
    appendU16(response, flags);
    appendU16(response, 1);                  // QDCOUNT
    appendU16(response, withAnswer ? 1 : 0); // ANCOUNT
    appendU16(response, 0);                  // NSCOUNT
    appendU16(response, 0);                  // ARCOUNT
    response.append(query.sliced(kHeaderSize, questionEnd - kHeaderSize));
    if (withAnswer) {
        const QByteArray rdata = httpsRdata(echConfigList);
        appendU16(response, kPointerToQuestionName);
        appendU16(response, DnsType::Https);
        appendU16(response, DnsClassIn);
        // RFC 2181 section 8: a TTL is 31 bits.
        appendU32(response, std::min(ttl, quint32(std::numeric_limits<qint32>::max())));
        appendU16(response, quint16(rdata.size()));
        response.append(rdata);
    }
    return response;
}

} // namespace echw
