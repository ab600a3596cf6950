#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <initializer_list>
#include <variant>

// Small helpers for writing test values, shared so that every unit test builds them alike.
namespace echw::test {

// The value of a `std::variant<T, QString>` result that a test needs to go on (certificates,
// keys, answers), aborting with the error text when there is none: no test can continue
// without its fixtures, and the message says why.
template <typename T> T unwrap(std::variant<T, QString> value)
{
    if (auto* error = std::get_if<QString>(&value))
        qFatal("%s", qPrintable(*error));
    return std::get<T>(std::move(value));
}

// The error text of such a result, empty when it holds a value: for QVERIFY2 messages and for
// comparing refusals.
template <typename T> QString errorOf(const std::variant<T, QString>& result)
{
    const auto* error = std::get_if<QString>(&result);
    return error ? *error : QString();
}

// Wire bytes written as numbers, e.g. bytes({5, 1, 0}) for a SOCKS5 greeting.
inline QByteArray bytes(std::initializer_list<int> values)
{
    QByteArray out;
    for (int v : values)
        out.append(char(v));
    return out;
}

} // namespace echw::test
