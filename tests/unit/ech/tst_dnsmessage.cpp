#include "TestValues.h"
#include "ech/DnsMessage.h"

#include <QHash>
#include <QRandomGenerator>
#include <QTest>

using namespace echw;
using echw::test::errorOf;

namespace {

constexpr quint16 kTypeA = 1;
constexpr quint16 kTypeOpt = 41;
constexpr quint16 kTypeRrsig = 46;
constexpr quint16 kFlagsOk = 0x8180; // QR, RD, RA, NOERROR

// Writes DNS messages byte by byte so every test states exactly what is on the wire. name()
// compresses against suffixes written earlier, as servers do (RFC 1035 section 4.1.4).
class Wire {
public:
    Wire& u8(quint8 value)
    {
        m_bytes.append(char(value));
        return *this;
    }
    Wire& u16(quint16 value) { return u8(quint8(value >> 8)).u8(quint8(value)); }
    Wire& u32(quint32 value) { return u16(quint16(value >> 16)).u16(quint16(value)); }
    Wire& raw(QByteArrayView bytes)
    {
        m_bytes.append(bytes);
        return *this;
    }
    Wire& pointer(qsizetype offset) { return u16(quint16(0xC000 | offset)); }
    Wire& labels(QByteArrayView dotted)
    {
        for (const QByteArray& label : split(dotted))
            u8(quint8(label.size())).raw(label);
        return *this;
    }
    Wire& uncompressedName(QByteArrayView dotted) { return labels(dotted).u8(0); }
    Wire& name(QByteArrayView dotted)
    {
        const QList<QByteArray> parts = split(dotted);
        for (qsizetype i = 0; i < parts.size(); ++i) {
            const QByteArray suffix = parts.mid(i).join('.').toLower();
            if (const auto known = m_suffixes.constFind(suffix); known != m_suffixes.cend())
                return pointer(*known);
            if (m_bytes.size() < 0x4000)
                m_suffixes.insert(suffix, m_bytes.size());
            u8(quint8(parts[i].size())).raw(parts[i]);
        }
        return u8(0);
    }
    Wire& header(quint16 flags, quint16 questions, quint16 answers, quint16 additionals = 0,
                 quint16 id = 0)
    {
        return u16(id).u16(flags).u16(questions).u16(answers).u16(0).u16(additionals);
    }
    Wire& question(QByteArrayView dotted, quint16 type = DnsType::Https)
    {
        return name(dotted).u16(type).u16(DnsClassIn);
    }
    Wire& record(QByteArrayView owner, quint16 type, quint32 ttl, QByteArrayView rdata,
                 quint16 rrClass = DnsClassIn)
    {
        name(owner).u16(type).u16(rrClass).u32(ttl).u16(quint16(rdata.size()));
        return raw(rdata);
    }
    // A CNAME whose target is written in place, so it can be compressed like a server does.
    Wire& cname(QByteArrayView owner, quint32 ttl, QByteArrayView target)
    {
        name(owner).u16(DnsType::Cname).u16(DnsClassIn).u32(ttl);
        const qsizetype lengthAt = m_bytes.size();
        u16(0).name(target);
        const qsizetype length = m_bytes.size() - lengthAt - 2;
        m_bytes[lengthAt] = char(length >> 8);
        m_bytes[lengthAt + 1] = char(length);
        return *this;
    }
    // EDNS(0) OPT as DoH servers append it (RFC 6891): root owner, class = UDP payload size.
    Wire& opt() { return record(".", kTypeOpt, 0, {}, 1232); }

    qsizetype size() const { return m_bytes.size(); }
    QByteArray bytes() const { return m_bytes; }

private:
    static QList<QByteArray> split(QByteArrayView dotted)
    {
        if (dotted.isEmpty() || dotted == ".")
            return {};
        return dotted.toByteArray().split('.');
    }

    QByteArray m_bytes;
    QHash<QByteArray, qsizetype> m_suffixes;
};

using Params = QList<std::pair<quint16, QByteArray>>;

QByteArray svcb(quint16 priority, QByteArrayView target, const Params& params = {})
{
    Wire wire;
    wire.u16(priority).uncompressedName(target);
    for (const auto& [key, value] : params)
        wire.u16(key).u16(quint16(value.size())).raw(value);
    return wire.bytes();
}

// A one-entry ECHConfigList; the entry's contents are opaque to the code under test.
QByteArray echList(QByteArrayView contents)
{
    return Wire()
        .u16(quint16(contents.size() + 4))
        .u16(0xFE0D)
        .u16(quint16(contents.size()))
        .raw(contents)
        .bytes();
}

QByteArray alpn(std::initializer_list<QByteArrayView> ids)
{
    Wire wire;
    for (QByteArrayView id : ids)
        wire.u8(quint8(id.size())).raw(id);
    return wire.bytes();
}

const QByteArray kEchA = echList("config-A");
const QByteArray kEchB = echList("config-B");

// The shape a DoH server returns for a name behind a CNAME: question, CNAME whose target is
// compressed against the question, then HTTPS records whose owner points into the CNAME's
// RDATA, different priorities, one without ech, and an OPT record.
QByteArray cnameThenHttpsResponse()
{
    return Wire()
        .header(kFlagsOk, 1, 4, 1, 0xBEEF)
        .question("ech.example.com")
        .cname("ech.example.com", 3600, "cdn.example.com")
        .record("cdn.example.com", DnsType::Https, 600,
                svcb(2, ".", {{SvcParamKey::Alpn, alpn({"h2"})}, {SvcParamKey::Ech, kEchB}}))
        .record("cdn.example.com", DnsType::Https, 300,
                svcb(1, ".",
                     {{SvcParamKey::Alpn, alpn({"h3", "h2"})},
                      {SvcParamKey::Ipv4Hint, QByteArray::fromHex("c0000201")},
                      {SvcParamKey::Ech, kEchA}}))
        .record("cdn.example.com", DnsType::Https, 60,
                svcb(3, "svc.example.net", {{SvcParamKey::Alpn, alpn({"h2"})}}))
        .opt()
        .bytes();
}

struct Answer {
    QByteArray owner;
    quint16 type;
    quint32 ttl;
    QByteArray data; // for a CNAME the dotted target name
};

QByteArray response(QByteArrayView queried, const QList<Answer>& answers, quint16 flags = kFlagsOk)
{
    Wire wire;
    wire.header(flags, 1, quint16(answers.size()), 1).question(queried);
    for (const Answer& answer : answers) {
        if (answer.type == DnsType::Cname)
            wire.cname(answer.owner, answer.ttl, answer.data);
        else
            wire.record(answer.owner, answer.type, answer.ttl, answer.data);
    }
    return wire.opt().bytes();
}

Answer https(QByteArray owner, quint32 ttl, QByteArray rdata)
{
    return Answer{std::move(owner), DnsType::Https, ttl, std::move(rdata)};
}

} // namespace

