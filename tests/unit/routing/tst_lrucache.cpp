// LruCache: eviction order, counters, capacity edges, agreement with a simple model under
// heavy hash collisions, and no allocation on a lookup; IpKey as its address key.
#include "routing/IpKey.h"
#include "routing/LruCache.h"

#include <QRandomGenerator>
#include <QTest>

#include <atomic>
#include <cstdlib>
#include <list>
#include <new>

// Counting allocations proves that lookups never allocate. Every non-aligned form of
// operator new and delete is replaced (the aligned ones stay with the runtime), so memory
// from one family is always released by the same family, also under AddressSanitizer.
namespace {

std::atomic<bool> g_countAllocations{false};
std::atomic<int> g_allocations{0};
int* volatile g_escaped = nullptr; // keeps the counter's self-check from being optimised away

void* allocate(std::size_t size) noexcept
{
    if (g_countAllocations.load(std::memory_order_relaxed))
        g_allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size == 0 ? 1 : size);
}

void* allocateOrThrow(std::size_t size)
{
    if (void* memory = allocate(size))
        return memory;
    throw std::bad_alloc();
}

} // namespace

void* operator new(std::size_t size)
{
    return allocateOrThrow(size);
}

void* operator new[](std::size_t size)
{
    return allocateOrThrow(size);
}

void* operator new(std::size_t size, const std::nothrow_t&) noexcept
{
    return allocate(size);
}

void* operator new[](std::size_t size, const std::nothrow_t&) noexcept
{
    return allocate(size);
}

void operator delete(void* memory) noexcept
{
    std::free(memory);
}

void operator delete[](void* memory) noexcept
{
    std::free(memory);
}

void operator delete(void* memory, std::size_t) noexcept
{
    std::free(memory);
}

void operator delete[](void* memory, std::size_t) noexcept
{
    std::free(memory);
}

void operator delete(void* memory, const std::nothrow_t&) noexcept
{
    std::free(memory);
}

void operator delete[](void* memory, const std::nothrow_t&) noexcept
{
    std::free(memory);
}

using namespace echw;

namespace {

// Sends every key to one of a few home slots, so probe runs are long and wrap around, and
// backward-shift deletion is exercised on every eviction.
struct CollidingHash {
    size_t operator()(int key) const { return size_t(key % 5) * 7; }
};

// The obvious LRU: a list, most recent first.
class ModelLru {
public:
    explicit ModelLru(size_t capacity)
        : m_capacity(capacity)
    {}

    std::optional<int> find(int key)
    {
        const auto it = locate(key);
        if (it == m_entries.end())
            return std::nullopt;
        m_entries.splice(m_entries.begin(), m_entries, it);
        return it->second;
    }

    void insert(int key, int value)
    {
        if (const auto it = locate(key); it != m_entries.end())
            m_entries.erase(it);
        else if (m_entries.size() == m_capacity)
            m_entries.pop_back();
        if (m_capacity > 0)
            m_entries.emplace_front(key, value);
    }

    size_t size() const { return m_entries.size(); }

private:
    std::list<std::pair<int, int>>::iterator locate(int key)
    {
        return std::find_if(m_entries.begin(), m_entries.end(),
                            [key](const auto& entry) { return entry.first == key; });
    }

    size_t m_capacity;
    std::list<std::pair<int, int>> m_entries;
};

template <typename Hash> void compareWithModel(qsizetype capacity, int keySpace, int operations)
{
    LruCache<int, int, Hash> cache(capacity);
    ModelLru model{size_t(capacity)};
    QRandomGenerator random(quint32(capacity * 7919 + keySpace));
    for (int i = 0; i < operations; ++i) {
        const int key = random.bounded(keySpace);
        if (random.bounded(2) == 0) {
            cache.insert(key, i);
            model.insert(key, i);
        } else {
            const int* cached = cache.find(key);
            const std::optional<int> expected = model.find(key);
            QCOMPARE(cached != nullptr, expected.has_value());
            if (cached)
                QCOMPARE(*cached, *expected);
        }
        QCOMPARE(size_t(cache.size()), model.size());
    }
}

IpKey key(const char* address)
{
    return IpKey::from(QHostAddress(QLatin1StringView(address)));
}

} // namespace

