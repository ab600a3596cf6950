#include "TestValues.h"
#include "inbound/Socks5Parser.h"

#include <QTest>

using echw::Socks5Parser;
using Command = Socks5Parser::Command;
using echw::ProxyCredentials;
using echw::Socks5Reply;
using echw::TargetAddress;
using Type = Socks5Parser::Event::Type;
using echw::test::bytes;

namespace {

const QByteArray kGreeting = bytes({5, 1, 0});
const QByteArray kMethodReply = bytes({5, 0});

QByteArray request(int command, QByteArray address, quint16 port)
{
    return bytes({5, command, 0}) + address + bytes({port >> 8, port & 0xff});
}

QByteArray domain(const QByteArray& name)
{
    return bytes({3, int(name.size())}) + name;
}

const ProxyCredentials kCredentials(QByteArrayLiteral("alice"), QByteArrayLiteral("s3cret:x"));

// RFC 1929 section 2: VER ULEN UNAME PLEN PASSWD.
QByteArray login(const QByteArray& user, const QByteArray& password, int version = 1)
{
    return bytes({version, int(user.size())}) + user + bytes({int(password.size())}) + password;
}

// Feeds everything, collects every event.
QList<Socks5Parser::Event> feedAll(Socks5Parser& parser, const QByteArray& input)
{
    parser.append(input);
    QList<Socks5Parser::Event> events;
    while (auto event = parser.next())
        events.append(*event);
    return events;
}

} // namespace

class TestSocks5Parser : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void acceptsConnectForEachAddressType_data();
    void acceptsConnectForEachAddressType();
    void producesSameEventsWhenFedByteByByte();
    void waitsForMoreBytesOnTruncatedInput_data();
    void waitsForMoreBytesOnTruncatedInput();
    void rejectsWithReplyCode_data();
    void rejectsWithReplyCode();
    void refusesClientsWithoutNoAuthMethod();
    void closesSilentlyOnWrongGreetingVersion();
    void keepsBytesSentAfterTheRequest();
    void ignoresInputAfterFailure();
    void buildsRepliesWithZeroBoundAddress();
    void acceptsUdpAssociate_data();
    void acceptsUdpAssociate();
    void buildsRepliesWithBoundAddress_data();
    void buildsRepliesWithBoundAddress();
    void acceptsMatchingUserAndPassword_data();
    void acceptsMatchingUserAndPassword();
    void rejectsWrongCredentialsWithStatusOne_data();
    void rejectsWrongCredentialsWithStatusOne();
    void refusesNoAuthClientsWhenCredentialsAreSet_data();
    void refusesNoAuthClientsWhenCredentialsAreSet();
    void waitsForTheWholeAuthenticationMessage();
    void producesSameAuthenticationEventsWhenFedByteByByte();
    void acceptsLongestCredentialsRfc1929Allows();
};

void TestSocks5Parser::acceptsConnectForEachAddressType_data()
{
    QTest::addColumn<QByteArray>("address");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("host");

    QTest::newRow("ipv4") << bytes({1, 127, 0, 0, 1}) << int(TargetAddress::Kind::IPv4)
                          << QStringLiteral("127.0.0.1");
    QTest::newRow("ipv6") << bytes({4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
                          << int(TargetAddress::Kind::IPv6) << QStringLiteral("::1");
    QTest::newRow("domain") << domain("Example.COM") << int(TargetAddress::Kind::Domain)
                            << QStringLiteral("example.com");
    QTest::newRow("ipv4 sent as a domain")
        << domain("10.1.2.3") << int(TargetAddress::Kind::IPv4) << QStringLiteral("10.1.2.3");
}

void TestSocks5Parser::acceptsConnectForEachAddressType()
{
    QFETCH(QByteArray, address);
    QFETCH(int, kind);
    QFETCH(QString, host);

    Socks5Parser parser;
    const auto events = feedAll(parser, kGreeting + request(1, address, 8443));
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[0].type, Type::MethodSelected);
    QCOMPARE(events[0].reply, kMethodReply);
    QCOMPARE(events[1].type, Type::Request);
    QCOMPARE(events[1].command, Command::Connect);
    QCOMPARE(int(events[1].target.kind), kind);
    QCOMPARE(events[1].target.host, host);
    QCOMPARE(events[1].target.port, quint16(8443));
}

void TestSocks5Parser::producesSameEventsWhenFedByteByByte()
{
    const QByteArray input = kGreeting + request(1, domain("a.example"), 80);
    Socks5Parser parser;
    QList<Socks5Parser::Event> events;
    for (char c : input) {
        parser.append(QByteArrayView(&c, 1));
        while (auto event = parser.next())
            events.append(*event);
    }
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[1].type, Type::Request);
    QCOMPARE(events[1].target.toString(), QStringLiteral("a.example:80"));
}

