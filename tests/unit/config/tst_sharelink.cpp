#include "config/ShareLink.h"

#include <QFileInfo>
#include <QTemporaryFile>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

using echw::serverFromShareLink;
using echw::ServerProfile;
using echw::shareLinkFor;

namespace {

const QString kToken = QStringLiteral("s3cr3t-T0ken");

ServerProfile fullServer(const QString& caFile)
{
    ServerProfile server;
    server.id = ServerProfile::newId();
    server.name = QStringLiteral("Tokyo edge");
    server.address = QStringLiteral("w.example:8443/ws?x");
    server.preferredIp = QStringLiteral("saas.sin.fan");
    server.token = kToken;
    server.dohServer = QStringLiteral("https://doh.example/dns-query");
    server.echDomain = QStringLiteral("ech.example");
    server.withoutEch = true;
    server.caFile = caFile;
    server.connectionLimit = 250;
    server.warmPoolSize = 4;
    return server;
}

ServerProfile parsed(const QString& link)
{
    const auto result = serverFromShareLink(link);
    if (const auto* error = std::get_if<QString>(&result)) {
        qWarning().noquote() << "parse failed:" << *error;
        return {};
    }
    return std::get<echw::SharedServer>(result).server;
}

QString errorOf(const QString& link)
{
    const auto result = serverFromShareLink(link);
    const auto* error = std::get_if<QString>(&result);
    return error ? *error : QString();
}

QStringList keysOf(const QString& link)
{
    QStringList keys;
    for (const auto& item : QUrlQuery(QUrl(link)).queryItems())
        keys.append(item.first);
    return keys;
}

// Equal apart from the id, which a parsed link never carries.
void compareIgnoringId(ServerProfile actual, ServerProfile expected)
{
    actual.id.clear();
    expected.id.clear();
    // The CA file travels as its certificates, and the receiver stores them where it likes.
    expected.caFile.clear();
    QCOMPARE(actual, expected);
}

} // namespace

class TestShareLink : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void roundTripsAFullServerWithToken();
    void leavesTheTokenOutUnlessAsked();
    void omitsDefaults();
    void givesEachParsedServerAFreshId();
    void keepsUnicodeNames();
    void keepsTokensWithReservedCharacters_data();
    void keepsTokensWithReservedCharacters();
    void encodesSpacesAndEqualsButRefusesThemInTokens();
    void fallsBackToTheAddressAsName();
    void ignoresUnknownKeys();
    void rejectsMalformedLinksNamingTheField_data();
    void rejectsMalformedLinksNamingTheField();
    void neverQuotesTheToken();
    void carriesTheCertificatesAndNeverThePath();

private:
    QTemporaryFile m_caFile;
};

void TestShareLink::initTestCase()
{
    // validate() wants the CA file to exist.
    QVERIFY(m_caFile.open());
}

void TestShareLink::roundTripsAFullServerWithToken()
{
    const ServerProfile server = fullServer(m_caFile.fileName());
    const QString link = shareLinkFor(server, true);
    QVERIFY(link.startsWith(u"ech-workers://"));
    compareIgnoringId(parsed(link), server);
}

void TestShareLink::leavesTheTokenOutUnlessAsked()
{
    const ServerProfile server = fullServer(m_caFile.fileName());
    const QString link = shareLinkFor(server, false);
    QVERIFY(!link.contains(kToken));
    QVERIFY(!keysOf(link).contains(u"token"));

    ServerProfile expected = server;
    expected.token.clear();
    compareIgnoringId(parsed(link), expected);
}

void TestShareLink::omitsDefaults()
{
    ServerProfile server;
    server.id = ServerProfile::newId();
    server.name = QStringLiteral("w");
    server.address = QStringLiteral("w.example:443");
    const QString link = shareLinkFor(server, true);
    QCOMPARE(keysOf(link),
             (QStringList{QStringLiteral("v"), QStringLiteral("name"), QStringLiteral("address")}));
    compareIgnoringId(parsed(link), server);
}

