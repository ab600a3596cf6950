#include "RoutingScenario.h"

#include "net/HostResolver.h"
#include "routing/Router.h"

#include <QElapsedTimer>
#include <QRandomGenerator>

#include <mutex>
#include <thread>
#include <vector>

namespace echw::bench {

namespace {

constexpr int kLookups = 1'000'000;
constexpr int kHotSet = 1'000;

// Addresses to look up: half drawn from inside the listed ranges, half uniformly random
// (mostly outside), so both outcomes of the binary search are exercised.
QList<QHostAddress> makeAddresses(const RouteLists& lists, int count, quint64 seed)
{
    QRandomGenerator random(seed);
    QList<QHostAddress> addresses;
    addresses.reserve(count);
    while (addresses.size() < count) {
        const quint32 candidate = random.generate();
        const bool wantListed = addresses.size() % 2 == 0;
        if (wantListed != lists.contains(QHostAddress(candidate)) && random.bounded(8) != 0)
            continue;
        addresses.append(QHostAddress(candidate));
    }
    return addresses;
}

double nsPerLookup(Router& router, const QList<QHostAddress>& addresses, int lookups)
{
    RoutingDecision::CacheUse use;
    volatile int found = 0;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < lookups; ++i)
        found = found + (router.inLists(addresses[i % addresses.size()], &use) ? 1 : 0);
    return double(timer.nsecsElapsed()) / lookups;
}

// Two threads doing `lookups` in all over the hot set, wall time per lookup: either each with a
// router (and cache) of its own, as the engine threads have, or both on one router behind a
// mutex, the least a cache shared by the threads would cost.
double nsPerLookupOnTwoThreads(const std::shared_ptr<const RouteLists>& lists,
                               HostResolver& resolver, const QList<QHostAddress>& addresses,
                               int lookups, bool shared)
{
    Router one({RoutingMode::BypassCn, lists, {}, 10'000}, &resolver);
    Router other({RoutingMode::BypassCn, lists, {}, 10'000}, &resolver);
    std::mutex mutex;
    const auto work = [&](Router& router, int offset) {
        RoutingDecision::CacheUse use;
        volatile int found = 0;
        for (int i = 0; i < lookups / 2; ++i) {
            const QHostAddress& address = addresses[(i + offset) % addresses.size()];
            if (shared) {
                const std::lock_guard lock(mutex);
                found = found + (router.inLists(address, &use) ? 1 : 0);
            } else {
                found = found + (router.inLists(address, &use) ? 1 : 0);
            }
        }
    };
    // Both caches warm first, so both variants measure hits.
    work(one, 0);
    work(other, 0);
    QElapsedTimer timer;
    timer.start();
    std::thread first([&] { work(one, 0); });
    std::thread second([&] { work(shared ? one : other, 500); });
    first.join();
    second.join();
    return double(timer.nsecsElapsed()) / lookups;
}

} // namespace

BenchReport runRoutingScenario(int runs)
{
    BenchReport report(QStringLiteral("routing"));
    const QString directory = bundledListDirectory();
    QList<double> loadMs;
    std::shared_ptr<const RouteLists> lists;
    for (int run = 0; run < runs; ++run) {
        QElapsedTimer timer;
        timer.start();
        auto loaded = loadRouteListsFromDirectory(directory);
        loadMs.append(double(timer.nsecsElapsed()) / 1e6);
        if (auto* error = std::get_if<QString>(&loaded))
            qFatal("%s", qPrintable(*error));
        lists = std::make_shared<const RouteLists>(std::get<RouteLists>(std::move(loaded)));
    }
    report.addRow(QStringLiteral("load both lists"), median(loadMs), QStringLiteral("ms"),
                  QStringLiteral("<= 30 ms"),
                  QStringLiteral("%1 IPv4 + %2 IPv6 ranges")
                      .arg(lists->ipv4.rangeCount())
                      .arg(lists->ipv6.rangeCount()));

    SystemHostResolver resolver;
    const auto hotSet = makeAddresses(*lists, kHotSet, 1);
    const auto coldSet = makeAddresses(*lists, kLookups, 2);

    QList<double> hot, cold, uncached, perThread, sharedLocked;
    qint64 hotHits = 0, hotMisses = 0;
    for (int run = 0; run < runs; ++run) {
        Router cached({RoutingMode::BypassCn, lists, {}, 10'000}, &resolver);
        hot.append(nsPerLookup(cached, hotSet, kLookups));
        hotHits = cached.cacheHits();
        hotMisses = cached.cacheMisses();
        Router fresh({RoutingMode::BypassCn, lists, {}, 10'000}, &resolver);
        cold.append(nsPerLookup(fresh, coldSet, kLookups));
        Router none({RoutingMode::BypassCn, lists, {}, 0}, &resolver);
        uncached.append(nsPerLookup(none, coldSet, kLookups));
        perThread.append(nsPerLookupOnTwoThreads(lists, resolver, hotSet, kLookups, false));
        sharedLocked.append(nsPerLookupOnTwoThreads(lists, resolver, hotSet, kLookups, true));
    }
    report.addRow(QStringLiteral("lookup, hot cache (1k addresses, 1M lookups)"), median(hot),
                  QStringLiteral("ns"), QStringLiteral("<= 100 ns"),
                  QStringLiteral("%1 hits, %2 misses").arg(hotHits).arg(hotMisses));
    report.addRow(QStringLiteral("lookup, cold cache (1M new addresses)"), median(cold),
                  QStringLiteral("ns"), QStringLiteral("<= 400 ns"),
                  QStringLiteral("every lookup misses and inserts"));
    report.addRow(QStringLiteral("lookup, no cache (binary search only)"), median(uncached),
                  QStringLiteral("ns"), QStringLiteral("<= 400 ns"), QString());
    report.addRow(QStringLiteral("2 threads, hot cache each (as the engine threads)"),
                  median(perThread), QStringLiteral("ns"), QString(),
                  QStringLiteral("wall time per lookup, both threads together"));
    report.addRow(QStringLiteral("2 threads, one hot cache behind a mutex"), median(sharedLocked),
                  QStringLiteral("ns"), QString(),
                  QStringLiteral("what a cache shared by the threads costs at least"));
    return report;
}

} // namespace echw::bench