void TestSocks5Parser::waitsForMoreBytesOnTruncatedInput_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("expectedEvents");
    QTest::newRow("empty") << QByteArray() << 0;
    QTest::newRow("version only") << bytes({5}) << 0;
    QTest::newRow("methods missing") << bytes({5, 2, 0}) << 0;
    QTest::newRow("request header cut") << kGreeting + bytes({5, 1, 0}) << 1;
    QTest::newRow("ipv4 cut") << kGreeting + bytes({5, 1, 0, 1, 127, 0}) << 1;
    QTest::newRow("ipv6 cut") << kGreeting + bytes({5, 1, 0, 4, 0, 0, 0, 0, 0, 0}) << 1;
    QTest::newRow("domain cut") << kGreeting + bytes({5, 1, 0, 3, 10, 'a', 'b'}) << 1;
    QTest::newRow("port cut") << kGreeting + request(1, bytes({1, 1, 2, 3, 4}), 80).chopped(1) << 1;
    QTest::newRow("udp associate cut") << kGreeting + bytes({5, 3, 0, 1, 0, 0}) << 1;
}

void TestSocks5Parser::waitsForMoreBytesOnTruncatedInput()
{
    QFETCH(QByteArray, input);
    QFETCH(int, expectedEvents);
    Socks5Parser parser;
    const auto events = feedAll(parser, input);
    QCOMPARE(events.size(), expectedEvents);
    for (const auto& event : events)
        QCOMPARE(event.type, Type::MethodSelected);
}

void TestSocks5Parser::rejectsWithReplyCode_data()
{
    QTest::addColumn<QByteArray>("requestBytes");
    QTest::addColumn<int>("replyCode");

    QTest::newRow("bind") << request(2, bytes({1, 1, 2, 3, 4}), 80)
                          << int(Socks5Reply::CommandNotSupported);
    QTest::newRow("udp associate with an unknown address type")
        << bytes({5, 3, 0, 2, 0, 0, 0, 0, 0, 0}) << int(Socks5Reply::AddressTypeNotSupported);
    QTest::newRow("unknown command")
        << request(9, bytes({1, 1, 2, 3, 4}), 80) << int(Socks5Reply::CommandNotSupported);
    QTest::newRow("unknown address type")
        << bytes({5, 1, 0, 7, 1, 2, 3, 4, 0, 80}) << int(Socks5Reply::AddressTypeNotSupported);
    QTest::newRow("wrong request version")
        << bytes({4, 1, 0, 1, 1, 2, 3, 4, 0, 80}) << int(Socks5Reply::GeneralFailure);
    QTest::newRow("empty domain") << request(1, bytes({3, 0}), 80)
                                  << int(Socks5Reply::GeneralFailure);
    QTest::newRow("domain with a space")
        << request(1, domain("a b"), 80) << int(Socks5Reply::GeneralFailure);
    QTest::newRow("port zero") << request(1, bytes({1, 1, 2, 3, 4}), 0)
                               << int(Socks5Reply::GeneralFailure);
}

void TestSocks5Parser::rejectsWithReplyCode()
{
    QFETCH(QByteArray, requestBytes);
    QFETCH(int, replyCode);
    Socks5Parser parser;
    const auto events = feedAll(parser, kGreeting + requestBytes);
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[1].type, Type::Error);
    QCOMPARE(events[1].reply, Socks5Parser::replyFor(Socks5Reply(replyCode)));
    QVERIFY(!events[1].reason.isEmpty());
}

void TestSocks5Parser::refusesClientsWithoutNoAuthMethod()
{
    Socks5Parser parser;
    const auto events = feedAll(parser, bytes({5, 1, 2}));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::Error);
    QCOMPARE(events[0].reply, bytes({5, 0xff}));
}

void TestSocks5Parser::closesSilentlyOnWrongGreetingVersion()
{
    Socks5Parser parser;
    const auto events = feedAll(parser, bytes({4, 1, 0, 80, 127, 0, 0, 1, 0}));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::Error);
    QVERIFY(events[0].reply.isEmpty());
}

void TestSocks5Parser::keepsBytesSentAfterTheRequest()
{
    Socks5Parser parser;
    const auto events =
        feedAll(parser, kGreeting + request(1, bytes({1, 1, 2, 3, 4}), 443) + "early data");
    QCOMPARE(events.size(), 2);
    QCOMPARE(parser.takeRemaining(), QByteArray("early data"));
    QCOMPARE(parser.takeRemaining(), QByteArray());
}

