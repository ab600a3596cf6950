#include "FuzzSupport.h"

#include <QtGlobal>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace echw::fuzz {

namespace {

const char* nameOf(Split split)
{
    switch (split) {
    case Split::Whole:
        return "whole";
    case Split::Bytes:
        return "one byte at a time";
    case Split::Varied:
        return "in varied pieces";
    }
    return "?";
}

// Non-printable bytes as \xNN, so a mismatch report stays readable in a terminal.
void printEscaped(const QByteArray& text)
{
    for (const char c : text) {
        const auto byte = uchar(c);
        if (c == '\n' || (byte >= 0x20 && byte < 0x7F))
            std::fputc(c, stderr);
        else
            std::fprintf(stderr, "\\x%02x", byte);
    }
}

// Parsers log what they refuse; a fuzzer feeds them millions of such inputs, and printing each
// one would cost more than parsing it. Fatal messages (a failed Q_ASSERT) still show, and Qt
// aborts after them, which libFuzzer reports as a crash.
void quietMessages(QtMsgType type, const QMessageLogContext&, const QString& message)
{
    if (type == QtFatalMsg)
        std::fprintf(stderr, "%s\n", qPrintable(message));
}

} // namespace

QByteArrayView bytesOf(const uint8_t* data, size_t size)
{
    return QByteArrayView(reinterpret_cast<const char*>(data), qsizetype(size));
}

QList<QByteArrayView> cut(QByteArrayView data, Split split)
{
    QList<QByteArrayView> pieces;
    if (split == Split::Whole || data.size() <= 1) {
        pieces.append(data);
        return pieces;
    }
    if (split == Split::Bytes) {
        pieces.reserve(data.size());
        for (qsizetype i = 0; i < data.size(); ++i)
            pieces.append(data.sliced(i, 1));
        return pieces;
    }
    // Mostly small pieces, where boundaries fall inside headers and length fields, and now and
    // then a large one, as a read from a fast connection would be.
    // FNV-1a of the input seeds the sizes: unlike qHash it is the same on every machine, so
    // an input cuts the same way wherever it is replayed.
    quint64 state = 0xcbf29ce484222325ULL;
    for (const char c : data)
        state = (state ^ uchar(c)) * 0x100000001b3ULL;
    state |= 1;
    qsizetype at = 0;
    while (at < data.size()) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        const qsizetype wanted =
            (state & 7) == 0 ? qsizetype(1 + state % 512) : qsizetype(1 + (state >> 8) % 16);
        const qsizetype size = std::min(wanted, data.size() - at);
        pieces.append(data.sliced(at, size));
        at += size;
    }
    return pieces;
}

QByteArray joined(const QList<QByteArrayView>& pieces, qsizetype first)
{
    QByteArray bytes;
    for (qsizetype i = first; i < pieces.size(); ++i)
        bytes.append(pieces[i]);
    return bytes;
}

void note(QByteArray& transcript, QByteArrayView tag, QByteArrayView value)
{
    transcript.append(tag).append(' ').append(QByteArray::number(value.size())).append(' ');
    transcript.append(value).append('\n');
}

void expectSameTranscript(const QByteArray& whole, const QByteArray& other, Split split)
{
    if (whole == other)
        return;
    std::fprintf(stderr, "The parser reported differently when fed %s.\n-- fed whole:\n",
                 nameOf(split));
    printEscaped(whole);
    std::fprintf(stderr, "-- fed %s:\n", nameOf(split));
    printEscaped(other);
    std::abort();
}

void failCheck(const char* condition, const char* file, int line)
{
    std::fprintf(stderr, "%s:%d: invariant does not hold: %s\n", file, line, condition);
    std::abort();
}

} // namespace echw::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    qInstallMessageHandler(echw::fuzz::quietMessages);
    return 0;
}
