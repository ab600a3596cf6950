// The self-hosted server's DNS answers, read back with the client's own codec.
#include "TestValues.h"
#include "ech/DnsAnswerBuilder.h"
#include "ech/DnsMessage.h"

#include <QTest>

using namespace echw;
using echw::test::unwrap;

namespace {

const QString kOwnName = QStringLiteral("ech.example.net");
// A structurally valid ECHConfigList (RFC 9849 section 4): one entry of version 0xfe0d.
const QByteArray kEchConfigList = QByteArrayLiteral("\x00\x0a\xfe\x0d\x00\x06"
                                                    "abcdef");

QByteArray answer(const QByteArray& query, quint32 ttl = 300)
{
    return unwrap(buildHttpsAnswer(query, kOwnName, kEchConfigList, ttl));
}

quint16 u16At(const QByteArray& data, qsizetype at)
{
    return quint16((quint8(data[at]) << 8) | quint8(data[at + 1]));
}

// An EDNS OPT pseudo-record (RFC 6891 section 6.1.2) with a padding option (RFC 7830), as
// browsers send it over DoH (RFC 8467).
QByteArray withPaddedOpt(QByteArray query)
{
    query[11] = 1;                        // ARCOUNT
    query += QByteArrayLiteral("\x00"     // root name
                               "\x00\x29" // TYPE OPT
                               "\x10\x00" // UDP payload size
                               "\x00\x00\x00\x00"
                               "\x00\x08" // RDLENGTH
                               "\x00\x0c\x00\x04"
                               "\x00\x00\x00\x00");
    return query;
}

} // namespace

class TestDnsAnswerBuilder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void answerRoundTripsThroughExtractEchConfig();
    void answerHasTheLayoutClientsExpect();
    void matchesOwnNameCaseInsensitivelyAndEchoesTheQuestionAsSent();
    void acceptsOwnNameWithTrailingDot();
    void answersNoDataForOtherTypesOfOwnName();
    void answersNxDomainForOtherNames();
    void refusesClassesOtherThanInternet();
    void answersNotImplementedForOtherOpcodes();
    void copiesRecursionDesired();
    void acceptsEdnsOptAndAnswersWithoutIt();
    void limitsTtlTo31Bits();
    void rejectsQueryTruncatedAtEveryLength();
    void rejectsMalformedQueries_data();
    void rejectsMalformedQueries();
};

void TestDnsAnswerBuilder::answerRoundTripsThroughExtractEchConfig()
{
    const QByteArray response = answer(buildDnsQuery(kOwnName, DnsType::Https), 1234);
    const auto result = unwrap(extractEchConfig(response, kOwnName));
    QCOMPARE(result.echConfigList, kEchConfigList);
    QCOMPARE(result.ttl, 1234u);
    QCOMPARE(result.ownerName, kOwnName);
}

void TestDnsAnswerBuilder::answerHasTheLayoutClientsExpect()
{
    const QByteArray query = buildDnsQuery(kOwnName, DnsType::Https, 0xBEEF);
    const QByteArray response = answer(query);
    const auto parsed = unwrap(parseDnsResponse(response));
    QCOMPARE(parsed.id, 0xBEEF);
    QCOMPARE(parsed.opcode, 0);
    QCOMPARE(parsed.rcode, DnsRcode::NoError);
    QVERIFY(parsed.authoritative);
    QVERIFY(parsed.recursionAvailable);
    QVERIFY(!parsed.truncated);
    QCOMPARE(u16At(response, 2) & 0x0100, 0x0100); // RD as in the query
    QCOMPARE(parsed.questions.size(), 1);
    QCOMPARE(parsed.answers.size(), 1);
    QVERIFY(parsed.authorities.isEmpty());
    QVERIFY(parsed.additionals.isEmpty());

    // The owner is a pointer to the question name, right after the echoed question.
    QCOMPARE(response.mid(12, query.size() - 12), query.mid(12));
    QCOMPARE(u16At(response, query.size()), 0xC00C);

    const DnsRecord& record = parsed.answers.constFirst();
    QCOMPARE(record.type, DnsType::Https);
    QCOMPARE(record.rrClass, DnsClassIn);
    const auto svcb = unwrap(parseSvcbRdata(record.rdata));
    QCOMPARE(svcb.priority, 1);
    QCOMPARE(svcb.targetName, QStringLiteral("."));
    const QList<SvcParam> expected{
        {SvcParamKey::Alpn, QByteArrayLiteral("\x08http/1.1")},
        {SvcParamKey::Ech, kEchConfigList},
    };
    QCOMPARE(svcb.params, expected);
}

