#pragma once

#include <QObject>

#include <memory>

namespace echw {

// How an owner lets go of a QObject it holds in a std::unique_ptr. The owner's connections to
// the object (slots of the owner, lambdas with the owner as context) go with it every time:
// a signal the object emits later must never reach an owner that no longer holds it (the
// owner's pointer is empty by then, or the owner is gone).

// Gives the object to a new owner; `owner`'s connections to it are cut first. Everyone else's
// connections stay: they belong to whoever made them.
template <typename T>
[[nodiscard]] std::unique_ptr<T> handOver(std::unique_ptr<T>& owned, const QObject* owner)
{
    if (owned)
        QObject::disconnect(owned.get(), nullptr, owner, nullptr);
    return std::move(owned);
}

// Drops the object: none of its signals reaches anyone from now on, and it is deleted when
// control is back in the event loop, since the caller may be running inside the object's own
// code (its signal or callback).
template <typename T> void dropLater(std::unique_ptr<T>& owned)
{
    if (!owned)
        return;
    QObject::disconnect(owned.get(), nullptr, nullptr, nullptr);
    owned.release()->deleteLater();
}

// The same for a stream that may still be open: it is closed in both directions (after its
// signals are cut, so closing reports nothing).
template <typename T> void abortAndDropLater(std::unique_ptr<T>& stream)
{
    if (!stream)
        return;
    QObject::disconnect(stream.get(), nullptr, nullptr, nullptr);
    stream->abort();
    stream.release()->deleteLater();
}

} // namespace echw
