/*
 * bench/notify_sink: a webhook sink fast enough not to be what a
 * notification benchmark measures.  One epoll loop on 127.0.0.1:<port>,
 * HTTP/1.1 keep-alive, every complete request (headers plus Content-Length
 * bytes) answered "200" at once.  Prints one line per request to stdout,
 * "<unix time in s, 6 decimals>", flushed after each batch of events; exits
 * on SIGTERM or after max_requests requests.  Plain C11/POSIX, built by
 * bench/notify.
 *
 *   notify_sink <port> <max_requests>
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { BUF = 1 << 16, MAX_FD = 65536 };

struct conn {
    char *buf;
    size_t len;
};

static volatile sig_atomic_t stop;
static struct conn conns[MAX_FD];

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Length of the first complete request in c, or 0. */
static size_t complete(const struct conn *c)
{
    char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    size_t head = (size_t)(end - c->buf) + 4, body = 0;
    for (char *p = c->buf; p < end; p++)
        if ((p == c->buf || p[-1] == '\n') && strncasecmp(p, "content-length:", 15) == 0)
            body = strtoul(p + 15, NULL, 10);
    return c->len >= head + body ? head + body : 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: notify_sink <port> <max_requests>\n");
        return 2;
    }
    long max = atol(argv[2]), served = 0;
    signal(SIGTERM, on_term);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 4096) != 0) {
        perror("notify_sink");
        return 1;
    }
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls}, evs[256];
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    while (!stop && served < max) {
        int n = epoll_wait(ep, evs, 256, 100);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == ls) {
                int c;
                while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0 && c < MAX_FD) {
                    conns[c].buf = malloc(BUF);
                    conns[c].len = 0;
                    ev = (struct epoll_event){.events = EPOLLIN, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
                }
                continue;
            }
            struct conn *c = &conns[fd];
            ssize_t r = read(fd, c->buf + c->len, BUF - c->len);
            if (r <= 0) {
                close(fd);
                free(c->buf);
                c->buf = NULL;
                continue;
            }
            c->len += (size_t)r;
            size_t used;
            while ((used = complete(c)) > 0) {
                served++;
                printf("%.6f\n", now_s());
                memmove(c->buf, c->buf + used, c->len - used);
                c->len -= used;
                if (write(fd, reply, sizeof reply - 1) < 0)
                    break;
            }
        }
        fflush(stdout);
    }
    return 0;
}
