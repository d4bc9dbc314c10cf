/*
 * <inttypes.h> — printf conversion macros for <stdint.h> types (C11 7.8).
 *
 * Keel's targets are LP64 (x86_64, aarch64): the 64-bit types are long.
 * The "fast" types differ between compilers (gcc makes int_fast16_t a
 * long, clang a short), so their macros follow the compiler's widths.
 * There is no scanf, so there are no SCN macros.
 */
#ifndef _INTTYPES_H
#define _INTTYPES_H

#include <stdint.h>

#if __SIZEOF_LONG__ == 8
#define __KEEL_PRI64 "l"
#else
#define __KEEL_PRI64 "ll"
#endif

#if __SIZEOF_POINTER__ == __SIZEOF_LONG__
#define __KEEL_PRIPTR "l"
#else
#define __KEEL_PRIPTR ""
#endif

#define __KEEL_PRIW8 ""
#define __KEEL_PRIW16 ""
#define __KEEL_PRIW32 ""
#define __KEEL_PRIW64 __KEEL_PRI64
#define __KEEL_PRIW_(w) __KEEL_PRIW##w
#define __KEEL_PRIW(w) __KEEL_PRIW_(w)

#define PRId8 "d"
#define PRIi8 "i"
#define PRIo8 "o"
#define PRIu8 "u"
#define PRIx8 "x"
#define PRIX8 "X"
#define PRId16 "d"
#define PRIi16 "i"
#define PRIo16 "o"
#define PRIu16 "u"
#define PRIx16 "x"
#define PRIX16 "X"
#define PRId32 "d"
#define PRIi32 "i"
#define PRIo32 "o"
#define PRIu32 "u"
#define PRIx32 "x"
#define PRIX32 "X"
#define PRId64 __KEEL_PRI64 "d"
#define PRIi64 __KEEL_PRI64 "i"
#define PRIo64 __KEEL_PRI64 "o"
#define PRIu64 __KEEL_PRI64 "u"
#define PRIx64 __KEEL_PRI64 "x"
#define PRIX64 __KEEL_PRI64 "X"

#define PRIdLEAST8 PRId8
#define PRIiLEAST8 PRIi8
#define PRIoLEAST8 PRIo8
#define PRIuLEAST8 PRIu8
#define PRIxLEAST8 PRIx8
#define PRIXLEAST8 PRIX8
#define PRIdLEAST16 PRId16
#define PRIiLEAST16 PRIi16
#define PRIoLEAST16 PRIo16
#define PRIuLEAST16 PRIu16
#define PRIxLEAST16 PRIx16
#define PRIXLEAST16 PRIX16
#define PRIdLEAST32 PRId32
#define PRIiLEAST32 PRIi32
#define PRIoLEAST32 PRIo32
#define PRIuLEAST32 PRIu32
#define PRIxLEAST32 PRIx32
#define PRIXLEAST32 PRIX32
#define PRIdLEAST64 PRId64
#define PRIiLEAST64 PRIi64
#define PRIoLEAST64 PRIo64
#define PRIuLEAST64 PRIu64
#define PRIxLEAST64 PRIx64
#define PRIXLEAST64 PRIX64

#define PRIdFAST8 __KEEL_PRIW(__INT_FAST8_WIDTH__) "d"
#define PRIiFAST8 __KEEL_PRIW(__INT_FAST8_WIDTH__) "i"
#define PRIoFAST8 __KEEL_PRIW(__INT_FAST8_WIDTH__) "o"
#define PRIuFAST8 __KEEL_PRIW(__INT_FAST8_WIDTH__) "u"
#define PRIxFAST8 __KEEL_PRIW(__INT_FAST8_WIDTH__) "x"
#define PRIXFAST8 __KEEL_PRIW(__INT_FAST8_WIDTH__) "X"
#define PRIdFAST16 __KEEL_PRIW(__INT_FAST16_WIDTH__) "d"
#define PRIiFAST16 __KEEL_PRIW(__INT_FAST16_WIDTH__) "i"
#define PRIoFAST16 __KEEL_PRIW(__INT_FAST16_WIDTH__) "o"
#define PRIuFAST16 __KEEL_PRIW(__INT_FAST16_WIDTH__) "u"
#define PRIxFAST16 __KEEL_PRIW(__INT_FAST16_WIDTH__) "x"
#define PRIXFAST16 __KEEL_PRIW(__INT_FAST16_WIDTH__) "X"
#define PRIdFAST32 __KEEL_PRIW(__INT_FAST32_WIDTH__) "d"
#define PRIiFAST32 __KEEL_PRIW(__INT_FAST32_WIDTH__) "i"
#define PRIoFAST32 __KEEL_PRIW(__INT_FAST32_WIDTH__) "o"
#define PRIuFAST32 __KEEL_PRIW(__INT_FAST32_WIDTH__) "u"
#define PRIxFAST32 __KEEL_PRIW(__INT_FAST32_WIDTH__) "x"
#define PRIXFAST32 __KEEL_PRIW(__INT_FAST32_WIDTH__) "X"
#define PRIdFAST64 PRId64
#define PRIiFAST64 PRIi64
#define PRIoFAST64 PRIo64
#define PRIuFAST64 PRIu64
#define PRIxFAST64 PRIx64
#define PRIXFAST64 PRIX64

#define PRIdMAX "jd"
#define PRIiMAX "ji"
#define PRIoMAX "jo"
#define PRIuMAX "ju"
#define PRIxMAX "jx"
#define PRIXMAX "jX"

#define PRIdPTR __KEEL_PRIPTR "d"
#define PRIiPTR __KEEL_PRIPTR "i"
#define PRIoPTR __KEEL_PRIPTR "o"
#define PRIuPTR __KEEL_PRIPTR "u"
#define PRIxPTR __KEEL_PRIPTR "x"
#define PRIXPTR __KEEL_PRIPTR "X"

#endif
