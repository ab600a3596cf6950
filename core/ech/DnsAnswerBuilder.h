#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringView>

#include <variant>

namespace echw {

// The DNS side of the self-hosted server's DoH endpoint (RFC 8484): the server knows one name,
// its own, and publishes its ECHConfigList there the way Cloudflare does for its ECH domain.
// Pure function: a query in wire format in, the response in wire format out.
//
// The query must be a standard query (QR=0) with exactly one question whose name is not
// compressed (nothing before the question could be pointed at). Records after the question,
// such as an EDNS OPT with padding (RFC 6891, RFC 8467), are checked for shape and otherwise
// ignored; the response carries no OPT. Every response echoes the ID, RD and the question as
// sent (case preserved, RFC 4343 section 4.1) and sets QR and RA:
//  - QTYPE HTTPS (65), class IN, of ownName (compared case-insensitively, a trailing dot is
//    optional): NOERROR, AA, one HTTPS record owned by a pointer to the question name (RFC
//    1035 section 4.1.4) with the given TTL: SvcPriority 1, TargetName "." (the owner
//    itself, RFC 9460 section 2.5.2), SvcParams alpn="http/1.1" (key 1) and ech (key 5), in
//    increasing key order as section 2.2 requires.
//  - another type of ownName, class IN: NOERROR, AA, no record (NODATA).
//  - ownName in a class other than IN: REFUSED (the HTTPS record exists only in IN).
//  - any other name: NXDOMAIN without AA, so a client pointed at the wrong ECH domain hears
//    "the name does not exist" rather than a vague refusal; AA stays clear because the server
//    has no authority over names it does not own.
//  - an OPCODE other than QUERY: NOTIMP, header only.
// Negative answers carry no SOA, so no cache keeps them (RFC 2308 section 5).
//
// echConfigList must be a valid ECHConfigList (validateEchConfigList in DnsMessage.h). The
// error string describes a malformed query; the DoH endpoint answers it with HTTP 400.
std::variant<QByteArray, QString> buildHttpsAnswer(QByteArrayView query, QStringView ownName,
                                                   QByteArrayView echConfigList, quint32 ttl);

} // namespace echw