class TestDnsMessage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void buildsQuery_data();
    void buildsQuery();
    void rejectsInvalidQueryNames_data();
    void rejectsInvalidQueryNames();
    void acceptsLongestQueryName();
    void parsesCompressedResponse();
    void reportsHeaderFlags();
    void escapesUnusualLabelBytes();
    void readsNamesAtTheLimits();
    void rejectsMalformedMessages_data();
    void rejectsMalformedMessages();
    void rejectsEveryTruncation();
    void parsesSvcbRdata_data();
    void parsesSvcbRdata();
    void rejectsMalformedSvcbRdata_data();
    void rejectsMalformedSvcbRdata();
    void validatesEchConfigList_data();
    void validatesEchConfigList();
    void extractsEchConfig_data();
    void extractsEchConfig();
    void explainsUnusableAnswers_data();
    void explainsUnusableAnswers();
    void survivesRandomMutations();
};

void TestDnsMessage::buildsQuery_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<quint16>("type");
    QTest::addColumn<quint16>("id");
    QTest::addColumn<QByteArray>("expected");

    // Header: ID, flags 0x0100 (RD), QDCOUNT 1, other counts 0; QNAME; QTYPE; QCLASS IN.
    const QByteArray cloudflare = QByteArray::fromHex("0000"
                                                      "0100"
                                                      "0001000000000000"
                                                      "0e636c6f7564666c6172652d656368"
                                                      "03636f6d00"
                                                      "0041"
                                                      "0001");
    QTest::newRow("HTTPS for cloudflare-ech.com")
        << QStringLiteral("cloudflare-ech.com") << quint16(65) << quint16(0) << cloudflare;
    QTest::newRow("trailing dot") << QStringLiteral("cloudflare-ech.com.") << quint16(65)
                                  << quint16(0) << cloudflare;
    QTest::newRow("sent lower-cased")
        << QStringLiteral("Cloudflare-ECH.COM") << quint16(65) << quint16(0) << cloudflare;
    QTest::newRow("A with id and underscore")
        << QStringLiteral("_a.b") << quint16(1) << quint16(0x1234)
        << QByteArray::fromHex("123401000001000000000000025f6101620000010001");
}

void TestDnsMessage::buildsQuery()
{
    QFETCH(QString, name);
    QFETCH(quint16, type);
    QFETCH(quint16, id);
    QFETCH(QByteArray, expected);

    QCOMPARE(buildDnsQuery(name, type, id).toHex(), expected.toHex());
}

void TestDnsMessage::rejectsInvalidQueryNames_data()
{
    QTest::addColumn<QString>("name");

    QTest::newRow("empty") << QString();
    QTest::newRow("root") << QStringLiteral(".");
    QTest::newRow("empty label") << QStringLiteral("a..b");
    QTest::newRow("leading dot") << QStringLiteral(".a.b");
    QTest::newRow("two trailing dots") << QStringLiteral("a.b..");
    QTest::newRow("label of 64") << QString(64, u'a') + QStringLiteral(".com");
    QTest::newRow("254 characters")
        << QStringList{QString(63, u'a'), QString(63, u'b'), QString(63, u'c'), QString(62, u'd')}
               .join(u'.');
    QTest::newRow("space") << QStringLiteral("a b.com");
    QTest::newRow("slash") << QStringLiteral("a/b.com");
    QTest::newRow("non-ASCII letter") << QStringLiteral("b\u00fccher.de");
}

void TestDnsMessage::rejectsInvalidQueryNames()
{
    QFETCH(QString, name);

    QVERIFY(buildDnsQuery(name, DnsType::Https).isEmpty());
    const auto result = extractEchConfig(cnameThenHttpsResponse(), name);
    QVERIFY(errorOf(result).contains(u"is not a valid domain name"));
}

void TestDnsMessage::acceptsLongestQueryName()
{
    // 3 x 63 + 61 characters plus 3 dots = 253, the RFC 1035 section 2.3.4 maximum.
    const QString longest =
        QStringList{QString(63, u'a'), QString(63, u'b'), QString(63, u'c'), QString(61, u'd')}
            .join(u'.');
    QCOMPARE(longest.size(), 253);
    const QByteArray query = buildDnsQuery(longest, DnsType::Https);
    QCOMPARE(query.size(), 12 + 255 + 4);
}

