/*  test_web_client.c — the web_it suite's HTTP client (test_web.h): plain sockets to the
    gateway's doors, one request a connection (HTTP/1.0), the answer read until the server
    closes. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto_text.h"
#include "test_web.h"

#define HTTP_MS 30000 //  one request, at most (the gateway runs sanitized)

int64_t
web_it_now_ms (void)
{
    return proto_mono_ms ();
}

void
web_it_pause (int ms)
{
    poll (NULL, 0, ms);
}

int
web_it_free_port (void)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (fd >= 0 && bind (fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname (fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs (a.sin_port);
    if (fd >= 0)
        close (fd);
    return port;
}

int
web_it_connect (int port)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons ((uint16_t)port)};
    a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    if (connect (fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close (fd);
        return -1;
    }
    return fd;
}

bool
web_it_send_all (int fd, const char *data, size_t n)
{
    while (n) {
        ssize_t w = send (fd, data, n, MSG_NOSIGNAL);
        if (w <= 0)
            return false;
        data += w;
        n -= (size_t)w;
    }
    return true;
}

void
web_it_resp_free (web_it_resp_t *r)
{
    free (r->head);
    free (r->body);
    memset (r, 0, sizeof *r);
}

//  Sends raw bytes to `port` and reads the answer until the server closes. 0 / -1.
static int
s_raw_at (int port, const char *request, size_t len, web_it_resp_t *r)
{
    memset (r, 0, sizeof *r);
    int fd = web_it_connect (port);
    if (fd < 0)
        return -1;
    if (!web_it_send_all (fd, request, len)) {
        close (fd);
        return -1;
    }
    char *data = NULL;
    size_t size = 0;
    FILE *mem = open_memstream (&data, &size);
    int64_t deadline = web_it_now_ms () + HTTP_MS;
    int rc = -1;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int left = (int)(deadline - web_it_now_ms ());
        if (left <= 0 || poll (&p, 1, left) <= 0)
            break;
        char buf[8192];
        ssize_t n = recv (fd, buf, sizeof buf, 0);
        if (n < 0)
            break;
        if (n == 0) {
            rc = 0;
            break;
        }
        fwrite (buf, 1, (size_t)n, mem);
    }
    fclose (mem);
    close (fd);
    char *split = data ? strstr (data, "\r\n\r\n") : NULL;
    if (rc != 0 || !split || sscanf (data, "HTTP/1.%*d %d", &r->status) != 1) {
        free (data);
        return -1;
    }
    *split = 0;
    r->head = strdup (data);
    r->body = strdup (split + 4);
    free (data);
    return 0;
}

int
web_it_raw (const char *request, web_it_resp_t *r)
{
    return s_raw_at (web_it_hall.port, request, strlen (request), r);
}

int
web_it_request (int port, const char *method, const char *path, const char *headers,
                const char *form, web_it_resp_t *r)
{
    char *req = NULL;
    int n = form ? asprintf (&req,
                             "%s %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n%s"
                             "Content-Type: application/x-www-form-urlencoded\r\n"
                             "Content-Length: %zu\r\n\r\n%s",
                             method, path, port, headers, strlen (form), form)
                 : asprintf (&req, "%s %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n%s\r\n", method, path,
                             port, headers);
    if (n < 0)
        return -1;
    int rc = s_raw_at (port, req, (size_t)n, r);
    free (req);
    return rc;
}

int
web_it_http (const char *method, const char *path, const char *form, web_it_resp_t *r)
{
    return web_it_request (web_it_hall.port, method, path, web_it_hall.cookie, form, r);
}

int
web_it_get (const char *path, web_it_resp_t *r)
{
    return web_it_http ("GET", path, NULL, r);
}

const char *
web_it_header (const web_it_resp_t *r, const char *name, char *out, size_t size)
{
    out[0] = 0;
    for (const char *line = r->head ? strstr (r->head, "\r\n") : NULL; line;
         line = strstr (line + 2, "\r\n")) {
        const char *h = line + 2;
        size_t len = strlen (name);
        if (strncasecmp (h, name, len) == 0 && h[len] == ':') {
            h += len + 1;
            while (*h == ' ')
                h++;
            size_t end = strcspn (h, "\r\n");
            snprintf (out, size, "%.*s", (int)end, h);
            break;
        }
    }
    return out;
}

bool
web_it_wait_for (const char *path, const char *needle, int timeout_ms)
{
    int64_t deadline = web_it_now_ms () + timeout_ms;
    while (web_it_now_ms () < deadline) {
        web_it_resp_t r;
        bool ok =
            web_it_get (path, &r) == 0 && r.status == 200 && r.body && strstr (r.body, needle);
        web_it_resp_free (&r);
        if (ok)
            return true;
        web_it_pause (100);
    }
    return false;
}