void TestDnsAnswerBuilder::matchesOwnNameCaseInsensitivelyAndEchoesTheQuestionAsSent()
{
    QByteArray query = buildDnsQuery(kOwnName, DnsType::Https);
    query[13] = 'E'; // "ech" -> "Ech" (RFC 4343: names compare without case)
    query[18] = 'X'; // "example" -> "eXample"
    const QByteArray response = answer(query);
    QCOMPARE(response.mid(12, query.size() - 12), query.mid(12));
    QCOMPARE(unwrap(extractEchConfig(response, u"Ech.eXample.net")).echConfigList, kEchConfigList);
}

void TestDnsAnswerBuilder::acceptsOwnNameWithTrailingDot()
{
    const QByteArray response = unwrap(buildHttpsAnswer(buildDnsQuery(kOwnName, DnsType::Https),
                                                        u"ech.example.net.", kEchConfigList, 60));
    QCOMPARE(unwrap(extractEchConfig(response, kOwnName)).echConfigList, kEchConfigList);
}

void TestDnsAnswerBuilder::answersNoDataForOtherTypesOfOwnName()
{
    const auto parsed = unwrap(parseDnsResponse(answer(buildDnsQuery(kOwnName, 1))));
    QCOMPARE(parsed.rcode, DnsRcode::NoError);
    QVERIFY(parsed.authoritative);
    QCOMPARE(parsed.questions.size(), 1);
    QCOMPARE(parsed.questions.constFirst().type, 1);
    QVERIFY(parsed.answers.isEmpty());
}

void TestDnsAnswerBuilder::answersNxDomainForOtherNames()
{
    for (const QString& name : {QStringLiteral("other.example.net"),
                                QStringLiteral("sub.ech.example.net"), QStringLiteral("net")}) {
        const QByteArray response = answer(buildDnsQuery(name, DnsType::Https));
        const auto parsed = unwrap(parseDnsResponse(response));
        QCOMPARE(parsed.rcode, DnsRcode::NxDomain);
        QVERIFY(!parsed.authoritative);
        QCOMPARE(parsed.questions.constFirst().name, name);
        QVERIFY(parsed.answers.isEmpty());
        const auto error = extractEchConfig(response, name);
        QVERIFY(std::holds_alternative<QString>(error));
        QVERIFY2(std::get<QString>(error).contains(u"NXDOMAIN"),
                 qPrintable(std::get<QString>(error)));
    }
}

void TestDnsAnswerBuilder::refusesClassesOtherThanInternet()
{
    QByteArray query = buildDnsQuery(kOwnName, DnsType::Https);
    query[query.size() - 1] = 3; // CLASS CH
    const auto parsed = unwrap(parseDnsResponse(answer(query)));
    QCOMPARE(parsed.rcode, DnsRcode::Refused);
    QVERIFY(parsed.answers.isEmpty());
}

void TestDnsAnswerBuilder::answersNotImplementedForOtherOpcodes()
{
    QByteArray query = buildDnsQuery(kOwnName, DnsType::Https, 7);
    query[2] = char(quint8(query[2]) | (5 << 3)); // OPCODE UPDATE
    const QByteArray response = answer(query);
    const auto parsed = unwrap(parseDnsResponse(response));
    QCOMPARE(parsed.id, 7);
    QCOMPARE(parsed.opcode, 5);
    QCOMPARE(parsed.rcode, DnsRcode::NotImp);
    QCOMPARE(response.size(), 12);
}