void TestShareLink::givesEachParsedServerAFreshId()
{
    const ServerProfile server = fullServer(m_caFile.fileName());
    const QString link = shareLinkFor(server, true);
    const ServerProfile first = parsed(link);
    const ServerProfile second = parsed(link);
    QVERIFY(!first.id.isEmpty());
    QVERIFY(first.id != server.id);
    QVERIFY(first.id != second.id);
    QVERIFY(!link.contains(server.id));
}

void TestShareLink::keepsUnicodeNames()
{
    ServerProfile server = fullServer(m_caFile.fileName());
    server.name = QStringLiteral("默认服务器 🚀 Zürich");
    const QString link = shareLinkFor(server, false);
    // Plain ASCII, so chat programs cannot mangle it.
    for (QChar c : link)
        QVERIFY(c.unicode() < 0x80);
    QCOMPARE(parsed(link).name, server.name);

    // As a chat program may show and copy it: decoded.
    const ServerProfile decoded =
        parsed(QStringLiteral("ech-workers://server?v=1&name=默认服务器 🚀&address=w.example:443"));
    QCOMPARE(decoded.name, QStringLiteral("默认服务器 🚀"));
}

void TestShareLink::keepsTokensWithReservedCharacters_data()
{
    QTest::addColumn<QString>("token");
    QTest::newRow("ampersand") << QStringLiteral("a&b&");
    QTest::newRow("hash") << QStringLiteral("a#b");
    QTest::newRow("percent") << QStringLiteral("100%25x%");
    // Every '%' followed by two hex digits, so nothing marks it as literal text.
    QTest::newRow("percent escapes only") << QStringLiteral("a%41b%2F");
    QTest::newRow("plus") << QStringLiteral("a+b++");
    QTest::newRow("all header separators") << QStringLiteral("!#$%&'*+-.^_`|~");
}

void TestShareLink::keepsTokensWithReservedCharacters()
{
    QFETCH(QString, token);
    ServerProfile server = fullServer(m_caFile.fileName());
    server.token = token;
    QCOMPARE(parsed(shareLinkFor(server, true)).token, token);

    // A name may hold a space and anything else; the token may not (validate).
    server.name = QStringLiteral("my server ") + token;
    QCOMPARE(parsed(shareLinkFor(server, true)).name, server.name);
}

void TestShareLink::encodesSpacesAndEqualsButRefusesThemInTokens()
{
    // A token travels in Sec-WebSocket-Protocol, where validate() allows neither
    // a space nor '='; the link still carries them intact, and parsing names the
    // token as the problem.
    const QString token = QStringLiteral("a b=c&d#e%f+g");
    ServerProfile server = fullServer(m_caFile.fileName());
    server.token = token;
    const QString link = shareLinkFor(server, true);
    QCOMPARE(QUrlQuery(QUrl(link)).queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded),
             token);
    QCOMPARE(keysOf(link).count(QStringLiteral("token")), 1);
    const QString error = errorOf(link);
    QVERIFY2(error.contains(QStringLiteral("token")), qPrintable(error));
}

void TestShareLink::fallsBackToTheAddressAsName()
{
    const ServerProfile server =
        parsed(QStringLiteral("ech-workers://server?v=1&address=w.example%3A443"));
    QCOMPARE(server.name, QStringLiteral("w.example:443"));
    QCOMPARE(server.address, QStringLiteral("w.example:443"));
}

void TestShareLink::ignoresUnknownKeys()
{
    const ServerProfile server = parsed(
        QStringLiteral("ech-workers://server?v=1&name=a&address=w.example:443&future=1&id=x"));
    QCOMPARE(server.name, QStringLiteral("a"));
    QVERIFY(server.id != QStringLiteral("x"));
}

