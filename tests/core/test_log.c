/*
 * Logging: the line format, level filtering, truncation at
 * KEEL_LOG_LINE_MAX with "...", and keel_strerror.
 */
#include <string.h>

#include <keel/core.h>
#include <keel/log.h>

#include "check.h"
#include "mock_platform.h"

const char test_name[] = "core/log";

static void expect_console(const char *want)
{
	if (strcmp(mock_console_text(), want) != 0) {
		printf("wanted: \"%s\"\ngot:    \"%s\"\n", want, mock_console_text());
		CHECK(0);
	}
	mock_console_clear();
}

static void format_and_levels(void)
{
	/* The first line fixes time zero (no keel_start in this test). */
	mock_now = 5 * KEEL_SEC;
	CHECK(keel_log_get_level() == KEEL_LOG_INFO);
	KEEL_INFO("boot");
	expect_console("[    0.000000] info: boot\n");

	mock_now += 1234567891;
	KEEL_WARN("hello %d", 42);
	expect_console("[    1.234567] warn: hello 42\n");
	KEEL_ERROR("%s", "bad");
	expect_console("[    1.234567] error: bad\n");
	KEEL_DEBUG("hidden");
	expect_console("");

	keel_log_set_level(KEEL_LOG_DEBUG);
	CHECK(keel_log_get_level() == KEEL_LOG_DEBUG);
	mock_now = 5 * KEEL_SEC + 12345 * KEEL_SEC + 1000;
	KEEL_DEBUG("shown");
	expect_console("[12345.000001] debug: shown\n");
	mock_now = 5 * KEEL_SEC + 123456 * KEEL_SEC + KEEL_SEC / 2;
	KEEL_INFO("wide");
	expect_console("[123456.500000] info: wide\n");

	keel_log_set_level(KEEL_LOG_ERROR);
	KEEL_WARN("dropped");
	KEEL_INFO("dropped");
	KEEL_DEBUG("dropped");
	expect_console("");
	KEEL_ERROR("kept");
	CHECK(strstr(mock_console_text(), "] error: kept\n"));
	mock_console_clear();

	/* A level out of range is never printed. */
	keel_log(KEEL_LOG_DEBUG + 1, "nonsense");
	enum keel_log_level below = (enum keel_log_level)(KEEL_LOG_ERROR - 1);

	keel_log(below, "nonsense");
	expect_console("");
	keel_log_set_level(KEEL_LOG_INFO);
}

static void truncation(void)
{
	static char msg[2000];
	const char *line;
	const size_t prefix = strlen("[    0.000000] info: ");
	size_t fit = KEEL_LOG_LINE_MAX - 1 - prefix; /* text that fits with the newline */

	mock_now = 5 * KEEL_SEC;
	for (size_t i = 0; i < sizeof(msg) - 1; i++)
		msg[i] = (char)('a' + i % 26);

	/* Exactly fits: no marker. */
	msg[fit] = 0;
	KEEL_INFO("%s", msg);
	line = mock_console_text();
	CHECK(mock_console_len() == KEEL_LOG_LINE_MAX);
	CHECK(strncmp(line + prefix, msg, fit) == 0 && line[KEEL_LOG_LINE_MAX - 1] == '\n');
	mock_console_clear();

	/* One more byte, or far more: cut to the maximum, ending "...\n". */
	for (size_t extra = 1; extra < 1500; extra += 700) {
		msg[fit] = 'x';
		msg[fit + extra] = 0;
		KEEL_INFO("%s", msg);
		line = mock_console_text();
		CHECK(mock_console_len() == KEEL_LOG_LINE_MAX);
		CHECK(strncmp(line, "[    0.000000] info: ", prefix) == 0);
		CHECK(strncmp(line + prefix, msg, fit - 3) == 0);
		CHECK(strcmp(line + KEEL_LOG_LINE_MAX - 4, "...\n") == 0);
		mock_console_clear();
		msg[fit + extra] = 'y';
	}
}

static void strerror_words(void)
{
	CHECK(strcmp(keel_strerror(KEEL_OK), "success") == 0);
	CHECK(strcmp(keel_strerror(KEEL_ETIMEDOUT), "timed out") == 0);
	CHECK(strcmp(keel_strerror(KEEL_ENOMEM), "out of memory") == 0);
	CHECK(strcmp(keel_strerror(KEEL_EBUSY - 1), "unknown error") == 0);
	CHECK(strcmp(keel_strerror(1), "unknown error") == 0);
	CHECK(strcmp(keel_strerror(-1000), "unknown error") == 0);
	/* Every code (they run from 0 down without gaps) has its own words. */
	for (int a = KEEL_EBUSY; a <= KEEL_OK; a++) {
		CHECK(strcmp(keel_strerror(a), "unknown error") != 0);
		for (int b = a + 1; b <= KEEL_OK; b++)
			CHECK(strcmp(keel_strerror(a), keel_strerror(b)) != 0);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	mock_console_capture(true);
	format_and_levels();
	truncation();
	mock_console_capture(false);
	strerror_words();
	printf("PASS %s\n", test_name);
	return 0;
}
