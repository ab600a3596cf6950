// An ech-workers:// share link pasted by the user: a server read from one must be usable, and
// the link written for it must read back as the same server (with the token, or without it
// when it is left out).

#include "FuzzSupport.h"
#include "config/ShareLink.h"

namespace {

void expectSameServer(const QString& link, echw::ServerProfile expected)
{
    const auto parsed = echw::serverFromShareLink(link);
    const auto* server = std::get_if<echw::ServerProfile>(&parsed);
    ECHW_FUZZ_CHECK(server);
    // Every link gives a fresh id.
    expected.id = server->id;
    ECHW_FUZZ_CHECK(*server == expected);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QString link = QString::fromUtf8(echw::fuzz::bytesOf(data, size));
    const auto parsed = echw::serverFromShareLink(link);
    const auto* server = std::get_if<echw::ServerProfile>(&parsed);
    if (!server) {
        const QString& error = std::get<QString>(parsed);
        ECHW_FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    ECHW_FUZZ_CHECK(server->validate(QStringLiteral("server")).isEmpty());
    expectSameServer(echw::shareLinkFor(*server, true), *server);
    echw::ServerProfile withoutToken = *server;
    withoutToken.token.clear();
    expectSameServer(echw::shareLinkFor(*server, false), withoutToken);
    return 0;
}