void TestDnsMessage::parsesCompressedResponse()
{
    const QByteArray message = cnameThenHttpsResponse();
    const auto result = parseDnsResponse(message);
    QVERIFY2(std::holds_alternative<DnsResponse>(result), qPrintable(errorOf(result)));
    const DnsResponse& response = std::get<DnsResponse>(result);

    QCOMPARE(response.id, quint16(0xBEEF));
    QCOMPARE(response.rcode, DnsRcode::NoError);
    QCOMPARE(response.opcode, quint8(0));
    QVERIFY(!response.truncated);
    QVERIFY(response.recursionAvailable);
    QVERIFY(!response.authoritative);

    QCOMPARE(response.questions.size(), 1);
    QCOMPARE(response.questions[0].name, QStringLiteral("ech.example.com"));
    QCOMPARE(response.questions[0].type, DnsType::Https);
    QCOMPARE(response.questions[0].qclass, DnsClassIn);

    QCOMPARE(response.answers.size(), 4);
    const DnsRecord& cname = response.answers[0];
    QCOMPARE(cname.name, QStringLiteral("ech.example.com")); // a pointer to the question
    QCOMPARE(cname.type, DnsType::Cname);
    QCOMPARE(cname.ttl, quint32(3600));
    // "cdn" then a pointer to "example.com" inside the question: 4 + 2 bytes.
    QCOMPARE(cname.rdata, QByteArray::fromHex("0363646ec010"));
    QCOMPARE(message.mid(cname.rdataOffset, cname.rdata.size()), cname.rdata);
    const auto target = readDnsName(message, cname.rdataOffset);
    QVERIFY2(std::holds_alternative<DecodedDnsName>(target), qPrintable(errorOf(target)));
    QCOMPARE(std::get<DecodedDnsName>(target).name, QStringLiteral("cdn.example.com"));
    QCOMPARE(std::get<DecodedDnsName>(target).end, cname.rdataOffset + cname.rdata.size());

    for (qsizetype i = 1; i < 4; ++i) {
        QCOMPARE(response.answers[i].name, QStringLiteral("cdn.example.com")); // into RDATA
        QCOMPARE(response.answers[i].type, DnsType::Https);
        QCOMPARE(response.answers[i].rrClass, DnsClassIn);
    }
    QCOMPARE(response.answers[2].ttl, quint32(300));

    QVERIFY(response.authorities.isEmpty());
    QCOMPARE(response.additionals.size(), 1);
    QCOMPARE(response.additionals[0].name, QStringLiteral("."));
    QCOMPARE(response.additionals[0].type, kTypeOpt);
    QCOMPARE(response.additionals[0].rrClass, quint16(1232));
}

void TestDnsMessage::reportsHeaderFlags()
{
    // QR, opcode 0, AA, TC, RD, no RA, rcode 2.
    const QByteArray message = Wire().header(0x8702, 0, 0).bytes();
    const auto result = parseDnsResponse(message);
    QVERIFY2(std::holds_alternative<DnsResponse>(result), qPrintable(errorOf(result)));
    const DnsResponse& response = std::get<DnsResponse>(result);
    QVERIFY(response.truncated);
    QVERIFY(response.authoritative);
    QVERIFY(!response.recursionAvailable);
    QCOMPARE(response.rcode, DnsRcode::ServFail);
}

void TestDnsMessage::escapesUnusualLabelBytes()
{
    const QByteArray label("a.b\\c d\xff"
                           "Up");
    const QByteArray message =
        Wire().u8(quint8(label.size())).raw(label).labels("com").u8(0).bytes();
    const auto result = readDnsName(message, 0);
    QVERIFY2(std::holds_alternative<DecodedDnsName>(result), qPrintable(errorOf(result)));
    QCOMPARE(std::get<DecodedDnsName>(result).name, QStringLiteral("a\\.b\\\\c\\032d\\255Up.com"));
    QCOMPARE(std::get<DecodedDnsName>(result).end, message.size());
}

void TestDnsMessage::readsNamesAtTheLimits()
{
    // 3 x 63-byte labels + one of 61: 3 * 64 + 62 + root = 255 bytes, the maximum.
    const QByteArray longest = QByteArray(63, 'a') + '.' + QByteArray(63, 'b') + '.' +
                               QByteArray(63, 'c') + '.' + QByteArray(61, 'd');
    const QByteArray message = Wire().uncompressedName(longest).bytes();
    QCOMPARE(message.size(), 255);
    const auto result = readDnsName(message, 0);
    QVERIFY2(std::holds_alternative<DecodedDnsName>(result), qPrintable(errorOf(result)));
    QCOMPARE(std::get<DecodedDnsName>(result).name, QString::fromLatin1(longest));

    QVERIFY(errorOf(readDnsName(message, -1)).contains(u"truncated"));
    QVERIFY(errorOf(readDnsName(message, message.size())).contains(u"truncated"));
}

