/*
 * tests/libc/rename.h — forced into every libc source compiled for the
 * host unit tests (-include), so that the libc under test links beside
 * the host's own C library it is compared with: each public name NAME
 * becomes kl_NAME. Only #define lines: it is included by the assembly
 * files too. With KL_GENERIC, memcpy and memset become klg_memcpy and
 * klg_memset instead, for the second build of the generic versions that
 * an architecture replaces.
 */
#ifdef KL_GENERIC
#define memcpy klg_memcpy
#define memset klg_memset
#else
#define memcpy kl_memcpy
#define memset kl_memset
#endif
#define memmove kl_memmove
#define memcmp kl_memcmp
#define memchr kl_memchr
#define memrchr kl_memrchr
#define memmem kl_memmem
#define strlen kl_strlen
#define strnlen kl_strnlen
#define strcmp kl_strcmp
#define strncmp kl_strncmp
#define strcoll kl_strcoll
#define strcpy kl_strcpy
#define strncpy kl_strncpy
#define strcat kl_strcat
#define strncat kl_strncat
#define strchr kl_strchr
#define strrchr kl_strrchr
#define strstr kl_strstr
#define strspn kl_strspn
#define strcspn kl_strcspn
#define strpbrk kl_strpbrk
#define strdup kl_strdup
#define strndup kl_strndup
#define strtok kl_strtok
#define strtok_r kl_strtok_r
#define strerror kl_strerror
#define explicit_bzero kl_explicit_bzero
#define strcasecmp kl_strcasecmp
#define strncasecmp kl_strncasecmp
#define snprintf kl_snprintf
#define vsnprintf kl_vsnprintf
#define sprintf kl_sprintf
#define vsprintf kl_vsprintf
#define printf kl_printf
#define vprintf kl_vprintf
#define fprintf kl_fprintf
#define vfprintf kl_vfprintf
#define fputc kl_fputc
#define putc kl_putc
#define putchar kl_putchar
#define fputs kl_fputs
#define puts kl_puts
#define fwrite kl_fwrite
#define fflush kl_fflush
#define perror kl_perror
#define malloc kl_malloc
#define free kl_free
#define calloc kl_calloc
#define realloc kl_realloc
#define aligned_alloc kl_aligned_alloc
#define posix_memalign kl_posix_memalign
#define strtol kl_strtol
#define strtoll kl_strtoll
#define strtoul kl_strtoul
#define strtoull kl_strtoull
#define atoi kl_atoi
#define atol kl_atol
#define atoll kl_atoll
#define qsort kl_qsort
#define bsearch kl_bsearch
#define abs kl_abs
#define labs kl_labs
#define llabs kl_llabs
#define div kl_div
#define ldiv kl_ldiv
#define lldiv kl_lldiv
#define rand kl_rand
#define srand kl_srand
#define getenv kl_getenv
#define atexit kl_atexit
#define exit kl_exit
#define _Exit kl__Exit
#define abort kl_abort
#define isalnum kl_isalnum
#define isalpha kl_isalpha
#define isblank kl_isblank
#define iscntrl kl_iscntrl
#define isdigit kl_isdigit
#define isgraph kl_isgraph
#define islower kl_islower
#define isprint kl_isprint
#define ispunct kl_ispunct
#define isspace kl_isspace
#define isupper kl_isupper
#define isxdigit kl_isxdigit
#define tolower kl_tolower
#define toupper kl_toupper
#define errno kl_errno
#define setjmp kl_setjmp
#define longjmp kl_longjmp
#define __stack_chk_guard kl___stack_chk_guard
#define __stack_chk_fail kl___stack_chk_fail
