// The SOCKS5 handshake a local client sends (RFC 1928, RFC 1929), without and with credentials:
// greeting, authentication and request, cut at every boundary.

#include "FuzzSupport.h"
#include "inbound/Socks5Parser.h"

namespace {

using echw::Socks5Parser;
using Event = Socks5Parser::Event;
using echw::fuzz::note;

const echw::ProxyCredentials kCredentials(QByteArrayLiteral("user"), QByteArrayLiteral("pass"));

QByteArray run(const echw::ProxyCredentials& credentials, const QList<QByteArrayView>& pieces)
{
    Socks5Parser parser(credentials);
    QByteArray transcript;
    bool authenticated = false;
    qsizetype fed = 0;
    while (fed < pieces.size()) {
        parser.append(pieces[fed++]);
        while (auto event = parser.next()) {
            switch (event->type) {
            case Event::Type::MethodSelected:
                ECHW_FUZZ_CHECK(event->reply.size() == 2);
                note(transcript, "method", event->reply);
                break;
            case Event::Type::Authenticated:
                ECHW_FUZZ_CHECK(credentials.isRequired());
                authenticated = true;
                note(transcript, "authenticated", event->reply);
                break;
            case Event::Type::Request: {
                // A client must not reach a request without the credentials the proxy asks for.
                ECHW_FUZZ_CHECK(authenticated || !credentials.isRequired());
                note(transcript, "command", QByteArray::number(int(event->command)));
                if (event->command == Socks5Parser::Command::Connect) {
                    // The target is already in its normal form: checking it again changes
                    // nothing.
                    const auto again =
                        echw::TargetAddress::fromHostPort(event->target.host, event->target.port);
                    ECHW_FUZZ_CHECK(again && *again == event->target);
                    note(transcript, "target", event->target.toString().toUtf8());
                } else {
                    note(transcript, "client port", QByteArray::number(event->clientPort));
                }
                // What follows the request is the start of the tunnel, however it was cut.
                note(transcript, "remaining",
                     parser.takeRemaining() + echw::fuzz::joined(pieces, fed));
                ECHW_FUZZ_CHECK(!parser.next());
                return transcript;
            }
            case Event::Type::Error:
                note(transcript, "error", event->reply);
                note(transcript, "reason", event->reason);
                ECHW_FUZZ_CHECK(!parser.next());
                return transcript;
            }
        }
    }
    return transcript;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    echw::fuzz::expectSplitIndependentFor(echw::fuzz::bytesOf(data, size),
                                          {echw::ProxyCredentials(), kCredentials}, run);
    return 0;
}