void TestDnsAnswerBuilder::copiesRecursionDesired()
{
    QByteArray query = buildDnsQuery(kOwnName, DnsType::Https);
    query[2] = char(quint8(query[2]) & ~0x01); // RD=0
    const QByteArray response = answer(query);
    QCOMPARE(u16At(response, 2) & 0x0100, 0);
    QVERIFY(unwrap(parseDnsResponse(response)).recursionAvailable);
}

void TestDnsAnswerBuilder::acceptsEdnsOptAndAnswersWithoutIt()
{
    const QByteArray query = withPaddedOpt(buildDnsQuery(kOwnName, DnsType::Https));
    const QByteArray response = answer(query);
    const auto parsed = unwrap(parseDnsResponse(response));
    QVERIFY(parsed.additionals.isEmpty());
    QCOMPARE(parsed.questions.size(), 1);
    QCOMPARE(unwrap(extractEchConfig(response, kOwnName)).echConfigList, kEchConfigList);
}

void TestDnsAnswerBuilder::limitsTtlTo31Bits()
{
    const auto parsed =
        unwrap(parseDnsResponse(answer(buildDnsQuery(kOwnName, DnsType::Https), 0xFFFFFFFF)));
    QCOMPARE(parsed.answers.constFirst().ttl, 0x7FFFFFFFu);
}

void TestDnsAnswerBuilder::rejectsQueryTruncatedAtEveryLength()
{
    for (const QByteArray& query : {buildDnsQuery(kOwnName, DnsType::Https),
                                    withPaddedOpt(buildDnsQuery(kOwnName, DnsType::Https))}) {
        for (qsizetype length = 0; length < query.size(); ++length) {
            const auto result =
                buildHttpsAnswer(QByteArrayView(query).first(length), kOwnName, kEchConfigList, 60);
            QVERIFY2(std::holds_alternative<QString>(result), qPrintable(QString::number(length)));
            QVERIFY(std::get<QString>(result).startsWith(u"malformed DNS query: "));
        }
    }
}

void TestDnsAnswerBuilder::rejectsMalformedQueries_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QString>("error");
    const QByteArray query = buildDnsQuery(kOwnName, DnsType::Https);

    QByteArray response = query;
    response[2] = char(quint8(response[2]) | 0x80);
    QTest::newRow("response") << response << QStringLiteral("response (QR bit is 1)");

    QByteArray noQuestion = query.first(12);
    noQuestion[5] = 0;
    QTest::newRow("no question") << noQuestion << QStringLiteral("0 questions instead of one");

    QByteArray twoQuestions = query + query.mid(12);
    twoQuestions[5] = 2;
    QTest::newRow("two questions") << twoQuestions << QStringLiteral("2 questions instead of one");

    QByteArray pointer = query.first(12) + QByteArrayLiteral("\xc0\x00\x00\x41\x00\x01");
    QTest::newRow("pointer into the header")
        << pointer << QStringLiteral("compression pointer in the question name");

    QTest::newRow("trailing bytes") << query + "x" << QStringLiteral("unexpected bytes");

    QByteArray longLabel = query;
    longLabel[12] = char(64);
    QTest::newRow("label over 63") << longLabel << QStringLiteral("malformed DNS query: ");

    QByteArray claimedAnswer = query;
    claimedAnswer[7] = 1;
    QTest::newRow("answer count without answer")
        << claimedAnswer << QStringLiteral("truncated before the name");
}

void TestDnsAnswerBuilder::rejectsMalformedQueries()
{
    QFETCH(QByteArray, query);
    QFETCH(QString, error);
    const auto result = buildHttpsAnswer(query, kOwnName, kEchConfigList, 60);
    QVERIFY(std::holds_alternative<QString>(result));
    const QString& text = std::get<QString>(result);
    QVERIFY2(text.startsWith(u"malformed DNS query: ") && text.contains(error), qPrintable(text));
}

QTEST_GUILESS_MAIN(TestDnsAnswerBuilder)
#include "tst_dnsanswerbuilder.moc"