void TestSocks5Parser::ignoresInputAfterFailure()
{
    Socks5Parser parser;
    feedAll(parser, bytes({5, 1, 2}));
    QVERIFY(feedAll(parser, kGreeting + request(1, bytes({1, 1, 2, 3, 4}), 443)).isEmpty());
}

void TestSocks5Parser::buildsRepliesWithZeroBoundAddress()
{
    QCOMPARE(Socks5Parser::replyFor(Socks5Reply::HostUnreachable),
             bytes({5, 4, 0, 1, 0, 0, 0, 0, 0, 0}));
    QCOMPARE(Socks5Parser::replyFor(Socks5Reply::Succeeded), bytes({5, 0, 0, 1, 0, 0, 0, 0, 0, 0}));
}

void TestSocks5Parser::acceptsUdpAssociate_data()
{
    QTest::addColumn<QByteArray>("address");
    QTest::addColumn<quint16>("port");
    // DST.ADDR and DST.PORT name where the client will send from, zeros when it does not know
    // (RFC 1928 section 6); only the port is kept.
    QTest::newRow("unknown yet") << bytes({1, 0, 0, 0, 0}) << quint16(0);
    QTest::newRow("ipv4 with port") << bytes({1, 127, 0, 0, 1}) << quint16(5353);
    QTest::newRow("ipv6 any") << bytes({4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
                              << quint16(0);
    QTest::newRow("domain") << domain("client.example") << quint16(40000);
}

void TestSocks5Parser::acceptsUdpAssociate()
{
    QFETCH(QByteArray, address);
    QFETCH(quint16, port);
    Socks5Parser parser;
    const auto events = feedAll(parser, kGreeting + request(3, address, port) + "extra");
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[1].type, Type::Request);
    QCOMPARE(events[1].command, Command::UdpAssociate);
    QCOMPARE(events[1].clientPort, port);
    QVERIFY(events[1].reply.isEmpty());
    QCOMPARE(parser.takeRemaining(), QByteArray("extra"));
}

void TestSocks5Parser::buildsRepliesWithBoundAddress_data()
{
    QTest::addColumn<QHostAddress>("address");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("ipv4") << QHostAddress(QStringLiteral("127.0.0.1"))
                          << bytes({5, 0, 0, 1, 127, 0, 0, 1, 0x9c, 0x41});
    QTest::newRow("ipv6") << QHostAddress(QStringLiteral("2001:db8::5"))
                          << bytes({5, 0, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0,    0,
                                    0, 0, 0, 0, 0,    0,    0,    0,    5, 0x9c, 0x41});
    QTest::newRow("ipv4-mapped ipv6 goes out as ipv4")
        << QHostAddress(QStringLiteral("::ffff:192.168.1.2"))
        << bytes({5, 0, 0, 1, 192, 168, 1, 2, 0x9c, 0x41});
    // Qt's toIPv4Address() takes "::" for 0.0.0.0; it is not IPv4-mapped.
    QTest::newRow("ipv6 unspecified stays ipv6")
        << QHostAddress(QStringLiteral("::"))
        << bytes({5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x9c, 0x41});
}

void TestSocks5Parser::buildsRepliesWithBoundAddress()
{
    QFETCH(QHostAddress, address);
    QFETCH(QByteArray, expected);
    QCOMPARE(Socks5Parser::replyFor(Socks5Reply::Succeeded, address, 40001), expected);
}

void TestSocks5Parser::acceptsMatchingUserAndPassword_data()
{
    QTest::addColumn<QByteArray>("greeting");
    QTest::addColumn<QByteArray>("user");
    QTest::addColumn<QByteArray>("password");

    const QByteArray user = "alice";
    const QByteArray password = "s3cret:x";
    QTest::newRow("offers username/password only") << bytes({5, 1, 2}) << user << password;
    QTest::newRow("offers no-auth first") << bytes({5, 2, 0, 2}) << user << password;
    QTest::newRow("offers three methods") << bytes({5, 3, 1, 2, 0}) << user << password;
    QTest::newRow("non-ascii utf-8")
        << bytes({5, 1, 2}) << QByteArray("j\xc3\xbcrgen") << QByteArray("p\xc3\xa4ss");
}

void TestSocks5Parser::acceptsMatchingUserAndPassword()
{
    QFETCH(QByteArray, greeting);
    QFETCH(QByteArray, user);
    QFETCH(QByteArray, password);
    Socks5Parser parser{ProxyCredentials(user, password)};
    const auto events = feedAll(parser, greeting + login(user, password) +
                                            request(1, domain("a.example"), 443) + "early");
    QCOMPARE(events.size(), 3);
    QCOMPARE(events[0].type, Type::MethodSelected);
    QCOMPARE(events[0].reply, bytes({5, 2}));
    QCOMPARE(events[1].type, Type::Authenticated);
    QCOMPARE(events[1].reply, bytes({1, 0}));
    QCOMPARE(events[2].type, Type::Request);
    QCOMPARE(events[2].target.toString(), QStringLiteral("a.example:443"));
    QCOMPARE(parser.takeRemaining(), QByteArray("early"));
}

void TestSocks5Parser::rejectsWrongCredentialsWithStatusOne_data()
{
    QTest::addColumn<QByteArray>("authentication");
    QTest::newRow("wrong password") << login("alice", "s3cret:y");
    QTest::newRow("wrong user") << login("alicf", "s3cret:x");
    QTest::newRow("user in another case") << login("Alice", "s3cret:x");
    QTest::newRow("password cut short") << login("alice", "s3cret");
    QTest::newRow("password with more") << login("alice", "s3cret:xx");
    QTest::newRow("user and password swapped") << login("s3cret:x", "alice");
    QTest::newRow("empty user") << login("", "s3cret:x");
    QTest::newRow("empty password") << login("alice", "");
    QTest::newRow("longest user and password") << login(QByteArray(255, 'a'), QByteArray(255, 'b'));
    QTest::newRow("SOCKS5 version instead of 1") << login("alice", "s3cret:x", 5);
    QTest::newRow("version 0") << login("alice", "s3cret:x", 0);
}

void TestSocks5Parser::rejectsWrongCredentialsWithStatusOne()
{
    QFETCH(QByteArray, authentication);
    Socks5Parser parser(kCredentials);
    const auto events =
        feedAll(parser, bytes({5, 1, 2}) + authentication + request(1, bytes({1, 1, 2, 3, 4}), 80));
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[0].reply, bytes({5, 2}));
    QCOMPARE(events[1].type, Type::Error);
    // RFC 1929 section 2: a non-zero status, then the server closes the connection.
    QCOMPARE(events[1].reply, bytes({1, 1}));
    QVERIFY(!events[1].reason.contains("s3cret"));
    // Whatever follows never becomes a request.
    QVERIFY(feedAll(parser, request(1, bytes({1, 1, 2, 3, 4}), 80)).isEmpty());
    QCOMPARE(parser.takeRemaining(), QByteArray());
}