void TestDnsMessage::rejectsMalformedMessages_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QString>("reason");

    const QByteArray valid = cnameThenHttpsResponse();
    const QByteArray label63(63, 'x');

    QTest::newRow("empty") << QByteArray() << QStringLiteral("truncated inside the header");
    QTest::newRow("11 bytes") << valid.left(11) << QStringLiteral("truncated inside the header");
    QTest::newRow("QR=0") << Wire().header(0x0100, 1, 0).question("a.example").bytes()
                          << QStringLiteral("not a response");
    QTest::newRow("pointer to itself") << Wire().header(kFlagsOk, 1, 0).pointer(12).u32(0).bytes()
                                       << QStringLiteral("points forward or loops");
    QTest::newRow("pointer loop through a label")
        << Wire().header(kFlagsOk, 1, 0).labels("a").pointer(12).u32(0).bytes()
        << QStringLiteral("points forward or loops");
    QTest::newRow("forward pointer")
        << Wire().header(kFlagsOk, 2, 0).pointer(18).u32(0).question("a.example").bytes()
        << QStringLiteral("points forward");
    QTest::newRow("pointer past the end")
        << Wire().header(kFlagsOk, 1, 0).pointer(0x3FFF).u32(0).bytes()
        << QStringLiteral("points forward");
    QTest::newRow("label of 64")
        << Wire().header(kFlagsOk, 1, 0).u8(64).raw(QByteArray(64, 'a')).u8(0).u32(0).bytes()
        << QStringLiteral("label length 64 at offset 12 is over 63");
    QTest::newRow("extended label type 0x80")
        << Wire().header(kFlagsOk, 1, 0).u8(0x80).u8(0).u32(0).bytes()
        << QStringLiteral("is over 63");
    QTest::newRow("name of 257 bytes")
        << Wire()
               .header(kFlagsOk, 1, 0)
               .labels(label63 + '.' + label63 + '.' + label63 + '.' + label63)
               .u8(0)
               .u32(0)
               .bytes()
        << QStringLiteral("longer than 255 bytes");
    // 193 bytes in the question, then 64 more in front of a pointer to it.
    QTest::newRow("name over 255 bytes through a pointer")
        << Wire()
               .header(kFlagsOk, 2, 0)
               .question(label63 + '.' + label63 + '.' + label63)
               .labels(label63)
               .pointer(12)
               .u32(0)
               .bytes()
        << QStringLiteral("name at offset 209 is longer than 255 bytes in question 2");
    {
        // Question k is a pointer to question k-1's pointer: k jumps to reach the root.
        Wire chain;
        chain.header(kFlagsOk, 130, 0).u8(0).u32(0);
        qsizetype previous = 12;
        for (int i = 0; i < 129; ++i) {
            const qsizetype here = chain.size();
            chain.pointer(previous).u32(0);
            previous = here;
        }
        QTest::newRow("pointer chain")
            << chain.bytes() << QStringLiteral("more than 127 compression pointers");
    }
    QTest::newRow("rdlength past the end")
        << Wire()
               .header(kFlagsOk, 0, 1)
               .name("a.example")
               .u16(DnsType::Https)
               .u16(DnsClassIn)
               .u32(60)
               .u16(100)
               .raw("abcd")
               .bytes()
        << QStringLiteral(
               "truncated inside the data of answer record 1 (100 bytes declared, 4 left)");
    QTest::newRow("record header cut")
        << Wire().header(kFlagsOk, 0, 1).name("a.example").u16(DnsType::Https).u16(1).bytes()
        << QStringLiteral("truncated inside answer record 1");
    QTest::newRow("more answers than present")
        << Wire().header(kFlagsOk, 0, 2).record("a.example", kTypeA, 60, "abcd").bytes()
        << QStringLiteral("truncated before the name at offset 37 in answer record 2");
    QTest::newRow("question cut") << Wire().header(kFlagsOk, 1, 0).name("a.example").u16(65).bytes()
                                  << QStringLiteral("truncated inside question 1");
    QTest::newRow("bad name in additional")
        << Wire().header(kFlagsOk, 0, 0, 1).pointer(40).u16(kTypeOpt).bytes()
        << QStringLiteral("points forward or loops (to offset 40) in additional record 1");
    QTest::newRow("trailing bytes") << valid + '\0' << QStringLiteral("1 unexpected bytes");
}

void TestDnsMessage::rejectsMalformedMessages()
{
    QFETCH(QByteArray, message);
    QFETCH(QString, reason);

    const QString error = errorOf(parseDnsResponse(message));
    QVERIFY2(error.contains(reason), qPrintable(error));
}

void TestDnsMessage::rejectsEveryTruncation()
{
    const QByteArray message = cnameThenHttpsResponse();
    QVERIFY(std::holds_alternative<DnsResponse>(parseDnsResponse(message)));
    for (qsizetype length = 0; length < message.size(); ++length) {
        const QByteArrayView prefix(message.constData(), length);
        const QString parseError = errorOf(parseDnsResponse(prefix));
        QVERIFY2(parseError.startsWith(u"truncated"),
                 qPrintable(QStringLiteral("%1 bytes: %2").arg(length).arg(parseError)));
        const QString lookupError = errorOf(extractEchConfig(prefix, u"ech.example.com"));
        QVERIFY2(lookupError.startsWith(u"DNS answer for ech.example.com is truncated"),
                 qPrintable(QStringLiteral("%1 bytes: %2").arg(length).arg(lookupError)));
    }
}

void TestDnsMessage::parsesSvcbRdata_data()
{
    QTest::addColumn<QByteArray>("rdata");
    QTest::addColumn<quint16>("priority");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QList<quint16>>("keys");

    QTest::newRow("AliasMode") << svcb(0, "svc.example.net") << quint16(0)
                               << QStringLiteral("svc.example.net") << QList<quint16>{};
    QTest::newRow("ServiceMode without params")
        << svcb(1, ".") << quint16(1) << QStringLiteral(".") << QList<quint16>{};
    QTest::newRow("every defined key and an unknown one")
        << svcb(7, "Pool.Example",
                {{SvcParamKey::Alpn, alpn({"h3", "h2"})},
                 {SvcParamKey::Port, QByteArray::fromHex("01bb")},
                 {SvcParamKey::Ipv4Hint, QByteArray::fromHex("c0000201c0000202")},
                 {SvcParamKey::Ech, kEchA},
                 {SvcParamKey::Ipv6Hint, QByteArray(16, '\x20')},
                 {7, "/dns-query{?dns}"},
                 {65000, {}}})
        << quint16(7) << QStringLiteral("Pool.Example") << QList<quint16>{1, 3, 4, 5, 6, 7, 65000};
    QTest::newRow("mandatory with its keys present")
        << svcb(1, ".",
                {{SvcParamKey::Mandatory, QByteArray::fromHex("00010003")},
                 {SvcParamKey::Alpn, alpn({"h2"})},
                 {SvcParamKey::NoDefaultAlpn, {}},
                 {SvcParamKey::Port, QByteArray::fromHex("2000")}})
        << quint16(1) << QStringLiteral(".") << QList<quint16>{0, 1, 2, 3};
}

