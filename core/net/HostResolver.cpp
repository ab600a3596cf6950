#include "HostResolver.h"

#include "ech/DnsMessage.h"
#include "ech/DohClient.h"
#include "net/NameLookup.h"

#include <QHostInfo>
#include <QPointer>

namespace echw {

namespace {

constexpr quint16 kTypeA = 1;
constexpr quint16 kTypeAaaa = 28;
constexpr std::chrono::seconds kSystemTtl{60};
constexpr std::chrono::seconds kMaxTtl{3600};
constexpr int kMaxCacheEntries = 4096;

} // namespace

void HostResolver::resolve(const QString& host, QObject* context, Callback callback)
{
    const QString key = host.toLower();
    const auto now = std::chrono::steady_clock::now();
    if (const auto it = m_cache.constFind(key); it != m_cache.cend() && it->expires > now) {
        ++m_hits;
        QMetaObject::invokeMethod(
            context,
            [callback = std::move(callback), addresses = it->addresses] {
                callback(Answer{addresses, true});
            },
            Qt::QueuedConnection);
        return;
    }
    ++m_misses;
    auto& waiters = m_waiting[key];
    waiters.append({QPointer<QObject>(context), std::move(callback)});
    if (waiters.size() > 1)
        return; // one lookup serves everyone asking for the same name
    lookup(key, [this, key](std::variant<Lookup, QString> result) {
        if (auto* found = std::get_if<Lookup>(&result))
            store(key, *found);
        const auto waiting = m_waiting.take(key);
        for (const auto& [context, callback] : waiting) {
            if (!context)
                continue;
            if (auto* found = std::get_if<Lookup>(&result))
                callback(Answer{found->addresses, false});
            else
                callback(std::get<QString>(result));
        }
    });
}

void HostResolver::store(const QString& host, const Lookup& lookup)
{
    if (lookup.addresses.isEmpty() || lookup.ttl.count() <= 0)
        return;
    if (m_cache.size() >= kMaxCacheEntries) {
        const auto now = std::chrono::steady_clock::now();
        m_cache.removeIf([now](const auto& entry) { return entry.value().expires <= now; });
        if (m_cache.size() >= kMaxCacheEntries)
            m_cache.clear();
    }
    m_cache.insert(host, Entry{lookup.addresses,
                               std::chrono::steady_clock::now() + std::min(lookup.ttl, kMaxTtl)});
}

SystemHostResolver::~SystemHostResolver() = default;

void SystemHostResolver::lookup(const QString& host, LookupCallback callback)
{
    // resolve() asks for each name once at a time, so the name keys its lookup.
    auto lookup = std::make_unique<NameLookup>(
        host, this, [this, host, callback = std::move(callback)](const QHostInfo& info) {
            const auto finished = m_lookups.extract(host);
            if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
                callback(QStringLiteral("cannot resolve %1: %2").arg(host, info.errorString()));
                return;
            }
            callback(Lookup{info.addresses(), kSystemTtl});
        });
    m_lookups[host] = std::move(lookup);
}

DohHostResolver::DohHostResolver(std::unique_ptr<DohClient> doh, QObject* parent)
    : HostResolver(parent)
    , m_doh(std::move(doh))
{}

DohHostResolver::~DohHostResolver() = default;

void DohHostResolver::lookup(const QString& host, LookupCallback callback)
{
    // A and AAAA in parallel; the answer is complete when both are in.
    struct Pending {
        int outstanding = 2;
        QList<QHostAddress> addresses;
        quint32 ttl = std::numeric_limits<quint32>::max();
        QString error;
        LookupCallback callback;
    };
    auto pending = std::make_shared<Pending>();
    pending->callback = std::move(callback);
    for (const quint16 type : {kTypeA, kTypeAaaa}) {
        m_doh->query(host, type, this, [host, pending](DohClient::Response response) {
            if (auto* bytes = std::get_if<QByteArray>(&response)) {
                quint32 ttl = 0;
                auto parsed = addressesFromDnsResponse(*bytes, host, &ttl);
                if (auto* addresses = std::get_if<QList<QHostAddress>>(&parsed)) {
                    pending->addresses += *addresses;
                    if (!addresses->isEmpty())
                        pending->ttl = std::min(pending->ttl, ttl);
                } else {
                    pending->error = std::get<QString>(parsed);
                }
            } else {
                pending->error = std::get<QString>(response);
            }
            if (--pending->outstanding > 0)
                return;
            if (pending->addresses.isEmpty()) {
                pending->callback(pending->error.isEmpty()
                                      ? QStringLiteral("%1 has no address").arg(host)
                                      : pending->error);
                return;
            }
            pending->callback(Lookup{pending->addresses, std::chrono::seconds(pending->ttl)});
        });
    }
}

std::variant<QList<QHostAddress>, QString>
addressesFromDnsResponse(QByteArrayView response, const QString& name, quint32* ttl)
{
    auto parsed = parseDnsResponse(response);
    if (auto* error = std::get_if<QString>(&parsed))
        return *error;
    const auto& message = std::get<DnsResponse>(parsed);
    if (message.rcode == DnsRcode::NxDomain)
        return QStringLiteral("%1 does not exist (NXDOMAIN)").arg(name);
    if (message.rcode != DnsRcode::NoError)
        return QStringLiteral("the DNS server answered rcode %1 for %2")
            .arg(message.rcode)
            .arg(name);

    QStringList names = {name.toLower()};
    QList<QHostAddress> addresses;
    quint32 smallest = std::numeric_limits<quint32>::max();
    // Answers come in chain order (RFC 1034 section 3.6.2); a bounded pass over them suffices.
    for (const DnsRecord& record : message.answers) {
        if (!names.contains(record.name.toLower()))
            continue;
        if (record.type == DnsType::Cname && names.size() < 16) {
            auto target = readDnsName(response, record.rdataOffset);
            if (auto* decoded = std::get_if<DecodedDnsName>(&target)) {
                names.append(decoded->name.toLower());
                smallest = std::min(smallest, record.ttl);
            }
        } else if (record.type == kTypeA && record.rdata.size() == 4) {
            const auto* b = reinterpret_cast<const uchar*>(record.rdata.constData());
            addresses.append(QHostAddress(quint32(b[0]) << 24 | quint32(b[1]) << 16 |
                                          quint32(b[2]) << 8 | quint32(b[3])));
            smallest = std::min(smallest, record.ttl);
        } else if (record.type == kTypeAaaa && record.rdata.size() == 16) {
            addresses.append(
                QHostAddress(reinterpret_cast<const quint8*>(record.rdata.constData())));
            smallest = std::min(smallest, record.ttl);
        }
    }
    *ttl = addresses.isEmpty() ? 0 : smallest;
    return addresses;
}

} // namespace echw
