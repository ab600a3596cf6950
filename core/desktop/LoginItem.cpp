#include "LoginItem.h"

#include "desktop/XdgAutostartEntry.h"

namespace echw {

std::unique_ptr<LoginItem> LoginItem::forThisPlatform(Launch launch)
{
#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
    return std::make_unique<XdgAutostartEntry>(XdgAutostartEntry::defaultPath(), std::move(launch));
#else
    Q_UNUSED(launch);
    return nullptr;
#endif
}

} // namespace echw
