// An ech-workers:// share link pasted by the user: a server read from one must be usable, and
// the link written for it must read back as the same server (with the token, or without it
// when it is left out).

#include "FuzzSupport.h"
#include "config/ShareLink.h"

namespace {

void expectSameServer(const QString& link, echw::ServerProfile expected,
                      const QList<QByteArray>& certificates)
{
    const auto parsed = echw::serverFromShareLink(link);
    const auto* shared = std::get_if<echw::SharedServer>(&parsed);
    ECHW_FUZZ_CHECK(shared);
    // Every link gives a fresh id.
    expected.id = shared->server.id;
    ECHW_FUZZ_CHECK(shared->server == expected);
    ECHW_FUZZ_CHECK(shared->caCertificates == certificates);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QString link = QString::fromUtf8(echw::fuzz::bytesOf(data, size));
    const auto parsed = echw::serverFromShareLink(link);
    const auto* shared = std::get_if<echw::SharedServer>(&parsed);
    if (!shared) {
        const QString& error = std::get<QString>(parsed);
        ECHW_FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    const echw::ServerProfile& server = shared->server;
    ECHW_FUZZ_CHECK(server.validate(0).isEmpty());
    ECHW_FUZZ_CHECK(server.caFile.isEmpty());
    ECHW_FUZZ_CHECK(shared->caCertificates.size() <= echw::kMaxShareLinkCertificates);
    expectSameServer(echw::shareLinkFor(server, true, shared->caCertificates), server,
                     shared->caCertificates);
    echw::ServerProfile withoutToken = server;
    withoutToken.token.clear();
    expectSameServer(echw::shareLinkFor(server, false, shared->caCertificates), withoutToken,
                     shared->caCertificates);
    return 0;
}
