#include "DeterministicContent.h"

#include "Sha256.h"

#include <QFile>
#include <QtEndian>

#include <algorithm>
#include <cstring>

namespace echw::test {

namespace {

// Pieces for hashing and file writing: large enough to amortise calls, small enough for the cache.
constexpr qsizetype kPieceSize = 1024 * 1024;

constexpr quint64 kGoldenGamma = 0x9e3779b97f4a7c15ULL;

// The splitmix64 output function: a bijection with full avalanche, so consecutive counters give
// unrelated words.
constexpr quint64 mix64(quint64 z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Word `index` is the index-th output of a splitmix64 generator started at mix64(seed). Mixing the
// seed first keeps seeds that differ by a multiple of the gamma from yielding shifted copies of
// one stream.
inline quint64 contentWord(quint64 mixedSeed, quint64 index)
{
    return mix64(mixedSeed + (index + 1) * kGoldenGamma);
}

} // namespace

void fillContent(quint64 seed, quint64 offset, char* out, qsizetype n)
{
    Q_ASSERT(n >= 0);
    const quint64 mixedSeed = mix64(seed);
    quint64 index = offset / 8;
    char word[8];

    if (const auto skip = qsizetype(offset % 8); skip != 0 && n > 0) {
        qToLittleEndian(contentWord(mixedSeed, index++), word);
        const qsizetype take = std::min(n, 8 - skip);
        std::memcpy(out, word + skip, size_t(take));
        out += take;
        n -= take;
    }
    for (; n >= 8; n -= 8, out += 8)
        qToLittleEndian(contentWord(mixedSeed, index++), out);
    if (n > 0) {
        qToLittleEndian(contentWord(mixedSeed, index), word);
        std::memcpy(out, word, size_t(n));
    }
}

QByteArray content(quint64 seed, quint64 offset, qsizetype n)
{
    QByteArray result(n, Qt::Uninitialized);
    fillContent(seed, offset, result.data(), n);
    return result;
}

QByteArray contentSha256Hex(quint64 seed, quint64 size)
{
    Sha256 hash;
    QByteArray piece(qsizetype(std::min<quint64>(size, kPieceSize)), Qt::Uninitialized);
    for (quint64 offset = 0; offset < size;) {
        const auto n = qsizetype(std::min<quint64>(size - offset, kPieceSize));
        fillContent(seed, offset, piece.data(), n);
        hash.addData(QByteArrayView(piece.constData(), n));
        offset += quint64(n);
    }
    return hash.hexResult();
}

bool writeContentFile(const QString& path, quint64 seed, quint64 size)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    QByteArray piece(qsizetype(std::min<quint64>(size, kPieceSize)), Qt::Uninitialized);
    for (quint64 offset = 0; offset < size;) {
        const auto n = qsizetype(std::min<quint64>(size - offset, kPieceSize));
        fillContent(seed, offset, piece.data(), n);
        if (file.write(piece.constData(), n) != n)
            return false;
        offset += quint64(n);
    }
    file.close();
    return file.error() == QFileDevice::NoError;
}

} // namespace echw::test
