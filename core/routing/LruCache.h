#pragma once

#include <QtGlobal>

#include <algorithm>
#include <bit>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

namespace echw {

// A fixed-capacity map that forgets its least recently used entry when a new one needs room;
// it sits in front of lookups that are worth remembering per address (the reference keeps
// 10,000 routing decisions).
//
// All memory is taken in the constructor: the entries live in one pre-allocated array, linked
// in recency order by index, and an open-addressing table (linear probing, at most half full)
// finds them. A hit or a miss therefore never allocates; an insert allocates only what copying
// Key and Value allocates. Key needs ==, Hash gives a size_t for it.
template <typename Key, typename Value, typename Hash = std::hash<Key>> class LruCache {
public:
    static constexpr qsizetype kDefaultCapacity = 10'000;

    // Capacity 0 is a cache that keeps nothing (every lookup misses).
    explicit LruCache(qsizetype capacity = kDefaultCapacity, Hash hash = Hash())
        : m_capacity(std::clamp<qsizetype>(capacity, 0, kMaxCapacity))
        , m_hash(std::move(hash))
    {
        m_entries.reserve(size_t(m_capacity));
        if (m_capacity > 0) {
            m_slots.assign(std::bit_ceil(size_t(m_capacity) * 2), kNone);
            m_mask = m_slots.size() - 1;
        }
    }

    // The value cached for key, which becomes the most recently used entry; nullptr on a miss.
    // The pointer stays valid until the next insert() or clear().
    const Value* find(const Key& key)
    {
        const quint32 index = indexOf(key);
        if (index == kNone) {
            ++m_misses;
            return nullptr;
        }
        ++m_hits;
        moveToFront(index);
        return &m_entries[index].value;
    }

    // Adds or replaces the entry for key as the most recently used one, evicting the least
    // recently used entry when the cache is full.
    void insert(const Key& key, Value value)
    {
        if (m_capacity == 0)
            return;
        if (const quint32 index = indexOf(key); index != kNone) {
            m_entries[index].value = std::move(value);
            moveToFront(index);
            return;
        }
        quint32 index = 0;
        if (size() == m_capacity) {
            index = m_tail;
            removeSlotOf(index);
            unlink(index);
            m_entries[index].key = key;
            m_entries[index].value = std::move(value);
        } else {
            index = quint32(m_entries.size());
            m_entries.push_back(Entry{key, std::move(value), kNone, kNone});
        }
        m_slots[probeEnd(key)] = index;
        linkFront(index);
    }

    // Forgets every entry (e.g. after the lists changed); the hit and miss counts stay.
    void clear()
    {
        m_entries.clear();
        std::fill(m_slots.begin(), m_slots.end(), kNone);
        m_head = kNone;
        m_tail = kNone;
    }

    qsizetype size() const { return qsizetype(m_entries.size()); }
    qsizetype capacity() const { return m_capacity; }
    quint64 hits() const { return m_hits; }
    quint64 misses() const { return m_misses; }

private:
    static constexpr quint32 kNone = std::numeric_limits<quint32>::max();
    // Indices are 32-bit and the table has twice the capacity in slots.
    static constexpr qsizetype kMaxCapacity = qsizetype(1) << 30;

    struct Entry {
        Key key;
        Value value;
        quint32 newer; // towards m_head
        quint32 older; // towards m_tail
    };

    size_t homeSlot(const Key& key) const { return m_hash(key) & m_mask; }

    quint32 indexOf(const Key& key) const
    {
        if (m_slots.empty())
            return kNone;
        for (size_t slot = homeSlot(key);; slot = (slot + 1) & m_mask) {
            const quint32 index = m_slots[slot];
            if (index == kNone || m_entries[index].key == key)
                return index;
        }
    }

    // The empty slot that ends key's probe sequence (key must be absent).
    size_t probeEnd(const Key& key) const
    {
        size_t slot = homeSlot(key);
        while (m_slots[slot] != kNone)
            slot = (slot + 1) & m_mask;
        return slot;
    }

    // Backward-shift deletion: later members of the probe run move up into the hole, so no
    // tombstones accumulate and lookups stay short however long the cache lives.
    void removeSlotOf(quint32 index)
    {
        size_t hole = homeSlot(m_entries[index].key);
        while (m_slots[hole] != index)
            hole = (hole + 1) & m_mask;
        for (size_t slot = (hole + 1) & m_mask; m_slots[slot] != kNone;
             slot = (slot + 1) & m_mask) {
            const size_t home = homeSlot(m_entries[m_slots[slot]].key);
            // An entry may move back into the hole only if its home is not after the hole on
            // its way to slot (cyclically), or a lookup would start past it.
            const bool homeBetween =
                hole <= slot ? (hole < home && home <= slot) : (hole < home || home <= slot);
            if (homeBetween)
                continue;
            m_slots[hole] = m_slots[slot];
            hole = slot;
        }
        m_slots[hole] = kNone;
    }

    void unlink(quint32 index)
    {
        Entry& entry = m_entries[index];
        if (entry.newer != kNone)
            m_entries[entry.newer].older = entry.older;
        else
            m_head = entry.older;
        if (entry.older != kNone)
            m_entries[entry.older].newer = entry.newer;
        else
            m_tail = entry.newer;
        entry.newer = kNone;
        entry.older = kNone;
    }

    void linkFront(quint32 index)
    {
        Entry& entry = m_entries[index];
        entry.newer = kNone;
        entry.older = m_head;
        if (m_head != kNone)
            m_entries[m_head].newer = index;
        m_head = index;
        if (m_tail == kNone)
            m_tail = index;
    }

    void moveToFront(quint32 index)
    {
        if (index == m_head)
            return;
        unlink(index);
        linkFront(index);
    }

    qsizetype m_capacity;
    Hash m_hash;
    std::vector<Entry> m_entries; // reserved to m_capacity: never reallocates
    std::vector<quint32> m_slots; // entry index or kNone
    size_t m_mask = 0;
    quint32 m_head = kNone; // most recently used
    quint32 m_tail = kNone; // least recently used
    quint64 m_hits = 0;
    quint64 m_misses = 0;
};

} // namespace echw
