#pragma once

#include "HttpRequestHead.h"

#include <QByteArray>
#include <QList>

namespace echw::server {

// A response the worker sends before it closes the connection (it keeps no connection alive,
// so every response carries Connection: close, RFC 9112 section 9.6).
struct HttpResponse {
    int status = 200;
    QList<HttpField> fields; // besides Content-Length, and Connection unless set here
    QByteArray body;

    void addField(QByteArray name, QByteArray value)
    {
        fields.append(HttpField{std::move(name), std::move(value)});
    }

    // A text/plain response with `body` as its body.
    static HttpResponse text(int status, const QByteArray& body);

    // The bytes on the wire; a response to HEAD leaves the body out but keeps its length
    // (RFC 9110 section 9.3.2).
    QByteArray serialize(bool headOnly = false) const;
};

// The reason phrase for the statuses the worker sends.
QByteArray httpReasonPhrase(int status);

} // namespace echw::server