void TestDnsMessage::parsesSvcbRdata()
{
    QFETCH(QByteArray, rdata);
    QFETCH(quint16, priority);
    QFETCH(QString, target);
    QFETCH(QList<quint16>, keys);

    const auto result = parseSvcbRdata(rdata);
    QVERIFY2(std::holds_alternative<SvcbRecord>(result), qPrintable(errorOf(result)));
    const SvcbRecord& record = std::get<SvcbRecord>(result);
    QCOMPARE(record.priority, priority);
    QCOMPARE(record.isAliasMode(), priority == 0);
    QCOMPARE(record.targetName, target);
    QList<quint16> actualKeys;
    for (const SvcParam& param : record.params)
        actualKeys.append(param.key);
    QCOMPARE(actualKeys, keys);
    if (keys.contains(SvcParamKey::Ech))
        QCOMPARE(record.param(SvcParamKey::Ech).value_or(QByteArray()), kEchA);
    QVERIFY(!record.param(65001));
}

void TestDnsMessage::rejectsMalformedSvcbRdata_data()
{
    QTest::addColumn<QByteArray>("rdata");
    QTest::addColumn<QString>("reason");

    const QByteArray h2 = alpn({"h2"});
    QTest::newRow("empty") << QByteArray() << QStringLiteral("too short for SvcPriority");
    QTest::newRow("one byte") << QByteArray(1, '\0') << QStringLiteral("too short");
    QTest::newRow("no TargetName")
        << QByteArray(2, '\1')
        << QStringLiteral("truncated before the name at offset 2 in TargetName");
    QTest::newRow("compressed TargetName")
        << QByteArray::fromHex("0001c00c") << QStringLiteral("must be uncompressed");
    QTest::newRow("TargetName label overruns")
        << QByteArray::fromHex("0001056162")
        << QStringLiteral("truncated inside the label at offset 2 in TargetName");
    QTest::newRow("SvcParam header cut") << svcb(1, ".") + QByteArray::fromHex("000100")
                                         << QStringLiteral("inside a SvcParam header");
    QTest::newRow("value past the end") << svcb(1, ".") + QByteArray::fromHex("0001000a026832")
                                        << QStringLiteral("alpn runs past the end");
    QTest::newRow("keys out of order")
        << svcb(1, ".", {{SvcParamKey::Ech, kEchA}, {SvcParamKey::Alpn, h2}})
        << QStringLiteral("SvcParam alpn follows ech; keys must be in increasing order");
    QTest::newRow("duplicate key")
        << svcb(1, ".", {{SvcParamKey::Alpn, h2}, {SvcParamKey::Alpn, h2}})
        << QStringLiteral("SvcParam alpn appears twice");
    QTest::newRow("duplicate unknown key")
        << svcb(1, ".", {{9, {}}, {9, {}}}) << QStringLiteral("SvcParam key9 appears twice");
    QTest::newRow("alpn empty") << svcb(1, ".", {{SvcParamKey::Alpn, {}}})
                                << QStringLiteral("alpn lists no protocol");
    QTest::newRow("alpn empty id") << svcb(1, ".", {{SvcParamKey::Alpn, QByteArray(1, '\0')}})
                                   << QStringLiteral("empty protocol id");
    QTest::newRow("alpn id overruns")
        << svcb(1, ".", {{SvcParamKey::Alpn, "\x05h2"}}) << QStringLiteral("running past its end");
    QTest::newRow("no-default-alpn with a value")
        << svcb(1, ".", {{SvcParamKey::Alpn, h2}, {SvcParamKey::NoDefaultAlpn, "x"}})
        << QStringLiteral("no-default-alpn is not empty");
    QTest::newRow("no-default-alpn without alpn")
        << svcb(1, ".", {{SvcParamKey::NoDefaultAlpn, {}}}) << QStringLiteral("without alpn");
    QTest::newRow("port of 3 bytes")
        << svcb(1, ".", {{SvcParamKey::Port, "abc"}}) << QStringLiteral("port is 3 bytes, not 2");
    QTest::newRow("ipv4hint of 5 bytes")
        << svcb(1, ".", {{SvcParamKey::Ipv4Hint, "abcde"}}) << QStringLiteral("ipv4hint is not");
    QTest::newRow("ipv6hint empty")
        << svcb(1, ".", {{SvcParamKey::Ipv6Hint, {}}}) << QStringLiteral("ipv6hint is not");
    QTest::newRow("mandatory lists itself")
        << svcb(1, ".", {{SvcParamKey::Mandatory, QByteArray::fromHex("0000")}})
        << QStringLiteral("lists itself");
    QTest::newRow("mandatory unsorted")
        << svcb(1, ".",
                {{SvcParamKey::Mandatory, QByteArray::fromHex("00030001")},
                 {SvcParamKey::Alpn, h2},
                 {SvcParamKey::Port, "ab"}})
        << QStringLiteral("mandatory keys are not in strictly increasing order");
    QTest::newRow("mandatory odd length")
        << svcb(1, ".", {{SvcParamKey::Mandatory, "abc"}}) << QStringLiteral("2-byte keys");
    QTest::newRow("mandatory key missing")
        << svcb(1, ".", {{SvcParamKey::Mandatory, QByteArray::fromHex("0004")}})
        << QStringLiteral("mandatory lists ipv4hint, which the record does not carry");
    QTest::newRow("ech outer length off by one")
        << svcb(1, ".", {{SvcParamKey::Ech, QByteArray::fromHex("000d") + kEchA.mid(2)}})
        << QStringLiteral("SvcParam ech ECHConfigList declares 13 bytes but carries 12");
    QTest::newRow("ech inner length too long")
        << svcb(1, ".", {{SvcParamKey::Ech, QByteArray::fromHex("0006fe0d00030102")}})
        << QStringLiteral("ECHConfig at offset 2 declares 3 bytes but only 2 remain");
}

