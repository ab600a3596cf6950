// The HTTP character classes and line rules shared by the proxy, the WebSocket client and the
// worker: each parser's own tests cover how it words a refusal, these the rules themselves.
#include "http/HttpSyntax.h"

#include <QTest>

using namespace echw::http;

class TestHttpSyntax : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void tokensAreVisibleAsciiWithoutSeparators();
    void fieldValuesRefuseControlsButTabAndKeepObsText();
    void splitsFieldLines_data();
    void splitsFieldLines();
    void splitsListsIgnoringEmptyElements();
    void findsTokensInListsCaseInsensitively();
};

void TestHttpSyntax::tokensAreVisibleAsciiWithoutSeparators()
{
    QVERIFY(isToken("Sec-WebSocket-Protocol"));
    QVERIFY(isToken("!#$%&'*+-.^_`|~09azAZ"));
    QVERIFY(!isToken(""));
    for (char c : QByteArrayView("()<>@,;:\\\"/[]?={} \t\x7f\x80"))
        QVERIFY2(!isTchar(c), QByteArray(1, c).toHex().constData());
    QVERIFY(isVisibleAscii('!') && isVisibleAscii('~'));
    QVERIFY(!isVisibleAscii(' ') && !isVisibleAscii('\x7f') && !isVisibleAscii('\x80'));
}

void TestHttpSyntax::fieldValuesRefuseControlsButTabAndKeepObsText()
{
    QVERIFY(isFieldValue("a b\tc \xe4"));
    QVERIFY(isFieldValue(""));
    for (char c : {'\0', '\r', '\n', '\x01', '\x1f', '\x7f'})
        QVERIFY2(!isFieldValueChar(c), QByteArray(1, c).toHex().constData());
    QCOMPARE(trimOws(" \t a b \t"), QByteArrayView("a b"));
}

void TestHttpSyntax::splitsFieldLines_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<int>("error"); // -1: split into name and value
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("value");

    QTest::newRow("plain") << QByteArray("Host: a.example") << -1 << QByteArray("Host")
                           << QByteArray("a.example");
    QTest::newRow("ows around value")
        << QByteArray("X:\t v 1 \t") << -1 << QByteArray("X") << QByteArray("v 1");
    QTest::newRow("empty value") << QByteArray("X:") << -1 << QByteArray("X") << QByteArray();
    QTest::newRow("folded") << QByteArray(" X: v") << int(FieldLineError::Folded) << QByteArray()
                            << QByteArray();
    QTest::newRow("no colon") << QByteArray("X v") << int(FieldLineError::MissingColon)
                              << QByteArray() << QByteArray();
    QTest::newRow("empty line") << QByteArray() << int(FieldLineError::MissingColon) << QByteArray()
                                << QByteArray();
    QTest::newRow("space before colon")
        << QByteArray("X : v") << int(FieldLineError::InvalidName) << QByteArray() << QByteArray();
    QTest::newRow("empty name") << QByteArray(": v") << int(FieldLineError::InvalidName)
                                << QByteArray() << QByteArray();
}

void TestHttpSyntax::splitsFieldLines()
{
    QFETCH(QByteArray, line);
    QFETCH(int, error);
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, value);
    const auto split = splitFieldLine(line);
    if (error >= 0) {
        QVERIFY(std::holds_alternative<FieldLineError>(split));
        QCOMPARE(int(std::get<FieldLineError>(split)), error);
        return;
    }
    QVERIFY(std::holds_alternative<FieldLine>(split));
    QCOMPARE(std::get<FieldLine>(split).name, name);
    QCOMPARE(std::get<FieldLine>(split).value, value);
}

void TestHttpSyntax::splitsListsIgnoringEmptyElements()
{
    const auto elements = splitList(" a, ,b ,\t,c,");
    QCOMPARE(elements.size(), 3);
    QCOMPARE(elements.at(0), "a");
    QCOMPARE(elements.at(1), "b");
    QCOMPARE(elements.at(2), "c");
    QVERIFY(splitList("").isEmpty());
    QVERIFY(splitList(" , ").isEmpty());
}

void TestHttpSyntax::findsTokensInListsCaseInsensitively()
{
    QVERIFY(listContains("keep-alive, Upgrade", "upgrade"));
    QVERIFY(listContains("UPGRADE", "upgrade"));
    QVERIFY(!listContains("upgraded, close", "upgrade"));
    QVERIFY(!listContains("", "upgrade"));
    QVERIFY(equalsIgnoringCase("Content-Length", "content-length"));
    QVERIFY(!equalsIgnoringCase("Content-Length", "Content-Lengt"));
}

QTEST_APPLESS_MAIN(TestHttpSyntax)
#include "tst_httpsyntax.moc"
