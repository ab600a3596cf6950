#include "net/HostResolver.h"

#include <QSignalSpy>
#include <QTest>

using namespace echw;

namespace {

// A DNS response for `name` with the given answer records (type, rdata), names uncompressed.
QByteArray encodeName(const QByteArray& name)
{
    QByteArray out;
    for (const QByteArray& label : name.split('.')) {
        out.append(char(label.size()));
        out.append(label);
    }
    out.append('\0');
    return out;
}

struct Record {
    QByteArray owner;
    quint16 type;
    quint32 ttl;
    QByteArray rdata;
};

QByteArray response(const QByteArray& question, quint16 qtype, int rcode,
                    const QList<Record>& answers)
{
    QByteArray out;
    auto put16 = [&](quint16 v) {
        out.append(char(v >> 8)).append(char(v & 0xff));
    };
    auto put32 = [&](quint32 v) {
        put16(quint16(v >> 16));
        put16(quint16(v & 0xffff));
    };
    put16(0);                       // id
    put16(quint16(0x8180 | rcode)); // QR, RD, RA
    put16(1);
    put16(quint16(answers.size()));
    put16(0);
    put16(0);
    out.append(encodeName(question));
    put16(qtype);
    put16(1);
    for (const Record& r : answers) {
        out.append(encodeName(r.owner));
        put16(r.type);
        put16(1);
        put32(r.ttl);
        put16(quint16(r.rdata.size()));
        out.append(r.rdata);
    }
    return out;
}

} // namespace

class TestHostResolver : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void followsCnameChainToAddresses();
    void takesSmallestTtl();
    void reportsNxDomain();
    void ignoresRecordsForOtherNames();
    void rejectsMalformedResponses();
    void systemResolverAnswersLocalhostThenServesFromCache();
    void systemResolverReportsUnknownNames();
};

void TestHostResolver::followsCnameChainToAddresses()
{
    const QByteArray bytes = response(
        "www.example.test", 1, 0,
        {{"www.example.test", 5, 300, encodeName("edge.cdn.test")},
         {"edge.cdn.test", 1, 120, QByteArray("\x0a\x01\x02\x03", 4)},
         {"edge.cdn.test", 28, 120, QByteArray::fromHex("20010db8000000000000000000000001")}});
    quint32 ttl = 0;
    const auto result = addressesFromDnsResponse(bytes, QStringLiteral("WWW.example.test"), &ttl);
    const auto* addresses = std::get_if<QList<QHostAddress>>(&result);
    QVERIFY(addresses);
    QCOMPARE(addresses->size(), 2);
    QCOMPARE(addresses->at(0), QHostAddress(QStringLiteral("10.1.2.3")));
    QCOMPARE(addresses->at(1), QHostAddress(QStringLiteral("2001:db8::1")));
    QCOMPARE(ttl, 120u);
}

void TestHostResolver::takesSmallestTtl()
{
    const QByteArray bytes = response("a.test", 1, 0,
                                      {{"a.test", 1, 500, QByteArray("\x01\x01\x01\x01", 4)},
                                       {"a.test", 1, 30, QByteArray("\x02\x02\x02\x02", 4)}});
    quint32 ttl = 0;
    const auto result = addressesFromDnsResponse(bytes, QStringLiteral("a.test"), &ttl);
    QCOMPARE(std::get<QList<QHostAddress>>(result).size(), 2);
    QCOMPARE(ttl, 30u);
}

void TestHostResolver::reportsNxDomain()
{
    quint32 ttl = 0;
    const auto result = addressesFromDnsResponse(response("gone.test", 1, 3, {}),
                                                 QStringLiteral("gone.test"), &ttl);
    QVERIFY(std::get<QString>(result).contains(QStringLiteral("NXDOMAIN")));
}

void TestHostResolver::ignoresRecordsForOtherNames()
{
    // An address for a name outside the chain must not be believed.
    const QByteArray bytes =
        response("a.test", 1, 0, {{"evil.test", 1, 60, QByteArray("\x06\x06\x06\x06", 4)}});
    quint32 ttl = 1;
    const auto result = addressesFromDnsResponse(bytes, QStringLiteral("a.test"), &ttl);
    QVERIFY(std::get<QList<QHostAddress>>(result).isEmpty());
    QCOMPARE(ttl, 0u);
}

void TestHostResolver::rejectsMalformedResponses()
{
    const QByteArray good =
        response("a.test", 1, 0, {{"a.test", 1, 60, QByteArray("\x01\x02\x03\x04", 4)}});
    for (qsizetype n = 0; n < good.size(); ++n) {
        quint32 ttl = 0;
        const auto result = addressesFromDnsResponse(good.first(n), QStringLiteral("a.test"), &ttl);
        QVERIFY2(std::holds_alternative<QString>(result), qPrintable(QString::number(n)));
    }
}

void TestHostResolver::systemResolverAnswersLocalhostThenServesFromCache()
{
    SystemHostResolver resolver;
    std::optional<HostResolver::Result> first;
    resolver.resolve(QStringLiteral("localhost"), this,
                     [&](HostResolver::Result r) { first = std::move(r); });
    QVERIFY(!first); // never inside resolve()
    QTRY_VERIFY_WITH_TIMEOUT(first.has_value(), 10000);
    const auto* answer = std::get_if<HostResolver::Answer>(&*first);
    QVERIFY(answer);
    QVERIFY(!answer->fromCache);
    QVERIFY(answer->addresses.contains(QHostAddress(QHostAddress::LocalHost)) ||
            answer->addresses.contains(QHostAddress(QHostAddress::LocalHostIPv6)));

    std::optional<HostResolver::Result> second;
    resolver.resolve(QStringLiteral("LOCALHOST"), this,
                     [&](HostResolver::Result r) { second = std::move(r); });
    QTRY_VERIFY_WITH_TIMEOUT(second.has_value(), 10000);
    QVERIFY(std::get<HostResolver::Answer>(*second).fromCache);
    QCOMPARE(resolver.cacheHits(), 1);
    QCOMPARE(resolver.cacheMisses(), 1);
}

void TestHostResolver::systemResolverReportsUnknownNames()
{
    SystemHostResolver resolver;
    std::optional<HostResolver::Result> result;
    resolver.resolve(QStringLiteral("no-such-host.invalid"), this,
                     [&](HostResolver::Result r) { result = std::move(r); });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 30000);
    QVERIFY(std::get<QString>(*result).contains(QStringLiteral("no-such-host.invalid")));
}

QTEST_GUILESS_MAIN(TestHostResolver)
#include "tst_hostresolver.moc"