void TestDnsMessage::rejectsMalformedSvcbRdata()
{
    QFETCH(QByteArray, rdata);
    QFETCH(QString, reason);

    const QString error = errorOf(parseSvcbRdata(rdata));
    QVERIFY2(error.contains(reason), qPrintable(error));
}

void TestDnsMessage::validatesEchConfigList_data()
{
    QTest::addColumn<QByteArray>("list");
    QTest::addColumn<QString>("reason"); // empty: plausible

    QTest::newRow("one entry") << kEchA << QString();
    QTest::newRow("two entries, unknown version") << QByteArray::fromHex("000a"
                                                                         "fe0d000101"
                                                                         "aaaa000100")
                                                  << QString();
    QTest::newRow("entry with empty contents") << QByteArray::fromHex("0004fe0d0000") << QString();
    QTest::newRow("nothing") << QByteArray() << QStringLiteral("shorter than its 2-byte length");
    QTest::newRow("one byte") << QByteArray(1, '\0') << QStringLiteral("shorter than");
    QTest::newRow("empty list") << QByteArray::fromHex("0000") << QStringLiteral("is empty");
    QTest::newRow("declares more")
        << QByteArray::fromHex("0005fe0d0000") << QStringLiteral("declares 5 bytes but carries 4");
    QTest::newRow("declares less")
        << QByteArray::fromHex("0003fe0d0000") << QStringLiteral("declares 3 bytes but carries 4");
    QTest::newRow("entry header cut")
        << QByteArray::fromHex("0003fe0d00") << QStringLiteral("cut off inside its header");
    QTest::newRow("second entry header cut") << QByteArray::fromHex("0006fe0d0000aaaa")
                                             << QStringLiteral("ECHConfig at offset 6 is cut off");
    QTest::newRow("entry length past the list")
        << QByteArray::fromHex("0005fe0d000201") << QStringLiteral("declares 2 bytes but only 1");
}

void TestDnsMessage::validatesEchConfigList()
{
    QFETCH(QByteArray, list);
    QFETCH(QString, reason);

    const std::optional<QString> problem = validateEchConfigList(list);
    if (reason.isEmpty()) {
        QVERIFY2(!problem, qPrintable(problem.value_or(QString())));
    } else {
        QVERIFY(problem);
        QVERIFY2(problem->contains(reason), qPrintable(*problem));
    }
}

