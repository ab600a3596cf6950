#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <cstddef>
#include <cstdint>
#include <initializer_list>

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

// The pieces from `first` on, joined: what a parser that has finished leaves to the next layer.
QByteArray joined(const QList<QByteArrayView>& pieces, qsizetype first);

// A parser's story as text that runs can be compared by: one line per event, a tag and the
// value's bytes (with their length, so no value can pass for another line).
void note(QByteArray& transcript, QByteArrayView tag, QByteArrayView value = {});

// Fails, printing both, when a run fed `split` reported other than the run fed whole.
void expectSameTranscript(const QByteArray& whole, const QByteArray& other, Split split);

// Feeds the input to `run` (pieces in, transcript out) whole and then cut each other way, and
// fails when a cut changes what the parser reported: where a network read ends must never
// change what a message means.
template <typename Run> void expectSplitIndependent(QByteArrayView data, Run&& run)
{
    const QByteArray whole = run(cut(data, Split::Whole));
    for (const Split split : {Split::Bytes, Split::Varied})
        expectSameTranscript(whole, run(cut(data, split)), split);
}

// The same for each configuration of the parser (credentials, limits, a token): run gets the
// configuration and the pieces.
template <typename Config, typename Run>
void expectSplitIndependentFor(QByteArrayView data, std::initializer_list<Config> configs,
                               Run&& run)
{
    for (const Config& config : configs) {
        expectSplitIndependent(
            data, [&](const QList<QByteArrayView>& pieces) { return run(config, pieces); });
    }
}

[[noreturn]] void failCheck(const char* condition, const char* file, int line);

} // namespace echw::fuzz

// An invariant of the code under test; when it does not hold the input is a finding.
#define ECHW_FUZZ_CHECK(condition)                                                                 \
    ((condition) ? void() : ::echw::fuzz::failCheck(#condition, __FILE__, __LINE__))
