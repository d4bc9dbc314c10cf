/*
 * The formatter behind every printf-family function (see <stdio.h> for
 * what it supports). It writes through a keel__sink, so snprintf (into a
 * buffer) and printf (to the console) share one implementation.
 *
 * Conversions it does not support are copied to the output exactly as
 * written in the format, which makes the omission visible instead of
 * printing a wrong number; note that their arguments are not consumed.
 */
#include "../internal.h"

enum {
	FLAG_MINUS = 1, /* left-justify in the field */
	FLAG_PLUS = 2,  /* always a sign on signed conversions */
	FLAG_SPACE = 4, /* a space where a '+' would go */
	FLAG_ALT = 8,   /* '#': 0x prefix, octal leading 0 */
	FLAG_ZERO = 16, /* pad numbers with zeros instead of spaces */
};

enum length { LEN_INT, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_J, LEN_Z, LEN_T, LEN_BIG_L };

/* One parsed conversion specification. */
struct spec {
	unsigned flags;
	size_t width;  /* 0 when absent */
	int precision; /* -1 when absent */
	enum length length;
};

static void emit(struct keel__sink *s, const char *p, size_t n)
{
	if (n && !s->full)
		s->put(s, p, n);
	s->count += n;
}

/* n copies of c (' ' or '0'); a full sink only counts, so a huge width
 * into a small buffer costs nothing. */
static void pad(struct keel__sink *s, char c, size_t n)
{
	static const char spaces[16] = "                ";
	static const char zeros[16] = "0000000000000000";
	const char *run = c == '0' ? zeros : spaces;

	while (n && !s->full) {
		size_t k = n < sizeof(spaces) ? n : sizeof(spaces);

		emit(s, run, k);
		n -= k;
	}
	s->count += n;
}

/* Digits at *fmt as an int; false when the number exceeds INT_MAX (the
 * digits are consumed all the same). */
static bool parse_decimal(const char **fmt, int *out)
{
	const char *p = *fmt;
	int v = 0;
	bool ok = true;

	for (; *p >= '0' && *p <= '9'; p++) {
		int d = *p - '0';

		if (v > (INT_MAX - d) / 10)
			ok = false;
		else
			v = v * 10 + d;
	}
	*fmt = p;
	*out = v;
	return ok;
}

static uintmax_t fetch_unsigned(va_list *ap, enum length length)
{
	switch (length) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
	case LEN_BIG_L:
		return va_arg(*ap, unsigned long long);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	case LEN_Z:
		return va_arg(*ap, size_t);
	case LEN_T:
		/* The unsigned type of ptrdiff_t's width. */
		return (size_t)va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, unsigned);
	}
}

static intmax_t fetch_signed(va_list *ap, enum length length)
{
	switch (length) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
	case LEN_BIG_L:
		return va_arg(*ap, long long);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	case LEN_Z:
		/* The signed type of size_t's width: ptrdiff_t on Keel's targets. */
		return (ptrdiff_t)va_arg(*ap, size_t);
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, int);
	}
}

/*
 * One integer conversion: [spaces][sign or 0x][zeros][digits][spaces].
 * `signs` says whether the '+' and ' ' flags apply (signed conversions,
 * and %p as glibc does).
 */
static void put_number(struct keel__sink *s, const struct spec *sp, uintmax_t value, bool negative,
                       unsigned base, bool upper, bool signs)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[3 * sizeof(uintmax_t)]; /* 22 octal digits for 64 bits */
	char *end = digits + sizeof(digits), *p = end;
	char prefix[3];
	size_t nprefix = 0;
	bool nonzero = value != 0;

	/* C11: precision 0 with value 0 gives no digits at all. */
	if (nonzero || sp->precision != 0) {
		do {
			*--p = set[value % base];
			value /= base;
		} while (value);
	}
	size_t ndigits = (size_t)(end - p);

	if (negative)
		prefix[nprefix++] = '-';
	else if (signs && (sp->flags & FLAG_PLUS))
		prefix[nprefix++] = '+';
	else if (signs && (sp->flags & FLAG_SPACE))
		prefix[nprefix++] = ' ';
	if ((sp->flags & FLAG_ALT) && base == 16 && nonzero) {
		prefix[nprefix++] = '0';
		prefix[nprefix++] = upper ? 'X' : 'x';
	}

	size_t zeros = 0;
	if (sp->precision >= 0 && (size_t)sp->precision > ndigits)
		zeros = (size_t)sp->precision - ndigits;
	/* '#' with o: "increase the precision" so the first digit is 0. */
	if ((sp->flags & FLAG_ALT) && base == 8 && zeros == 0 && (ndigits == 0 || *p != '0'))
		zeros = 1;
	size_t body = nprefix + zeros + ndigits;
	/* '0' pads with zeros after the sign, unless '-' or a precision. */
	if ((sp->flags & (FLAG_ZERO | FLAG_MINUS)) == FLAG_ZERO && sp->precision < 0 &&
	    sp->width > body) {
		zeros += sp->width - body;
		body = sp->width;
	}

	if (!(sp->flags & FLAG_MINUS) && sp->width > body)
		pad(s, ' ', sp->width - body);
	emit(s, prefix, nprefix);
	pad(s, '0', zeros);
	emit(s, p, ndigits);
	if ((sp->flags & FLAG_MINUS) && sp->width > body)
		pad(s, ' ', sp->width - body);
}

/* %s, %c and "(nil)": the text padded to the width. */
static void put_text(struct keel__sink *s, const struct spec *sp, const char *text, size_t len)
{
	size_t fill = sp->width > len ? sp->width - len : 0;

	if (!(sp->flags & FLAG_MINUS))
		pad(s, ' ', fill);
	emit(s, text, len);
	if (sp->flags & FLAG_MINUS)
		pad(s, ' ', fill);
}