void TestDnsMessage::extractsEchConfig_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QString>("queried");
    QTest::addColumn<QByteArray>("ech");
    QTest::addColumn<quint32>("ttl");
    QTest::addColumn<QString>("owner");

    const QByteArray withA = svcb(1, ".", {{SvcParamKey::Ech, kEchA}});
    const QByteArray withB = svcb(1, ".", {{SvcParamKey::Ech, kEchB}});

    QTest::newRow("compressed CNAME then HTTPS, lowest priority with ech")
        << cnameThenHttpsResponse() << QStringLiteral("ech.example.com") << kEchA << quint32(300)
        << QStringLiteral("cdn.example.com");
    QTest::newRow("direct") << response("cloudflare-ech.com",
                                        {https("cloudflare-ech.com", 300, withA)})
                            << QStringLiteral("cloudflare-ech.com") << kEchA << quint32(300)
                            << QStringLiteral("cloudflare-ech.com");
    QTest::newRow("record without ech skipped even at a lower priority")
        << response(
               "cloudflare-ech.com",
               {https("cloudflare-ech.com", 300, svcb(3, ".", {{SvcParamKey::Ech, kEchB}})),
                https("cloudflare-ech.com", 300, svcb(1, ".", {{SvcParamKey::Alpn, alpn({"h2"})}})),
                https("cloudflare-ech.com", 300, svcb(2, ".", {{SvcParamKey::Ech, kEchA}}))})
        << QStringLiteral("cloudflare-ech.com") << kEchA << quint32(300)
        << QStringLiteral("cloudflare-ech.com");
    QTest::newRow("first record wins a priority tie")
        << response("cloudflare-ech.com", {https("cloudflare-ech.com", 300, withA),
                                           https("cloudflare-ech.com", 300, withB)})
        << QStringLiteral("cloudflare-ech.com") << kEchA << quint32(300)
        << QStringLiteral("cloudflare-ech.com");
    QTest::newRow("two CNAMEs, the shortest TTL counts")
        << response("ech.example.com", {{"ech.example.com", DnsType::Cname, 60, "a.example.net"},
                                        {"a.example.net", DnsType::Cname, 3600, "b.example.org"},
                                        https("b.example.org", 300, withA)})
        << QStringLiteral("ech.example.com") << kEchA << quint32(60)
        << QStringLiteral("b.example.org");
    QTest::newRow("CNAME listed after its target")
        << response("ech.example.com", {https("b.example.org", 30, withA),
                                        {"ech.example.com", DnsType::Cname, 60, "b.example.org"}})
        << QStringLiteral("ech.example.com") << kEchA << quint32(30)
        << QStringLiteral("b.example.org");
    // The owner is compressed against the question, so it reads as the question spells it.
    QTest::newRow("names compared case-insensitively, trailing dot")
        << response("CLOUDFLARE-ech.com", {https("Cloudflare-ECH.COM", 300, withA)})
        << QStringLiteral("cloudflare-ech.com.") << kEchA << quint32(300)
        << QStringLiteral("CLOUDFLARE-ech.com");
    QTest::newRow("CNAME target in another case")
        << response("ech.example.com", {{"ech.example.com", DnsType::Cname, 60, "B.Example.ORG"},
                                        https("b.example.org", 300, withA)})
        << QStringLiteral("ech.example.com") << kEchA << quint32(60)
        << QStringLiteral("B.Example.ORG");
    QTest::newRow("records for other names and types ignored")
        << response("cloudflare-ech.com",
                    {https("other.example", 300, withB),
                     {"cloudflare-ech.com", kTypeA, 300, QByteArray::fromHex("c0000201")},
                     {"cloudflare-ech.com", kTypeRrsig, 300, QByteArray(20, '\x7f')},
                     https("cloudflare-ech.com", 120, svcb(9, ".", {{SvcParamKey::Ech, kEchA}}))})
        << QStringLiteral("cloudflare-ech.com") << kEchA << quint32(120)
        << QStringLiteral("cloudflare-ech.com");
    QTest::newRow("alpn, hints and unknown keys skipped")
        << response("cloudflare-ech.com",
                    {https("cloudflare-ech.com", 300,
                           svcb(1, ".",
                                {{SvcParamKey::Alpn, alpn({"http/1.1", "h2"})},
                                 {SvcParamKey::Ipv4Hint, QByteArray::fromHex("c0000201")},
                                 {SvcParamKey::Ech, kEchB},
                                 {SvcParamKey::Ipv6Hint, QByteArray(16, '\1')},
                                 {40000, "opaque"}}))})
        << QStringLiteral("cloudflare-ech.com") << kEchB << quint32(300)
        << QStringLiteral("cloudflare-ech.com");
    QTest::newRow("TTL with the top bit set counts as 0")
        << response("cloudflare-ech.com", {https("cloudflare-ech.com", 0x80000001u, withA)})
        << QStringLiteral("cloudflare-ech.com") << kEchA << quint32(0)
        << QStringLiteral("cloudflare-ech.com");
}

void TestDnsMessage::extractsEchConfig()
{
    QFETCH(QByteArray, message);
    QFETCH(QString, queried);
    QFETCH(QByteArray, ech);
    QFETCH(quint32, ttl);
    QFETCH(QString, owner);

    const auto result = extractEchConfig(message, queried);
    QVERIFY2(std::holds_alternative<EchLookupResult>(result), qPrintable(errorOf(result)));
    const EchLookupResult& lookup = std::get<EchLookupResult>(result);
    QCOMPARE(lookup.echConfigList.toHex(), ech.toHex());
    QCOMPARE(lookup.ttl, ttl);
    QCOMPARE(lookup.ownerName, owner);
}

