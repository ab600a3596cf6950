#include "HttpBodyFraming.h"

#include "http/HttpSyntax.h"

#include <limits>

namespace echw::http {

namespace {

// Whether a Transfer-Encoding list ends in chunked, applied once (RFC 9112 section 6.1: a
// sender must not apply chunked more than once).
std::optional<Error> checkCodings(QByteArrayView joined, bool* finalChunked)
{
    const QList<QByteArrayView> codings = splitList(joined);
    const auto chunked = std::count_if(codings.begin(), codings.end(), [](QByteArrayView coding) {
        return equalsIgnoringCase(coding, "chunked");
    });
    *finalChunked = !codings.isEmpty() && equalsIgnoringCase(codings.last(), "chunked");
    if (chunked > 1)
        return Error{400, QByteArrayLiteral("chunked applied more than once")};
    return std::nullopt;
}

std::variant<BodyFraming, Error> framingOf(int versionMinor, const Fields& fields, bool isRequest)
{
    const auto transferEncoding = fields.value("Transfer-Encoding");
    const auto contentLength = fields.value("Content-Length");
    if (transferEncoding) {
        if (contentLength)
            return Error{400, QByteArrayLiteral("both Transfer-Encoding and Content-Length")};
        if (versionMinor == 0)
            return Error{400, QByteArrayLiteral("Transfer-Encoding in an HTTP/1.0 message")};
        bool finalChunked = false;
        if (auto error = checkCodings(*transferEncoding, &finalChunked))
            return *error;
        if (finalChunked)
            return BodyFraming{BodyFraming::Kind::Chunked, 0};
        if (isRequest)
            return Error{400, QByteArrayLiteral("Transfer-Encoding does not end in chunked")};
        return BodyFraming{BodyFraming::Kind::CloseDelimited, 0};
    }
    if (contentLength) {
        const auto length = parseContentLength(*contentLength);
        if (const auto* error = std::get_if<Error>(&length))
            return *error;
        const qint64 value = std::get<qint64>(length);
        if (value == 0)
            return BodyFraming{};
        return BodyFraming{BodyFraming::Kind::Length, value};
    }
    // Rule 7: a request without either has no body; rule 8: a response is read to the close.
    if (isRequest)
        return BodyFraming{};
    return BodyFraming{BodyFraming::Kind::CloseDelimited, 0};
}

} // namespace

std::variant<qint64, Error> parseContentLength(QByteArrayView joinedValue)
{
    const Error invalid{400, QByteArrayLiteral("invalid Content-Length")};
    const QList<QByteArrayView> elements = splitList(joinedValue);
    if (elements.isEmpty())
        return invalid;
    std::optional<qint64> length;
    for (const QByteArrayView text : elements) {
        qint64 value = 0;
        for (const char c : text) {
            if (c < '0' || c > '9' || value > (std::numeric_limits<qint64>::max() - (c - '0')) / 10)
                return invalid;
            value = value * 10 + (c - '0');
        }
        if (length && *length != value)
            return Error{400, QByteArrayLiteral("conflicting Content-Length values")};
        length = value;
    }
    return *length;
}

std::variant<BodyFraming, Error> requestFraming(int versionMinor, const Fields& fields)
{
    return framingOf(versionMinor, fields, true);
}

std::variant<BodyFraming, Error> responseFraming(bool requestWasHead, int status, int versionMinor,
                                                 const Fields& fields)
{
    // The framing fields are still checked: a reader that skipped them here would accept what
    // a reader of the same bytes with another method refuses.
    auto framing = framingOf(versionMinor, fields, false);
    if (std::holds_alternative<Error>(framing))
        return framing;
    if (requestWasHead || status / 100 == 1 || status == 204 || status == 304)
        return BodyFraming{};
    return framing;
}

} // namespace echw::http
