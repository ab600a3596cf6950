#include "HttpResponse.h"

namespace echw::server {

HttpResponse HttpResponse::text(int status, const QByteArray& body)
{
    HttpResponse response;
    response.status = status;
    response.addField("Content-Type", "text/plain; charset=utf-8");
    response.body = body;
    return response;
}

QByteArray HttpResponse::serialize(bool headOnly) const
{
    QByteArray out =
        "HTTP/1.1 " + QByteArray::number(status) + ' ' + httpReasonPhrase(status) + "\r\n";
    bool closes = true;
    for (const HttpField& field : fields) {
        out += field.name + ": " + field.value + "\r\n";
        closes = closes && field.name.compare("Connection", Qt::CaseInsensitive) != 0;
    }
    if (closes)
        out += "Connection: close\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
    if (!headOnly)
        out += body;
    return out;
}

QByteArray httpReasonPhrase(int status)
{
    switch (status) {
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 426:
        return "Upgrade Required";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Status";
    }
}

} // namespace echw::server
