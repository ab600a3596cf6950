#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringView>

#include <optional>
#include <variant>

// DNS wire format (RFC 1035 section 4) as far as fetching an ECHConfigList over DNS over HTTPS
// (RFC 8484) needs it: build the query, parse the answer strictly, read HTTPS/SVCB records
// (RFC 9460) and pick the `ech` parameter. Pure functions: bytes in, values out.
//
// Names are returned in presentation form without the trailing dot ("example.com", the root
// is "."). Label bytes other than printable ASCII, and '.' or '\' inside a label, are escaped
// as in RFC 1035 section 5.1 ("\." "\\" "\DDD"), so a decoded name is always plain ASCII and
// two names are equal exactly when they compare equal case-insensitively (RFC 4343).

namespace echw {

// RR TYPE values (RFC 1035 section 3.2.2, RFC 9460 section 14.1).
namespace DnsType {
inline constexpr quint16 Cname = 5;
inline constexpr quint16 Https = 65;
} // namespace DnsType

// The Internet class, the only one the HTTPS RR is defined for (RFC 9460 section 2.1).
inline constexpr quint16 DnsClassIn = 1;

// Header RCODE values (RFC 1035 section 4.1.1).
namespace DnsRcode {
inline constexpr quint8 NoError = 0;
inline constexpr quint8 FormErr = 1;
inline constexpr quint8 ServFail = 2;
inline constexpr quint8 NxDomain = 3;
inline constexpr quint8 NotImp = 4;
inline constexpr quint8 Refused = 5;
} // namespace DnsRcode

// SvcParamKey values (RFC 9460 section 14.3.2).
namespace SvcParamKey {
inline constexpr quint16 Mandatory = 0;
inline constexpr quint16 Alpn = 1;
inline constexpr quint16 NoDefaultAlpn = 2;
inline constexpr quint16 Port = 3;
inline constexpr quint16 Ipv4Hint = 4;
inline constexpr quint16 Ech = 5;
inline constexpr quint16 Ipv6Hint = 6;
} // namespace SvcParamKey

struct DnsQuestion {
    QString name;
    quint16 type = 0;
    quint16 qclass = 0;
};

struct DnsRecord {
    QString name;
    quint16 type = 0;
    quint16 rrClass = 0;
    // As on the wire. RFC 2181 section 8 says to read values with the top bit set as 0;
    // extractEchConfig does, but the raw field is kept because OPT (RFC 6891) reuses it.
    quint32 ttl = 0;
    QByteArray rdata;
    // Where rdata starts in the message: names inside rdata may be compressed against earlier
    // parts of the message (RFC 1035 section 4.1.4), so decode them with readDnsName(message,
    // rdataOffset), not from rdata alone.
    qsizetype rdataOffset = 0;
};

struct DnsResponse {
    quint16 id = 0;
    quint8 opcode = 0;
    // The 4-bit header RCODE; EDNS extended RCODE bits (RFC 6891 section 6.1.3) are not merged.
    quint8 rcode = 0;
    bool authoritative = false;
    bool truncated = false; // TC: the server left records out
    bool recursionAvailable = false;
    QList<DnsQuestion> questions;
    QList<DnsRecord> answers;
    QList<DnsRecord> authorities;
    QList<DnsRecord> additionals;
};

struct DecodedDnsName {
    QString name;
    // Offset just past the name where it sits in the buffer (after its first pointer, if any).
    qsizetype end = 0;
};

struct SvcParam {
    quint16 key = 0;
    QByteArray value;

    friend bool operator==(const SvcParam&, const SvcParam&) = default;
};

// HTTPS / SVCB RDATA (RFC 9460 section 2.2).
struct SvcbRecord {
    quint16 priority = 0;
    QString targetName;
    QList<SvcParam> params; // keys strictly increasing, as the wire format requires

    // SvcPriority 0 (RFC 9460 section 2.4.2): the record only names another TargetName.
    bool isAliasMode() const { return priority == 0; }
    std::optional<QByteArray> param(quint16 key) const;
};

struct EchLookupResult {
    QByteArray echConfigList;
    // Seconds the answer may be cached: the minimum over the CNAMEs followed and the HTTPS
    // record used.
    quint32 ttl = 0;
    // The owner of the HTTPS record used, as the answer spells it: the queried name or the
    // end of its CNAME chain.
    QString ownerName;
};

// A standard query with RD=1 and one question of class IN. The name is letters, digits, '-'
// and '_' in dot-separated labels of 1..63 characters, at most 253 characters, optionally
// with a trailing dot; it is sent lower-cased. Returns an empty array for any other name
// (the root included: nothing here queries it). Keep id 0 for DoH: RFC 8484 section 4.1
// recommends it so identical queries are cacheable by HTTP caches.
QByteArray buildDnsQuery(QStringView name, quint16 type, quint16 id = 0);

// Parses a whole response strictly: QR must be 1, every count, name and length must fit the
// message exactly, and no bytes may follow the last record. The error says what is wrong,
// starting with "truncated" when the message ends early. TC is reported, not rejected.
std::variant<DnsResponse, QString> parseDnsResponse(QByteArrayView message);

// Decodes the possibly compressed name at offset. Compression pointers must point strictly
// before every byte of the name read so far (so they point backwards, as RFC 1035 section
// 4.1.4 intends, and cannot loop), at most 127 of them are followed, labels are at most 63
// bytes and the name at most 255 bytes in wire form (section 2.3.4).
std::variant<DecodedDnsName, QString> readDnsName(QByteArrayView message, qsizetype offset);

// Parses HTTPS/SVCB RDATA. TargetName must be uncompressed (RFC 9460 section 2.2 says so, and
// a pointer could not be resolved from the RDATA alone), so pointers are rejected. The record
// is malformed, as section 2.2 defines it, when a SvcParam overruns the data, keys are not
// strictly increasing, or the value of a key defined in RFC 9460 sections 7 and 8 or RFC 9848
// (`ech`) has the wrong shape, or the recognised keys contradict each other (section 2.4.3).
// Unknown keys are kept as opaque bytes.
std::variant<SvcbRecord, QString> parseSvcbRdata(QByteArrayView rdata);

// Checks that bytes look like an ECHConfigList (RFC 9849 section 4): a 2-byte length equal to
// the rest, made of entries of 2-byte version + 2-byte length + contents that fill it exactly.
// Entries are not parsed further. Returns what is wrong, or std::nullopt when plausible.
std::optional<QString> validateEchConfigList(QByteArrayView list);

// What the client needs from the DoH answer for queriedName (QTYPE HTTPS): checks the header
// (TC set or an error RCODE fail), the echoed question if any, follows the CNAME chain from
// queriedName (at most 16 hops), takes the HTTPS RRset of the final name and from its
// ServiceMode records the lowest SvcPriority with an `ech` parameter (the first on a tie).
// One malformed record rejects the whole RRset (RFC 9460 section 2.2). An AliasMode record
// (which makes ServiceMode records void, section 2.4.1) fails naming its target, since
// following it takes another query. Errors are worded for the user, e.g. "DNS server
// answered NXDOMAIN for cloudflare-ech.com ...".
std::variant<EchLookupResult, QString> extractEchConfig(QByteArrayView dnsResponse,
                                                        QStringView queriedName);

} // namespace echw