void TestSocks5Parser::refusesNoAuthClientsWhenCredentialsAreSet_data()
{
    QTest::addColumn<QByteArray>("greeting");
    QTest::newRow("no-auth only") << bytes({5, 1, 0});
    QTest::newRow("no-auth and gssapi") << bytes({5, 2, 0, 1});
    QTest::newRow("no methods") << bytes({5, 0});
}

void TestSocks5Parser::refusesNoAuthClientsWhenCredentialsAreSet()
{
    QFETCH(QByteArray, greeting);
    Socks5Parser parser(kCredentials);
    const auto events = feedAll(parser, greeting + request(1, bytes({1, 1, 2, 3, 4}), 80));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].type, Type::Error);
    QCOMPARE(events[0].reply, bytes({5, 0xff}));
}

void TestSocks5Parser::waitsForTheWholeAuthenticationMessage()
{
    const QByteArray authentication = login("alice", "s3cret:x");
    for (qsizetype length = 0; length < authentication.size(); ++length) {
        Socks5Parser parser(kCredentials);
        const auto events = feedAll(parser, bytes({5, 1, 2}) + authentication.first(length));
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].type, Type::MethodSelected);
    }
}

void TestSocks5Parser::producesSameAuthenticationEventsWhenFedByteByByte()
{
    const QByteArray input =
        bytes({5, 1, 2}) + login("alice", "s3cret:x") + request(1, domain("a.example"), 80);
    Socks5Parser oneShot(kCredentials);
    const auto expected = feedAll(oneShot, input);
    Socks5Parser parser(kCredentials);
    QList<Socks5Parser::Event> events;
    for (char c : input) {
        parser.append(QByteArrayView(&c, 1));
        while (auto event = parser.next())
            events.append(*event);
    }
    QCOMPARE(events.size(), 3);
    for (qsizetype i = 0; i < events.size(); ++i) {
        QCOMPARE(events[i].type, expected[i].type);
        QCOMPARE(events[i].reply, expected[i].reply);
    }
    QCOMPARE(events[2].target.toString(), QStringLiteral("a.example:80"));
}

void TestSocks5Parser::acceptsLongestCredentialsRfc1929Allows()
{
    const QByteArray user(255, 'u');
    const QByteArray password(255, 'p');
    Socks5Parser parser{ProxyCredentials(user, password)};
    const auto events = feedAll(parser, bytes({5, 1, 2}) + login(user, password));
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[1].type, Type::Authenticated);
}

QTEST_APPLESS_MAIN(TestSocks5Parser)
#include "tst_socks5parser.moc"
