#pragma once

// QCustomPlot's header uses Qt's lower-case keywords (signals, emit, foreach), which this
// project turns off with QT_NO_KEYWORDS; they are mapped to their macros for that header only.
// Include this instead of <qcustomplot.h>.

#ifndef signals
#define signals Q_SIGNALS
#define ECHW_UNDEF_SIGNALS
#endif
#ifndef slots
#define slots Q_SLOTS
#define ECHW_UNDEF_SLOTS
#endif
#ifndef emit
#define emit Q_EMIT
#define ECHW_UNDEF_EMIT
#endif
#ifndef foreach
#define foreach Q_FOREACH
#define ECHW_UNDEF_FOREACH
#endif

#include <qcustomplot.h>

#ifdef ECHW_UNDEF_SIGNALS
#undef signals
#undef ECHW_UNDEF_SIGNALS
#endif
#ifdef ECHW_UNDEF_SLOTS
#undef slots
#undef ECHW_UNDEF_SLOTS
#endif
#ifdef ECHW_UNDEF_EMIT
#undef emit
#undef ECHW_UNDEF_EMIT
#endif
#ifdef ECHW_UNDEF_FOREACH
#undef foreach
#undef ECHW_UNDEF_FOREACH
#endif
