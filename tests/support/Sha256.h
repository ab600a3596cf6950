#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QtGlobal>

#include <memory>

struct evp_md_ctx_st;

namespace echw::test {

// Incremental SHA-256 backed by OpenSSL rather than QCryptographicHash: Qt's portable
// implementation manages under 200 MB/s, which would make the test origin, not the proxy, the
// bottleneck of an upload benchmark.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void addData(QByteArrayView data);
    // Bytes fed since construction or the last hexResult().
    quint64 length() const { return m_length; }
    // Lower-case hex digest of everything fed so far; starts a new computation.
    QByteArray hexResult();

private:
    struct ContextDeleter {
        void operator()(evp_md_ctx_st* context) const;
    };

    void start();

    std::unique_ptr<evp_md_ctx_st, ContextDeleter> m_context;
    quint64 m_length = 0;
};

} // namespace echw::test
