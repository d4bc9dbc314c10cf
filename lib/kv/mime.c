/*
 * Media types by file extension, for the types a web site is made of.
 * Text types carry charset=utf-8. Unknown extensions are served as
 * application/octet-stream, which a browser will not try to render.
 */
#include <strings.h>

#include <keel/kv.h>

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ "avif", "image/avif" },
	{ "css", "text/css; charset=utf-8" },
	{ "csv", "text/csv; charset=utf-8" },
	{ "gif", "image/gif" },
	{ "gz", "application/gzip" },
	{ "htm", "text/html; charset=utf-8" },
	{ "html", "text/html; charset=utf-8" },
	{ "ico", "image/vnd.microsoft.icon" },
	{ "jpeg", "image/jpeg" },
	{ "jpg", "image/jpeg" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "map", "application/json" },
	{ "md", "text/markdown; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "mp3", "audio/mpeg" },
	{ "mp4", "video/mp4" },
	{ "oga", "audio/ogg" },
	{ "ogg", "audio/ogg" },
	{ "ogv", "video/ogg" },
	{ "otf", "font/otf" },
	{ "pdf", "application/pdf" },
	{ "png", "image/png" },
	{ "svg", "image/svg+xml" },
	{ "tar", "application/x-tar" },
	{ "ttf", "font/ttf" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "wasm", "application/wasm" },
	{ "wav", "audio/wav" },
	{ "webm", "video/webm" },
	{ "webmanifest", "application/manifest+json" },
	{ "webp", "image/webp" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "xml", "application/xml" },
	{ "zip", "application/zip" },
};

const char *keel_kv_content_type(const char *name, size_t len)
{
	size_t dot = len;

	while (dot > 0 && name[dot - 1] != '.' && name[dot - 1] != '/')
		dot--;
	if (dot > 1 && name[dot - 1] == '.' && name[dot - 2] != '/') {
		const char *ext = name + dot;
		size_t elen = len - dot;

		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strncasecmp(ext, types[i].ext, elen) == 0 && types[i].ext[elen] == 0)
				return types[i].type;
	}
	return "application/octet-stream";
}