void TestShareLink::rejectsMalformedLinksNamingTheField_data()
{
    QTest::addColumn<QString>("link");
    QTest::addColumn<QString>("mentions");

    const QString good = QStringLiteral("ech-workers://server?v=1&name=a&address=w.example:443");
    QTest::newRow("empty") << QString() << QStringLiteral("empty");
    QTest::newRow("wrong scheme") << QStringLiteral("https://server?v=1&address=w.example:443")
                                  << QStringLiteral("ech-workers://");
    QTest::newRow("junk") << QStringLiteral("hello, this is not a link")
                          << QStringLiteral("ech-workers://");
    QTest::newRow("overlong") << good + QStringLiteral("&pad=") + QString(9000, u'x')
                              << QStringLiteral("too long");
    QTest::newRow("no version") << QStringLiteral("ech-workers://server?address=w.example:443")
                                << QStringLiteral("version");
    QTest::newRow("newer version")
        << QStringLiteral("ech-workers://server?v=2&address=w:443") << QStringLiteral("version");
    QTest::newRow("missing address")
        << QStringLiteral("ech-workers://server?v=1&name=a") << QStringLiteral("address");
    QTest::newRow("invalid address")
        << QStringLiteral("ech-workers://server?v=1&address=w.example:99999")
        << QStringLiteral("address");
    QTest::newRow("limit not a number")
        << good + QStringLiteral("&connectionLimit=ten") << QStringLiteral("connection limit");
    QTest::newRow("limit out of range")
        << good + QStringLiteral("&connectionLimit=0") << QStringLiteral("connection limit");
    QTest::newRow("pool not a number")
        << good + QStringLiteral("&warmPoolSize=1.5") << QStringLiteral("warm pool size");
    QTest::newRow("bad no-ECH flag")
        << good + QStringLiteral("&withoutEch=maybe") << QStringLiteral("no-ECH");
    QTest::newRow("bad DoH server")
        << good + QStringLiteral("&dohServer=%20") << QStringLiteral("DoH server");
    QTest::newRow("CA not base64url")
        << good + QStringLiteral("&ca=%2B%2F%3D") << QStringLiteral("CA certificate");
    QTest::newRow("CA empty") << good + QStringLiteral("&ca=") << QStringLiteral("CA certificate");
    QTest::newRow("too many CAs") << good + QStringLiteral("&ca=AA&ca=AA&ca=AA&ca=AA&ca=AA")
                                  << QStringLiteral("CA certificates");
}

void TestShareLink::rejectsMalformedLinksNamingTheField()
{
    QFETCH(QString, link);
    QFETCH(QString, mentions);
    const QString error = errorOf(link);
    QVERIFY2(error.contains(mentions), qPrintable(error));
}

void TestShareLink::neverQuotesTheToken()
{
    const QString badToken = QStringLiteral("secret with spaces");
    ServerProfile server = fullServer(m_caFile.fileName());
    server.token = badToken;
    const QString error = errorOf(shareLinkFor(server, true));
    QVERIFY2(error.contains(u"token"), qPrintable(error));
    QVERIFY(!error.contains(u"secret"));
}

void TestShareLink::carriesTheCertificatesAndNeverThePath()
{
    const ServerProfile server = fullServer(m_caFile.fileName());
    const QList<QByteArray> certificates = {QByteArray::fromHex("3082010a") + QByteArray(" first"),
                                            QByteArray(600, '\xff')};
    const QString link = shareLinkFor(server, true, certificates);
    QVERIFY2(!link.contains(QString::fromLatin1(QUrl::toPercentEncoding(m_caFile.fileName()))),
             qPrintable(link));
    QVERIFY(!link.contains(QFileInfo(m_caFile.fileName()).fileName()));
    QVERIFY(!keysOf(link).contains(u"caFile"));
    QCOMPARE(keysOf(link).count(u"ca"), 2);

    const auto result = serverFromShareLink(link);
    const auto* shared = std::get_if<echw::SharedServer>(&result);
    QVERIFY(shared);
    QCOMPARE(shared->caCertificates, certificates);
    QVERIFY(shared->server.caFile.isEmpty());

    // An older link's path is not followed: it names a file on another machine.
    const auto old =
        serverFromShareLink(shareLinkFor(server, true) + QStringLiteral("&caFile=%2Fetc%2Fpasswd"));
    QVERIFY(std::get<echw::SharedServer>(old).server.caFile.isEmpty());
}

QTEST_GUILESS_MAIN(TestShareLink)
#include "tst_sharelink.moc"
