#include "HttpHead.h"

#include "http/HttpSyntax.h"

#include <algorithm>

namespace echw::http {

namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// The start line and the field lines after it; `head` ends in CRLF CRLF.
std::pair<QByteArrayView, QByteArrayView> splitHead(QByteArrayView head)
{
    const qsizetype end = head.indexOf("\r\n");
    if (end < 0)
        return {head, {}};
    const QByteArrayView rest = head.sliced(end + 2);
    return {head.first(end), rest.endsWith("\r\n") ? rest.first(rest.size() - 2) : rest};
}

// RFC 9112 section 2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive.
bool isVersion(QByteArrayView text)
{
    return text.size() == 8 && text.startsWith("HTTP/") && isDigit(text[5]) && text[6] == '.' &&
           isDigit(text[7]);
}

} // namespace

std::variant<RequestHead, Error> parseRequestHead(QByteArrayView head)
{
    const auto [line, fieldLines] = splitHead(head);
    const qsizetype firstSpace = line.indexOf(' ');
    const qsizetype secondSpace = firstSpace < 0 ? -1 : line.indexOf(' ', firstSpace + 1);
    if (secondSpace < 0)
        return Error{400, QByteArrayLiteral("malformed request line")};
    const QByteArrayView method = line.first(firstSpace);
    const QByteArrayView target = line.sliced(firstSpace + 1, secondSpace - firstSpace - 1);
    const QByteArrayView version = line.sliced(secondSpace + 1);
    if (!isVersion(version) || !isToken(method) || target.isEmpty())
        return Error{400, QByteArrayLiteral("malformed request line")};
    // A URI is plain visible ASCII (RFC 3986 section 2).
    if (!std::all_of(target.begin(), target.end(), isVisibleAscii))
        return Error{400, QByteArrayLiteral("malformed request target")};
    if (version[5] != '1')
        return Error{505, QByteArrayLiteral("unsupported HTTP version")};

    RequestHead request;
    request.method = method.toByteArray();
    request.target = target.toByteArray();
    request.versionMinor = version[7] - '0';
    auto fields = Fields::parse(fieldLines);
    if (auto* error = std::get_if<Error>(&fields))
        return std::move(*error);
    request.fields = std::get<Fields>(std::move(fields));
    auto framing = requestFraming(request.versionMinor, request.fields);
    if (auto* error = std::get_if<Error>(&framing))
        return std::move(*error);
    request.framing = std::get<BodyFraming>(framing);
    return request;
}

std::variant<ResponseHead, Error> parseResponseHead(QByteArrayView head)
{
    const auto [line, fieldLines] = splitHead(head);
    const bool shaped = line.size() >= 12 && isVersion(line.first(8)) && line[5] == '1' &&
                        line[8] == ' ' && isDigit(line[9]) && isDigit(line[10]) &&
                        isDigit(line[11]) && (line.size() == 12 || line[12] == ' ');
    const QByteArrayView reason = line.size() > 13 ? line.sliced(13) : QByteArrayView();
    if (!shaped || !isFieldValue(reason))
        return Error{400, QByteArrayLiteral("not an HTTP/1.x status line")};
    ResponseHead response;
    response.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    // RFC 9110 section 15: codes outside 100..599 are invalid.
    if (response.status < 100 || response.status > 599)
        return Error{400, QByteArrayLiteral("invalid status code")};
    response.reason = reason.toByteArray();
    response.versionMinor = line[7] - '0';
    auto fields = Fields::parse(fieldLines);
    if (auto* error = std::get_if<Error>(&fields))
        return std::move(*error);
    response.fields = std::get<Fields>(std::move(fields));
    return response;
}

} // namespace echw::http
