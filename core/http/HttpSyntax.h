#pragma once

#include <QByteArrayView>
#include <QList>

#include <variant>

// The character classes and line rules of HTTP/1.1 (RFC 9110, RFC 9112) that every HTTP parser
// here applies the same way: the proxy's request parser, the WebSocket client's response check
// and the worker's request parser. Pure functions over bytes; no parser state.
namespace echw::http {

// tchar of RFC 9110 section 5.6.2: what methods, field names and list tokens are made of.
// Visible ASCII without the separators, so it also excludes whitespace.
bool isTchar(char c);
bool isToken(QByteArrayView text);

// VCHAR of RFC 5234 appendix B.1: visible ASCII, what a request-target is made of.
bool isVisibleAscii(char c);

// OWS of RFC 9110 section 5.6.3.
bool isOws(char c);
QByteArrayView trimOws(QByteArrayView text);

// field-vchar (obs-text included), SP and HTAB of RFC 9110 section 5.5. Section 5.5 forbids
// CR, LF and NUL in a value; the other controls have no legitimate use either and are a
// classic way to make peers disagree about where a line ends, so all of them are refused.
bool isFieldValueChar(char c);
bool isFieldValue(QByteArrayView text);

struct FieldLine {
    QByteArrayView name;  // a token, as sent
    QByteArrayView value; // without the surrounding OWS; not yet checked with isFieldValue()
};

enum class FieldLineError {
    // The line starts with whitespace: obs-fold, which RFC 9112 section 5.2 lets a recipient
    // refuse, the one choice that cannot be misread downstream.
    Folded,
    MissingColon,
    // Empty, or not a token, which includes whitespace before the colon (RFC 9112 section 5.1
    // requires refusing it because peers disagree on it).
    InvalidName,
};

// Splits one field line (RFC 9112 section 5: name ":" OWS value OWS, line end removed) into
// name and value. The views point into `line`.
std::variant<FieldLine, FieldLineError> splitFieldLine(QByteArrayView line);

// The trimmed, non-empty elements of a comma-separated list (RFC 9110 section 5.6.1, which has
// recipients ignore empty elements). The views point into `value`: keep it alive while they
// are used.
QList<QByteArrayView> splitList(QByteArrayView value);

// Whether the list holds `token`, compared case-insensitively (Connection and Upgrade, RFC 9110
// sections 7.6.1 and 7.8).
bool listContains(QByteArrayView list, QByteArrayView token);

// Field names, tokens and schemes compare case-insensitively (RFC 9110 sections 5.1 and 4.2.3).
bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b);

} // namespace echw::http
