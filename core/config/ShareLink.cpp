#include "ShareLink.h"

#include <QUrl>
#include <QUrlQuery>

#include <optional>

namespace echw {

namespace {

const QString kScheme = QStringLiteral("ech-workers");
// The URL needs an authority for the "//"; the host carries no data.
const QString kHost = QStringLiteral("server");
const QString kVersionKey = QStringLiteral("v");
constexpr int kVersion = 1;

const QString kTokenKey = QStringLiteral("token");
const QString kCaKey = QStringLiteral("ca");
constexpr auto kBase64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;
const QString kWithoutEchKey = QStringLiteral("withoutEch");

// The keys match AppSettings' JSON keys, so the same field has one name
// everywhere; the label is what an error sentence calls it.
struct TextField {
    QString key;
    QString label;
    QString ServerProfile::*member;
};

struct NumberField {
    QString key;
    QString label;
    int ServerProfile::*member;
};

const TextField kTextFields[] = {
    {QStringLiteral("name"), QStringLiteral("name"), &ServerProfile::name},
    {QStringLiteral("address"), QStringLiteral("address"), &ServerProfile::address},
    {QStringLiteral("preferredIp"), QStringLiteral("preferred IP"), &ServerProfile::preferredIp},
    {QStringLiteral("dohServer"), QStringLiteral("DoH server"), &ServerProfile::dohServer},
    {QStringLiteral("echDomain"), QStringLiteral("ECH domain"), &ServerProfile::echDomain},
};

const NumberField kNumberFields[] = {
    {QStringLiteral("connectionLimit"), QStringLiteral("connection limit"),
     &ServerProfile::connectionLimit},
    {QStringLiteral("warmPoolSize"), QStringLiteral("warm pool size"),
     &ServerProfile::warmPoolSize},
};

QString labelForIssueKey(const QString& key)
{
    if (key == kTokenKey)
        return kTokenKey;
    if (key == kWithoutEchKey)
        return QStringLiteral("no-ECH setting");
    for (const TextField& text : kTextFields) {
        if (text.key == key)
            return text.label;
    }
    for (const NumberField& number : kNumberFields) {
        if (number.key == key)
            return number.label;
    }
    return key;
}

std::optional<QString> value(const QUrlQuery& query, const QString& key)
{
    if (!query.hasQueryItem(key))
        return std::nullopt;
    return query.queryItemValue(key, QUrl::FullyDecoded);
}

// QUrlQuery takes the values it is given as already percent-encoded, so a value holding "%41"
// would come back as "A"; encoding the value first makes every text travel unchanged.
QString encodedValue(const QString& value)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(value));
}

QString fieldError(const QString& label, const QString& what)
{
    return QStringLiteral("the share link's %1 %2").arg(label, what);
}

} // namespace

QString shareLinkFor(const ServerProfile& server, bool includeToken,
                     const QList<QByteArray>& caCertificates)
{
    const ServerProfile defaults;
    QUrlQuery query;
    query.addQueryItem(kVersionKey, QString::number(kVersion));
    for (const TextField& text : kTextFields) {
        if (server.*text.member != defaults.*text.member)
            query.addQueryItem(text.key, encodedValue(server.*text.member));
    }
    if (includeToken && !server.token.isEmpty())
        query.addQueryItem(kTokenKey, encodedValue(server.token));
    if (server.withoutEch != defaults.withoutEch)
        query.addQueryItem(kWithoutEchKey,
                           server.withoutEch ? QStringLiteral("1") : QStringLiteral("0"));
    for (const NumberField& number : kNumberFields) {
        if (server.*number.member != defaults.*number.member)
            query.addQueryItem(number.key, QString::number(server.*number.member));
    }
    for (const QByteArray& certificate : caCertificates)
        query.addQueryItem(kCaKey, QString::fromLatin1(certificate.toBase64(kBase64Url)));

    QUrl url;
    url.setScheme(kScheme);
    url.setHost(kHost);
    url.setQuery(query);
    // Fully encoded: plain ASCII survives chat programs and e-mail.
    return url.toString(QUrl::FullyEncoded);
}

std::variant<SharedServer, QString> serverFromShareLink(const QString& link)
{
    const QString trimmed = link.trimmed();
    if (trimmed.isEmpty())
        return QStringLiteral("the share link is empty; paste a link starting with ech-workers://");
    if (trimmed.size() > kMaxShareLinkLength) {
        return QStringLiteral("the text is too long for a share link (over %1 KiB); paste a "
                              "single ech-workers:// link")
            .arg(kMaxShareLinkLength / 1024);
    }
    // Tolerant: a link shown decoded (raw unicode, spaces) by a chat program or
    // browser still reads.
    const QUrl url(trimmed, QUrl::TolerantMode);
    if (!url.isValid() || url.scheme().compare(kScheme, Qt::CaseInsensitive) != 0) {
        return QStringLiteral("this is not a share link; it must start with %1://").arg(kScheme);
    }
    const QUrlQuery query(url);

    const std::optional<QString> version = value(query, kVersionKey);
    if (!version)
        return QStringLiteral("the share link has no version (v=); copy the whole link");
    bool versionOk = false;
    const int versionNumber = version->toInt(&versionOk);
    if (!versionOk || versionNumber < 1 || versionNumber > kVersion) {
        return QStringLiteral("the share link's version is not one this app reads (up to %1); "
                              "update the app or ask for a new link")
            .arg(kVersion);
    }

    ServerProfile server;
    for (const TextField& text : kTextFields) {
        if (const auto found = value(query, text.key))
            server.*text.member = *found;
    }
    if (server.address.isEmpty())
        return fieldError(QStringLiteral("address"), QStringLiteral("is missing"));
    if (server.name.isEmpty())
        server.name = server.address;
    if (const auto token = value(query, kTokenKey))
        server.token = *token;
    if (const auto withoutEch = value(query, kWithoutEchKey)) {
        if (*withoutEch == u"1" || *withoutEch == u"true")
            server.withoutEch = true;
        else if (*withoutEch == u"0" || *withoutEch == u"false")
            server.withoutEch = false;
        else
            return fieldError(QStringLiteral("no-ECH setting"), QStringLiteral("must be 0 or 1"));
    }
    for (const NumberField& number : kNumberFields) {
        const auto found = value(query, number.key);
        if (!found)
            continue;
        bool ok = false;
        server.*number.member = found->toInt(&ok);
        if (!ok)
            return fieldError(number.label, QStringLiteral("is not a whole number"));
    }

    SharedServer shared;
    const QStringList certificates = query.allQueryItemValues(kCaKey, QUrl::FullyDecoded);
    if (certificates.size() > kMaxShareLinkCertificates) {
        return fieldError(QStringLiteral("CA certificates"),
                          QStringLiteral("are more than %1").arg(kMaxShareLinkCertificates));
    }
    for (const QString& text : certificates) {
        const auto decoded = QByteArray::fromBase64Encoding(
            text.toLatin1(), kBase64Url | QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.isEmpty())
            return fieldError(QStringLiteral("CA certificate"), QStringLiteral("is not base64url"));
        shared.caCertificates.append(decoded.decoded);
    }

    server.id = ServerProfile::newId();
    const QList<SettingsIssue> issues = server.validate(0);
    if (!issues.isEmpty()) {
        const SettingsIssue& first = issues.first();
        return QStringLiteral("the share link's %1 is not usable: %2")
            .arg(labelForIssueKey(first.key), first.message());
    }
    shared.server = std::move(server);
    return shared;
}

} // namespace echw
