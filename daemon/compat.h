/*
 * compat.h: attributes shared by every header of datadiffd. Source files
 * include "banned.h" last, after all system headers.
 */
#ifndef COMPAT_H
#define COMPAT_H

#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#define NORETURN               __attribute__((noreturn))
#define WARN_UNUSED            __attribute__((warn_unused_result))
#define UNUSED                 __attribute__((unused))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* COMPAT_H */
