#include "ServerLog.h"

namespace echw::server {

Q_LOGGING_CATEGORY(lcServer, "echw.server")

} // namespace echw::server
