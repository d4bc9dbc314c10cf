/*
 * rtc.c — the wall-clock time at boot, from the CMOS real-time clock.
 *
 * The RTC counts whole seconds in date-and-time fields, possibly in BCD
 * and 12-hour form (status register B says). It may be half-way through
 * an update while read, so the fields are read after "update in progress"
 * clears and read again until two reads agree. QEMU keeps the century in
 * register 0x32, as the ACPI tables say PCs do.
 */
#include "platform_impl.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define REG_SECONDS 0x00
#define REG_MINUTES 0x02
#define REG_HOURS 0x04
#define REG_DAY 0x07
#define REG_MONTH 0x08
#define REG_YEAR 0x09
#define REG_STATUS_A 0x0a
#define REG_STATUS_B 0x0b
#define REG_CENTURY 0x32
#define STATUS_A_UIP 0x80
#define STATUS_B_24H 0x02
#define STATUS_B_BINARY 0x04
#define HOUR_PM 0x80
#define TRIES 1000

struct rtc_time {
	uint8_t sec, min, hour, day, month, year, century;
};

static uint8_t cmos_read(uint8_t reg)
{
	io_out8(CMOS_INDEX, reg);
	return io_in8(CMOS_DATA);
}

static bool read_fields(struct rtc_time *t)
{
	unsigned waited = 0;

	while (cmos_read(REG_STATUS_A) & STATUS_A_UIP) {
		if (++waited == TRIES)
			return false;
	}
	t->sec = cmos_read(REG_SECONDS);
	t->min = cmos_read(REG_MINUTES);
	t->hour = cmos_read(REG_HOURS);
	t->day = cmos_read(REG_DAY);
	t->month = cmos_read(REG_MONTH);
	t->year = cmos_read(REG_YEAR);
	t->century = cmos_read(REG_CENTURY);
	return true;
}

static bool same(const struct rtc_time *a, const struct rtc_time *b)
{
	return a->sec == b->sec && a->min == b->min && a->hour == b->hour && a->day == b->day &&
	       a->month == b->month && a->year == b->year && a->century == b->century;
}

static unsigned from_bcd(uint8_t v)
{
	return (v >> 4) * 10u + (v & 0xf);
}

static bool leap(unsigned year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Days from 1970-01-01 to the first of `month` (1..12) of `year`. */
static uint64_t days_before(unsigned year, unsigned month)
{
	static const unsigned short month_start[12] = { 0,   31,  59,  90,  120, 151,
		                                        181, 212, 243, 273, 304, 334 };
	uint64_t days = 0;

	for (unsigned y = 1970; y < year; y++)
		days += leap(y) ? 366 : 365;
	days += month_start[month - 1];
	if (month > 2 && leap(year))
		days++;
	return days;
}

uint64_t rtc_read_epoch(void)
{
	struct rtc_time a, b;
	unsigned sec, min, hour, day, month, year, century;
	uint8_t status;
	bool pm;

	if (!read_fields(&a))
		return 0;
	for (unsigned i = 0;; i++) {
		if (i == TRIES || !read_fields(&b))
			return 0;
		if (same(&a, &b))
			break;
		a = b;
	}
	status = cmos_read(REG_STATUS_B);
	pm = a.hour & HOUR_PM;
	a.hour &= (uint8_t)~HOUR_PM;
	if (status & STATUS_B_BINARY) {
		sec = a.sec, min = a.min, hour = a.hour, day = a.day, month = a.month;
		year = a.year, century = a.century;
	} else {
		sec = from_bcd(a.sec), min = from_bcd(a.min), hour = from_bcd(a.hour);
		day = from_bcd(a.day), month = from_bcd(a.month), year = from_bcd(a.year);
		century = from_bcd(a.century);
	}
	if (!(status & STATUS_B_24H)) /* 12 AM is 0 h, 12 PM is 12 h */
		hour = hour % 12 + (pm ? 12 : 0);
	/* Without a plausible century register, two-digit years are taken
	 * as 1970..2069. */
	year += century >= 19 && century <= 30 ? century * 100 : year < 70 ? 2000 : 1900;
	if (sec > 59 || min > 59 || hour > 23 || day < 1 || day > 31 || month < 1 || month > 12 ||
	    year < 1970)
		return 0;
	return ((days_before(year, month) + day - 1) * 24 + hour) * 3600 + min * 60u + sec;
}
