#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <cstddef>
#include <cstdint>

// What every fuzz target shares: the input as bytes, the ways of cutting it into pieces for
// incremental parsers, and checks that stop the run so libFuzzer keeps the input.
namespace echw::fuzz {

// How an input reaches an incremental parser. Whole is the reference; Bytes puts a boundary
// between every two bytes at once; Varied cuts pieces of mixed sizes drawn from the input
// itself, so each input is always cut the same way and a crash reproduces.
enum class Split { Whole, Bytes, Varied };

QByteArrayView bytesOf(const uint8_t* data, size_t size);

// Consecutive pieces that cover `data` exactly, in order.
QList<QByteArrayView> cut(QByteArrayView data, Split split);

// A parser's story as text that runs can be compared by: one line per event, a tag and the
// value's bytes (with their length, so no value can pass for another line).
void note(QByteArray& transcript, QByteArrayView tag, QByteArrayView value = {});

// Feeds the input to `run` (pieces in, transcript out) whole and then cut each other way, and
// fails when a cut changes what the parser reported: where a network read ends must never
// change what a message means.
template <typename Run> void expectSplitIndependent(QByteArrayView data, Run&& run)
{
    const QByteArray whole = run(cut(data, Split::Whole));
    for (const Split split : {Split::Bytes, Split::Varied})
        expectSameTranscript(whole, run(cut(data, split)), split);
}

void expectSameTranscript(const QByteArray& whole, const QByteArray& other, Split split);

[[noreturn]] void failCheck(const char* condition, const char* file, int line);

} // namespace echw::fuzz

// An invariant of the code under test; when it does not hold the input is a finding.
#define ECHW_FUZZ_CHECK(condition)                                                                 \
    ((condition) ? void() : ::echw::fuzz::failCheck(#condition, __FILE__, __LINE__))
