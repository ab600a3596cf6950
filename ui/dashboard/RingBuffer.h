#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace echw {

// A fixed-capacity FIFO over one allocation: pushing into a full buffer overwrites the oldest
// element, so memory stays constant however long the dashboard runs. Index 0 is the oldest.
template <typename T> class RingBuffer {
public:
    explicit RingBuffer(std::size_t capacity)
        : m_items(capacity > 0 ? capacity : 1)
    {}

    std::size_t capacity() const { return m_items.size(); }
    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    bool full() const { return m_size == m_items.size(); }

    // How a batch of `batchSize` new elements fits: only its newest `kept` elements (a batch
    // larger than the buffer loses its oldest part), after the `dropped` oldest stored ones go.
    // Models use it to announce one removal and one insertion per batch.
    struct AppendPlan {
        std::size_t kept = 0;
        std::size_t dropped = 0;
    };
    AppendPlan planAppend(std::size_t batchSize) const
    {
        AppendPlan plan;
        plan.kept = std::min(batchSize, capacity());
        plan.dropped = m_size + plan.kept > capacity() ? m_size + plan.kept - capacity() : 0;
        return plan;
    }

    const T& at(std::size_t index) const { return m_items[physical(index)]; }
    const T& newest() const { return at(m_size - 1); }

    void push(T item)
    {
        m_items[physical(m_size)] = std::move(item);
        if (full())
            m_head = (m_head + 1) % m_items.size();
        else
            ++m_size;
    }

    // Forgets the `count` oldest elements (all of them when count >= size()).
    void dropOldest(std::size_t count)
    {
        if (count >= m_size) {
            clear();
            return;
        }
        m_head = (m_head + count) % m_items.size();
        m_size -= count;
    }

    void clear()
    {
        m_head = 0;
        m_size = 0;
    }

private:
    std::size_t physical(std::size_t index) const { return (m_head + index) % m_items.size(); }

    std::vector<T> m_items;
    std::size_t m_head = 0;
    std::size_t m_size = 0;
};

} // namespace echw
