/*
 * Reason phrases (RFC 9110 section 15). The phrase is only for people:
 * clients go by the code.
 */
#include "http_impl.h"

/* The phrases of each class, indexed by the code's last two digits (NULL:
 * none). Tables rather than a switch: this is less code for the same
 * constant-time lookup on every response. */
static const char *const class1[] = { "Continue", "Switching Protocols" };
static const char *const class2[] = {
	"OK",         "Created",       "Accepted",        "Non-Authoritative Information",
	"No Content", "Reset Content", "Partial Content",
};
static const char *const class3[] = {
	[0] = "Multiple Choices",   [1] = "Moved Permanently", [2] = "Found",
	[3] = "See Other",          [4] = "Not Modified",      [7] = "Temporary Redirect",
	[8] = "Permanent Redirect",
};
static const char *const class4[] = {
	[0] = "Bad Request",
	[1] = "Unauthorized",
	[3] = "Forbidden",
	[4] = "Not Found",
	[5] = "Method Not Allowed",
	[6] = "Not Acceptable",
	[8] = "Request Timeout",
	[9] = "Conflict",
	[10] = "Gone",
	[11] = "Length Required",
	[12] = "Precondition Failed",
	[13] = "Content Too Large",
	[14] = "URI Too Long",
	[15] = "Unsupported Media Type",
	[16] = "Range Not Satisfiable",
	[17] = "Expectation Failed",
	[22] = "Unprocessable Content",
	[26] = "Upgrade Required",
	[28] = "Precondition Required",
	[29] = "Too Many Requests",
	[31] = "Request Header Fields Too Large",
};
static const char *const class5[] = {
	"Internal Server Error", "Not Implemented", "Bad Gateway",
	"Service Unavailable",   "Gateway Timeout", "HTTP Version Not Supported",
};

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
static const struct {
	const char *const *phrases;
	unsigned count;
} classes[] = {
	{ class1, LEN(class1) }, { class2, LEN(class2) }, { class3, LEN(class3) },
	{ class4, LEN(class4) }, { class5, LEN(class5) },
};

const char *keel_http_reason(int status)
{
	unsigned cls = (unsigned)status / 100 - 1, i = (unsigned)status % 100;

	if (status < 100 || cls >= LEN(classes) || i >= classes[cls].count ||
	    !classes[cls].phrases[i])
		return "";
	return classes[cls].phrases[i];
}
