#pragma once

#include <QLoggingCategory>

namespace echw::server {

// Everything the worker server logs goes to "echw.server"; tokens never do.
Q_DECLARE_LOGGING_CATEGORY(lcServer)

} // namespace echw::server