class TestLruCache : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void startsEmptyWithDefaultCapacity();
    void countsHitsAndMisses();
    void evictsLeastRecentlyUsed();
    void insertRefreshesAndReplaces();
    void capacityOne();
    void capacityZeroKeepsNothing();
    void clearKeepsCounters();
    void agreesWithModel();
    void lookupsDoNotAllocate();
    void ipKeyNormalisesMappedAddresses();
    void ipKeyHashDependsOnSeed();
};

void TestLruCache::startsEmptyWithDefaultCapacity()
{
    LruCache<int, int> cache;
    QCOMPARE(cache.capacity(), 10'000);
    QCOMPARE(cache.size(), 0);
    QCOMPARE(cache.hits(), 0u);
    QCOMPARE(cache.misses(), 0u);
}

void TestLruCache::countsHitsAndMisses()
{
    LruCache<int, QString> cache(4);
    QVERIFY(!cache.find(1));
    cache.insert(1, QStringLiteral("one"));
    QCOMPARE(*cache.find(1), QStringLiteral("one"));
    QCOMPARE(*cache.find(1), QStringLiteral("one"));
    QVERIFY(!cache.find(2));
    QCOMPARE(cache.hits(), 2u);
    QCOMPARE(cache.misses(), 2u);
    QCOMPARE(cache.size(), 1);
}

void TestLruCache::evictsLeastRecentlyUsed()
{
    LruCache<int, int> cache(3);
    cache.insert(1, 10);
    cache.insert(2, 20);
    cache.insert(3, 30);
    QVERIFY(cache.find(1)); // order now 1, 3, 2
    cache.insert(4, 40);    // evicts 2
    QCOMPARE(cache.size(), 3);
    QVERIFY(!cache.find(2));
    QVERIFY(cache.find(3)); // order now 3, 1, 4
    QVERIFY(cache.find(1)); // order now 1, 3, 4
    QVERIFY(cache.find(4)); // order now 4, 1, 3
    cache.insert(5, 50);    // evicts 3
    QVERIFY(!cache.find(3));
    cache.insert(6, 60); // evicts 1
    QVERIFY(!cache.find(1));
    QCOMPARE(*cache.find(4), 40);
    QCOMPARE(*cache.find(5), 50);
    QCOMPARE(*cache.find(6), 60);
}

void TestLruCache::insertRefreshesAndReplaces()
{
    LruCache<int, int> cache(2);
    cache.insert(1, 10);
    cache.insert(2, 20);
    cache.insert(1, 11); // replaces, and 1 becomes the most recent
    QCOMPARE(cache.size(), 2);
    cache.insert(3, 30); // evicts 2, not 1
    QCOMPARE(*cache.find(1), 11);
    QVERIFY(!cache.find(2));
    QCOMPARE(*cache.find(3), 30);
}

void TestLruCache::capacityOne()
{
    LruCache<int, int> cache(1);
    cache.insert(1, 10);
    QCOMPARE(*cache.find(1), 10);
    cache.insert(2, 20);
    QCOMPARE(cache.size(), 1);
    QVERIFY(!cache.find(1));
    QCOMPARE(*cache.find(2), 20);
    cache.insert(2, 21);
    QCOMPARE(*cache.find(2), 21);
    cache.insert(1, 12);
    QVERIFY(!cache.find(2));
    QCOMPARE(*cache.find(1), 12);
    QCOMPARE(cache.hits(), 4u);
    QCOMPARE(cache.misses(), 2u);
}

void TestLruCache::capacityZeroKeepsNothing()
{
    LruCache<int, int> cache(0);
    cache.insert(1, 10);
    QCOMPARE(cache.size(), 0);
    QVERIFY(!cache.find(1));
    QCOMPARE(cache.misses(), 1u);
    LruCache<int, int> negative(-5);
    QCOMPARE(negative.capacity(), 0);
}

void TestLruCache::clearKeepsCounters()
{
    LruCache<int, int> cache(3);
    cache.insert(1, 10);
    cache.insert(2, 20);
    QVERIFY(cache.find(1));
    QVERIFY(!cache.find(3));
    cache.clear();
    QCOMPARE(cache.size(), 0);
    QVERIFY(!cache.find(1));
    QCOMPARE(cache.hits(), 1u);
    QCOMPARE(cache.misses(), 2u);
    // Still fully usable, eviction included.
    for (int key = 0; key < 5; ++key)
        cache.insert(key, key);
    QCOMPARE(cache.size(), 3);
    QVERIFY(!cache.find(1));
    QCOMPARE(*cache.find(4), 4);
}

void TestLruCache::agreesWithModel()
{
    compareWithModel<CollidingHash>(1, 4, 2000);
    if (QTest::currentTestFailed())
        return;
    compareWithModel<CollidingHash>(7, 20, 20000);
    if (QTest::currentTestFailed())
        return;
    compareWithModel<CollidingHash>(50, 120, 20000);
    if (QTest::currentTestFailed())
        return;
    compareWithModel<std::hash<int>>(1000, 3000, 50000);
}

void TestLruCache::lookupsDoNotAllocate()
{
    LruCache<IpKey, int, IpKeyHash> cache(LruCache<IpKey, int, IpKeyHash>::kDefaultCapacity,
                                          IpKeyHash{0x5eed});
    for (quint32 i = 0; i < 10'000; ++i)
        cache.insert(IpKey::fromIpv4(0x0a000000 + i), int(i));
    const IpKey stranger = IpKey::fromIpv4(0x08080808);

    // The counter sees allocations at all.
    g_allocations = 0;
    g_countAllocations = true;
    g_escaped = new int(1);
    g_countAllocations = false;
    delete g_escaped;
    QCOMPARE(g_allocations.load(), 1);

    g_allocations = 0;
    g_countAllocations = true;
    int found = 0;
    for (quint32 i = 0; i < 10'000; ++i) {
        if (const int* value = cache.find(IpKey::fromIpv4(0x0a000000 + i)))
            found += *value == int(i) ? 1 : 0;
    }
    const bool missed = cache.find(stranger) == nullptr;
    // Evicting and reusing an entry with plain keys and values allocates nothing either.
    cache.insert(stranger, -1);
    g_countAllocations = false;

    QCOMPARE(g_allocations.load(), 0);
    QCOMPARE(found, 10'000);
    QVERIFY(missed);
    QCOMPARE(cache.size(), 10'000);
    QCOMPARE(*cache.find(stranger), -1);
    QVERIFY(!cache.find(IpKey::fromIpv4(0x0a000000))); // the least recently used went
}

void TestLruCache::ipKeyNormalisesMappedAddresses()
{
    QCOMPARE(key("192.0.2.1"), key("::ffff:192.0.2.1"));
    QCOMPARE(key("192.0.2.1").family, IpKey::Family::Ipv4);
    QCOMPARE(key("192.0.2.1").bytes[0], quint8(192));
    QCOMPARE(key("192.0.2.1").bytes[3], quint8(1));
    QCOMPARE(key("192.0.2.1"), IpKey::fromIpv4(0xc0000201));
    QVERIFY(key("192.0.2.1") != key("192.0.2.2"));
    QCOMPARE(key("2001:db8::1").family, IpKey::Family::Ipv6);
    QVERIFY(key("2001:db8::1") != key("2001:db8::2"));
    QCOMPARE(key("2001:DB8::1"), key("2001:db8::1"));
    // "::" is the IPv6 unspecified address, not 0.0.0.0.
    QCOMPARE(key("::").family, IpKey::Family::Ipv6);
    QVERIFY(key("::") != key("0.0.0.0"));
    QVERIFY(key("::c000:201") != key("192.0.2.1")); // IPv4-compatible is not mapped
    QCOMPARE(IpKey::from(QHostAddress()).family, IpKey::Family::None);
}

void TestLruCache::ipKeyHashDependsOnSeed()
{
    const IpKey address = key("192.0.2.1");
    QCOMPARE(IpKeyHash{1}(address), IpKeyHash{1}(address));
    QVERIFY(IpKeyHash{1}(address) != IpKeyHash{2}(address));
    QVERIFY(IpKeyHash{1}(address) != IpKeyHash{1}(key("192.0.2.2")));
    QVERIFY(IpKeyHash{1}(address) != IpKeyHash{1}(key("::ffff:0:c000:201")));
}

QTEST_APPLESS_MAIN(TestLruCache)
#include "tst_lrucache.moc"