/* Parses the length modifier at *fmt, if any. */
static enum length parse_length(const char **fmt)
{
	const char *p = *fmt;
	enum length length = LEN_INT;

	switch (*p) {
	case 'h':
		length = p[1] == 'h' ? LEN_HH : LEN_H;
		break;
	case 'l':
		length = p[1] == 'l' ? LEN_LL : LEN_L;
		break;
	case 'j':
		length = LEN_J;
		break;
	case 'z':
		length = LEN_Z;
		break;
	case 't':
		length = LEN_T;
		break;
	case 'L':
		length = LEN_BIG_L; /* integers: as ll, like glibc */
		break;
	default:
		return LEN_INT;
	}
	*fmt = p + (length == LEN_HH || length == LEN_LL ? 2 : 1);
	return length;
}

/*
 * Does the conversion `conv` of `sp`, fetching its argument. Returns false
 * for a conversion that is not supported (nothing is consumed or written).
 */
static bool convert(struct keel__sink *s, struct spec *sp, char conv, va_list *ap)
{
	switch (conv) {
	case 'd':
	case 'i': {
		intmax_t v = fetch_signed(ap, sp->length);
		uintmax_t magnitude = v < 0 ? -(uintmax_t)v : (uintmax_t)v;

		put_number(s, sp, magnitude, v < 0, 10, false, true);
		return true;
	}
	case 'u':
		put_number(s, sp, fetch_unsigned(ap, sp->length), false, 10, false, false);
		return true;
	case 'o':
		put_number(s, sp, fetch_unsigned(ap, sp->length), false, 8, false, false);
		return true;
	case 'x':
	case 'X':
		put_number(s, sp, fetch_unsigned(ap, sp->length), false, 16, conv == 'X', false);
		return true;
	case 'p': {
		const void *ptr = va_arg(*ap, const void *);

		if (!ptr) {
			put_text(s, sp, "(nil)", 5);
		} else {
			sp->flags |= FLAG_ALT;
			put_number(s, sp, (uintptr_t)ptr, false, 16, false, true);
		}
		return true;
	}
	case 'c': {
		if (sp->length == LEN_L)
			return false; /* wint_t */
		char c = (char)va_arg(*ap, int);

		put_text(s, sp, &c, 1);
		return true;
	}
	case 's': {
		if (sp->length == LEN_L)
			return false; /* wchar_t strings */
		const char *str = va_arg(*ap, const char *);

		/* glibc's choice: "(null)", but nothing rather than a cut
		 * "(nu" when the precision is too small for the whole word. */
		if (!str)
			str = sp->precision < 0 || sp->precision >= 6 ? "(null)" : "";
		size_t len = sp->precision < 0 ? strlen(str) : strnlen(str, (size_t)sp->precision);
		put_text(s, sp, str, len);
		return true;
	}
	case '%':
		/* "%%" with flags or a width in between: glibc ignores them. */
		emit(s, "%", 1);
		return true;
	case 'n':
		/* Writing through a pointer found in a format is how format
		 * string attacks work: consume the argument, store nothing. */
		(void)va_arg(*ap, void *);
		return true;
	default:
		return false;
	}
}

int keel__vformat(struct keel__sink *s, const char *fmt, va_list ap_in)
{
	va_list ap;
	bool overflow = false;

	/* A copy, so that the helpers can take its address portably. */
	va_copy(ap, ap_in);
	while (*fmt) {
		const char *pct = fmt;

		while (*pct && *pct != '%')
			pct++;
		emit(s, fmt, (size_t)(pct - fmt));
		if (!*pct)
			break;

		const char *start = pct; /* for copying an unsupported one out */
		struct spec sp = { .flags = 0, .width = 0, .precision = -1, .length = LEN_INT };
		int n;

		fmt = pct + 1;
		if (*fmt == '%') {
			emit(s, fmt++, 1);
			continue;
		}
		for (;; fmt++) {
			if (*fmt == '-')
				sp.flags |= FLAG_MINUS;
			else if (*fmt == '+')
				sp.flags |= FLAG_PLUS;
			else if (*fmt == ' ')
				sp.flags |= FLAG_SPACE;
			else if (*fmt == '#')
				sp.flags |= FLAG_ALT;
			else if (*fmt == '0')
				sp.flags |= FLAG_ZERO;
			else
				break;
		}

		if (*fmt == '*') {
			fmt++;
			n = va_arg(ap, int);
			if (n < 0) {
				/* A negative width is the '-' flag and a width. */
				sp.flags |= FLAG_MINUS;
				if (n == INT_MIN)
					overflow = true;
				n = n == INT_MIN ? INT_MAX : -n;
			}
			sp.width = (size_t)n;
		} else {
			if (!parse_decimal(&fmt, &n))
				overflow = true;
			sp.width = (size_t)n;
		}

		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				fmt++;
				n = va_arg(ap, int);
				sp.precision = n < 0 ? -1 : n; /* negative: as if omitted */
			} else {
				if (!parse_decimal(&fmt, &n))
					overflow = true;
				sp.precision = n;
			}
		}

		if (overflow)
			break; /* the output could not be counted in an int */
		sp.length = parse_length(&fmt);
		if (*fmt && convert(s, &sp, *fmt, &ap)) {
			fmt++;
		} else {
			/* Unsupported (or cut short by the end of the format). */
			if (*fmt)
				fmt++;
			emit(s, start, (size_t)(fmt - start));
		}
	}
	va_end(ap);

	if (overflow || s->count > INT_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	return (int)s->count;
}