void TestDnsMessage::explainsUnusableAnswers_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QString>("queried");
    QTest::addColumn<QString>("error");

    const QString cloudflare = QStringLiteral("cloudflare-ech.com");
    const QByteArray withA = svcb(1, ".", {{SvcParamKey::Ech, kEchA}});

    QTest::newRow("NXDOMAIN") << response("cloudflare-ech.com", {}, 0x8183) << cloudflare
                              << QStringLiteral("DNS server answered NXDOMAIN for "
                                                "cloudflare-ech.com: the name does not exist");
    QTest::newRow("SERVFAIL") << response("cloudflare-ech.com", {}, 0x8182) << cloudflare
                              << QStringLiteral("DNS server answered SERVFAIL for "
                                                "cloudflare-ech.com");
    QTest::newRow("REFUSED") << response("cloudflare-ech.com", {}, 0x8185) << cloudflare
                             << QStringLiteral("DNS server answered REFUSED");
    QTest::newRow("unassigned rcode") << response("cloudflare-ech.com", {}, 0x818b) << cloudflare
                                      << QStringLiteral("DNS server answered error code 11");
    QTest::newRow("TC set") << response("cloudflare-ech.com", {}, 0x8380) << cloudflare
                            << QStringLiteral("DNS answer for cloudflare-ech.com is truncated "
                                              "(TC flag set)");
    QTest::newRow("QR=0") << buildDnsQuery(cloudflare, DnsType::Https) << cloudflare
                          << QStringLiteral("DNS answer for cloudflare-ech.com is invalid: the "
                                            "message is a query");
    QTest::newRow("opcode STATUS")
        << response("cloudflare-ech.com", {}, 0x9180) << cloudflare << QStringLiteral("opcode 2");
    QTest::newRow("no answers") << response("cloudflare-ech.com", {}) << cloudflare
                                << QStringLiteral("no HTTPS record for cloudflare-ech.com");
    QTest::newRow("HTTPS without ech")
        << response("cloudflare-ech.com",
                    {https("cloudflare-ech.com", 300,
                           svcb(1, ".", {{SvcParamKey::Alpn, alpn({"h2"})}}))})
        << cloudflare
        << QStringLiteral("no HTTPS record with an ech parameter for cloudflare-ech.com");
    QTest::newRow("CNAME to a name without HTTPS")
        << response("ech.example.com", {{"ech.example.com", DnsType::Cname, 60, "b.example.org"},
                                        https("ech.example.com", 60, withA)})
        << QStringLiteral("ech.example.com")
        << QStringLiteral("no HTTPS record for b.example.org (CNAME target of ech.example.com)");
    QTest::newRow("AliasMode") << response(
                                      "cloudflare-ech.com",
                                      {https("cloudflare-ech.com", 300, withA),
                                       https("cloudflare-ech.com", 300, svcb(0, "pool.example"))})
                               << cloudflare
                               << QStringLiteral("HTTPS record for cloudflare-ech.com is an alias "
                                                 "for pool.example; use pool.example as the ECH "
                                                 "domain");
    QTest::newRow("AliasMode to the root")
        << response("cloudflare-ech.com", {https("cloudflare-ech.com", 300, svcb(0, "."))})
        << cloudflare << QStringLiteral("says the service is not available");
    QTest::newRow("malformed record poisons the RRset")
        << response("cloudflare-ech.com",
                    {https("cloudflare-ech.com", 300, withA),
                     https("cloudflare-ech.com", 300,
                           svcb(2, ".", {{SvcParamKey::Ech, kEchB}, {SvcParamKey::Ech, kEchB}}))})
        << cloudflare
        << QStringLiteral("HTTPS record for cloudflare-ech.com is malformed: SvcParam ech "
                          "appears twice");
    QTest::newRow("ech with a bad inner length")
        << response(
               "cloudflare-ech.com",
               {https("cloudflare-ech.com", 300,
                      svcb(1, ".", {{SvcParamKey::Ech, QByteArray::fromHex("0005fe0d000901")}}))})
        << cloudflare << QStringLiteral("ECHConfig at offset 2 declares 9 bytes but only 1 remain");
    QTest::newRow("CNAME loop") << response("a.example",
                                            {{"a.example", DnsType::Cname, 60, "b.example"},
                                             {"b.example", DnsType::Cname, 60, "a.example"}})
                                << QStringLiteral("a.example")
                                << QStringLiteral("more than 16 CNAMEs in a row or a CNAME loop");
    QTest::newRow("two CNAMEs for one name")
        << response("a.example", {{"a.example", DnsType::Cname, 60, "b.example"},
                                  {"a.example", DnsType::Cname, 60, "c.example"}})
        << QStringLiteral("a.example") << QStringLiteral("more than one CNAME for a.example");
    QTest::newRow("CNAME data longer than its name")
        << Wire()
               .header(kFlagsOk, 1, 1)
               .question("a.example")
               .record("a.example", DnsType::Cname, 60,
                       Wire().uncompressedName("b.example").u8(0).bytes())
               .bytes()
        << QStringLiteral("a.example")
        << QStringLiteral("malformed CNAME for a.example: the name does not fill the record data");
    QTest::newRow("CNAME target unreadable")
        << Wire()
               .header(kFlagsOk, 1, 1)
               .question("a.example")
               .record("a.example", DnsType::Cname, 60, QByteArray::fromHex("c0ff"))
               .bytes()
        << QStringLiteral("a.example")
        << QStringLiteral("malformed CNAME for a.example: compression");
    QTest::newRow("different question")
        << response("other.example", {https("cloudflare-ech.com", 300, withA)}) << cloudflare
        << QStringLiteral("answers a different question (other.example, type 65)");
    QTest::newRow("cut in the middle")
        << cnameThenHttpsResponse().left(60) << QStringLiteral("ech.example.com")
        << QStringLiteral("DNS answer for ech.example.com is "
                          "truncated inside");
}

void TestDnsMessage::explainsUnusableAnswers()
{
    QFETCH(QByteArray, message);
    QFETCH(QString, queried);
    QFETCH(QString, error);

    const QString actual = errorOf(extractEchConfig(message, queried));
    QVERIFY2(actual.contains(error), qPrintable(actual));
}

void TestDnsMessage::survivesRandomMutations()
{
    // Fixed seed: a failure reproduces. Under ASan/UBSan this is the crash and overflow test;
    // the assertions only check that both outcomes occur, i.e. the mutations reach deep.
    QRandomGenerator random(20240607);
    const QByteArray original = cnameThenHttpsResponse();
    int accepted = 0;
    int rejected = 0;
    for (int round = 0; round < 20000; ++round) {
        QByteArray message = original;
        const int edits = 1 + int(random.bounded(4));
        for (int e = 0; e < edits; ++e) {
            const auto at = qsizetype(random.bounded(int(message.size())));
            switch (random.bounded(8)) {
            case 0:
                message.truncate(at);
                break;
            case 1:
                message.insert(at, char(random.bounded(256)));
                break;
            default:
                message[at] = char(message[at] ^ char(1 + random.bounded(255)));
                break;
            }
            if (message.isEmpty())
                break;
        }
        const auto parsed = parseDnsResponse(message);
        if (const auto* response = std::get_if<DnsResponse>(&parsed)) {
            ++accepted;
            for (const DnsRecord& record : response->answers) {
                (void)readDnsName(message, record.rdataOffset);
                (void)parseSvcbRdata(record.rdata);
            }
        } else {
            ++rejected;
        }
        (void)extractEchConfig(message, u"ech.example.com");
    }
    QVERIFY(accepted > 100);
    QVERIFY(rejected > 100);
}

QTEST_APPLESS_MAIN(TestDnsMessage)

#include "tst_dnsmessage.moc"
