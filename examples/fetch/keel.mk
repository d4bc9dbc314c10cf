# examples/fetch: an HTTP client. Resolves the URL's host through the
# direct stack's DNS (DHCP or --ipv4/--dns), fetches the URL over TCP, and
# prints the status and the body's size and SHA-256.
APP_LIBS := net
