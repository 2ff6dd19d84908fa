/* bench/loadgen.c: the load generator of bench/run.
 *
 * Drives one Alertmanager-compatible HTTP API on 127.0.0.1 with pre-built
 * HTTP/1.1 keep-alive requests over several connections, one request in
 * flight per connection, and prints one JSON line with what it measured:
 * requests, items (alerts or silences) sent, wall time, rates, latency
 * percentiles and the generator's own CPU time (getrusage), so bench/run can
 * show that the generator is not the bottleneck.
 *
 *   loadgen --port P --mode alerts   --start S --count N --batch B [--conns C]
 *   loadgen --port P --mode silences --count N --matching M       [--conns C]
 *   loadgen --port P --mode get      --path /api/v2/alerts --count N [--warmup W]
 *   common: --timeout SECONDS (hard cap on the whole run, default 120)
 *
 * Alert i has labels alertname=Bench<i%10>, instance=host-<i/40>:9100,
 * job=node, service=svc-<(i/40)%5>, series=<i>, severity critical for
 * i%400<10 and warning otherwise; startsAt is now and endsAt an hour later,
 * both with milliseconds as Prometheus sends them.  Every body is built before
 * the clock starts.
 * Silences: the first M match bench alerts (instance=host-<7k>:9100, job=node),
 * the rest match nothing (alertname=Other<k>, instance=db-<k>:9100, every
 * fifth one with a regex).
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 64

struct buf {
  char *p;
  size_t len, cap;
};

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("loadgen: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(2);
}

static void buf_reserve(struct buf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) die("out of memory");
  b->p = p;
  b->cap = cap;
}

static void buf_printf(struct buf *b, const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    size_t room = b->cap - b->len;
    int n = b->cap ? vsnprintf(b->p + b->len, room, fmt, ap) : -1;
    va_end(ap);
    if (n >= 0 && (size_t)n < room) {
      b->len += (size_t)n;
      return;
    }
    if (n < 0) {
      va_list ap2;
      va_start(ap2, fmt);
      n = vsnprintf(NULL, 0, fmt, ap2);
      va_end(ap2);
      if (n < 0) die("format error");
    }
    buf_reserve(b, (size_t)n + 1);
  }
}

struct request {
  char *data;
  size_t len;
  int items;
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Millisecond precision, as Prometheus sends its evaluation timestamps. */
static void rfc3339(time_t t, int ms, char out[32]) {
  struct tm tm;
  gmtime_r(&t, &tm);
  size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out + n, 32 - n, ".%03dZ", ms);
}

static struct request make_request(const char *method, const char *path, int port,
                                   const struct buf *body, int items) {
  struct buf r = {0};
  buf_printf(&r, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: chorus-bench-loadgen\r\n"
                 "Accept: application/json\r\n",
             method, path, port);
  if (body) {
    buf_printf(&r, "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n", body->len);
    buf_reserve(&r, body->len);
    memcpy(r.p + r.len, body->p, body->len);
    r.len += body->len;
  } else {
    buf_printf(&r, "\r\n");
  }
  return (struct request){r.p, r.len, items};
}

static void append_alert(struct buf *b, long i, const char *starts, const char *ends) {
  buf_printf(b,
             "{\"labels\":{\"alertname\":\"Bench%ld\",\"instance\":\"host-%ld:9100\",\"job\":\"node\","
             "\"service\":\"svc-%ld\",\"series\":\"%ld\",\"severity\":\"%s\"},"
             "\"annotations\":{\"summary\":\"Benchmark alert %ld on host-%ld\","
             "\"description\":\"Synthetic load from chorus bench/loadgen\"},"
             "\"startsAt\":\"%s\",\"endsAt\":\"%s\","
             "\"generatorURL\":\"http://127.0.0.1:9090/graph?g0.expr=bench\"}",
             i % 10, i / 40, (i / 40) % 5, i, (i % 400) < 10 ? "critical" : "warning", i, i / 40,
             starts, ends);
}

static void append_matcher(struct buf *b, const char *name, const char *value, int regex, int first) {
  buf_printf(b, "%s{\"name\":\"%s\",\"value\":\"%s\",\"isRegex\":%s,\"isEqual\":true}", first ? "" : ",",
             name, value, regex ? "true" : "false");
}

static void append_silence(struct buf *b, long k, long matching, const char *starts, const char *ends) {
  char v[64];
  buf_printf(b, "{\"matchers\":[");
  if (k < matching) {
    snprintf(v, sizeof v, "host-%ld:9100", k * 7);
    append_matcher(b, "instance", v, 0, 1);
    append_matcher(b, "job", "node", 0, 0);
  } else {
    snprintf(v, sizeof v, "Other%ld", k);
    append_matcher(b, "alertname", v, 0, 1);
    if (k % 5 == 0)
      snprintf(v, sizeof v, "db-%ld-.*", k);
    else
      snprintf(v, sizeof v, "db-%ld:9100", k);
    append_matcher(b, "instance", v, k % 5 == 0, 0);
  }
  buf_printf(b, "],\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"createdBy\":\"bench\",\"comment\":\"bench silence %ld\"}",
             starts, ends, k);
}

/* ---- connections and the streaming response parser ---- */

enum pstate { P_HDR, P_BODY_CL, P_CHUNK_SIZE, P_CHUNK_DATA, P_CHUNK_CRLF, P_TRAILER, P_BODY_EOF, P_DONE };

struct conn {
  int fd;
  long req;         /* index of the request in flight, -1 when idle */
  size_t sent;      /* bytes of it written so far */
  double t0;        /* when its first byte was written */
  enum pstate ps;
  struct buf line;  /* header block or chunk-size/trailer line being read */
  size_t remain;    /* body or chunk bytes still expected */
  int status;
  int close_after;  /* server said Connection: close */
};

static int port_g;

static int open_conn(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket: %s", strerror(errno));
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port_g)};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

static int ci_prefix(const char *s, const char *prefix) {
  for (; *prefix; s++, prefix++) {
    char a = *s, b = *prefix;
    if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
    if (a != b) return 0;
  }
  return 1;
}

/* Parses the complete header block in c->line; sets how the body is framed. */
static void parse_headers(struct conn *c) {
  char *p = c->line.p;
  c->status = 0;
  if (strncmp(p, "HTTP/1.", 7) == 0) c->status = atoi(p + 9);
  long cl = -1;
  int chunked = 0;
  c->close_after = strncmp(p, "HTTP/1.0", 8) == 0;
  for (char *l = strstr(p, "\r\n"); l && l[2] != '\r'; l = strstr(l + 2, "\r\n")) {
    char *h = l + 2;
    if (ci_prefix(h, "content-length:")) cl = atol(h + 15);
    else if (ci_prefix(h, "transfer-encoding:") && strstr(h, "chunked") && strstr(h, "chunked") < strstr(h, "\r\n"))
      chunked = 1;
    else if (ci_prefix(h, "connection:")) {
      char *e = strstr(h, "\r\n");
      char *cls = strstr(h, "close");
      if (cls && cls < e) c->close_after = 1;
    }
  }
  c->line.len = 0;
  if (chunked) c->ps = P_CHUNK_SIZE;
  else if (cl >= 0) {
    c->remain = (size_t)cl;
    c->ps = cl ? P_BODY_CL : P_DONE;
  } else if (c->status == 204 || c->status == 304) c->ps = P_DONE;
  else {
    c->ps = P_BODY_EOF;
    c->close_after = 1;
  }
}

/* Feeds received bytes to the parser; returns 1 once the response is complete. */
static int feed(struct conn *c, const char *d, size_t n, size_t *bytes_body) {
  while (n > 0 && c->ps != P_DONE) {
    switch (c->ps) {
      case P_HDR: {
        /* copy byte-wise until the blank line; header blocks are small */
        buf_reserve(&c->line, 1);
        c->line.p[c->line.len++] = *d++;
        n--;
        c->line.p[c->line.len] = 0;
        if (c->line.len >= 4 && memcmp(c->line.p + c->line.len - 4, "\r\n\r\n", 4) == 0) parse_headers(c);
        break;
      }
      case P_BODY_CL:
      case P_CHUNK_DATA: {
        size_t k = n < c->remain ? n : c->remain;
        d += k;
        n -= k;
        c->remain -= k;
        *bytes_body += k;
        if (c->remain == 0) c->ps = c->ps == P_BODY_CL ? P_DONE : P_CHUNK_CRLF;
        break;
      }
      case P_CHUNK_CRLF:
        if (*d == '\n') c->ps = P_CHUNK_SIZE;
        d++;
        n--;
        break;
      case P_CHUNK_SIZE:
      case P_TRAILER: {
        buf_reserve(&c->line, 1);
        c->line.p[c->line.len++] = *d++;
        n--;
        c->line.p[c->line.len] = 0;
        if (c->line.p[c->line.len - 1] != '\n') break;
        if (c->ps == P_TRAILER) {
          if (c->line.len <= 2) c->ps = P_DONE;
          c->line.len = 0;
          break;
        }
        size_t sz = (size_t)strtoul(c->line.p, NULL, 16);
        c->line.len = 0;
        if (sz == 0) c->ps = P_TRAILER;
        else {
          c->remain = sz;
          c->ps = P_CHUNK_DATA;
        }
        break;
      }
      case P_BODY_EOF:
        *bytes_body += n;
        n = 0;
        break;
      case P_DONE:
        break;
    }
  }
  return c->ps == P_DONE;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(const double *sorted, long n, double p) {
  if (n <= 0) return 0;
  long i = (long)(p * (double)(n - 1) + 0.5);
  if (i >= n) i = n - 1;
  return sorted[i];
}

static double cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
         (double)ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv) {
  const char *mode = NULL, *path = "/api/v2/alerts";
  long start = 0, count = 0, batch = 1, matching = 0, warmup = 0;
  int conns = 4;
  double timeout = 120;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (i + 1 >= argc) die("option %s needs a value", a);
    const char *v = argv[++i];
    if (!strcmp(a, "--port")) port_g = atoi(v);
    else if (!strcmp(a, "--mode")) mode = v;
    else if (!strcmp(a, "--path")) path = v;
    else if (!strcmp(a, "--start")) start = atol(v);
    else if (!strcmp(a, "--count")) count = atol(v);
    else if (!strcmp(a, "--batch")) batch = atol(v);
    else if (!strcmp(a, "--matching")) matching = atol(v);
    else if (!strcmp(a, "--warmup")) warmup = atol(v);
    else if (!strcmp(a, "--conns")) conns = atoi(v);
    else if (!strcmp(a, "--timeout")) timeout = atof(v);
    else die("unknown option %s", a);
  }
  if (!mode || port_g <= 0 || port_g > 65535 || count <= 0 || batch <= 0 || conns <= 0 || conns > MAX_CONNS ||
      timeout <= 0 || warmup < 0)
    die("usage: loadgen --port P --mode alerts|silences|get --count N [--start S] [--batch B] [--matching M] "
        "[--path P] [--warmup W] [--conns C] [--timeout S]");

  /* Build every request before the clock starts. */
  char starts[32], ends[32];
  struct timespec realnow;
  clock_gettime(CLOCK_REALTIME, &realnow);
  time_t t = realnow.tv_sec;
  int ms = (int)(realnow.tv_nsec / 1000000);
  if (ms == 0) ms = 1; /* Go's RFC3339Nano would drop an all-zero fraction */
  rfc3339(t, ms, starts);
  long nreq;
  struct request *reqs;
  long items_total = 0;
  if (!strcmp(mode, "alerts")) {
    rfc3339(t + 3600, ms, ends);
    nreq = (count + batch - 1) / batch;
    reqs = calloc((size_t)nreq, sizeof *reqs);
    if (!reqs) die("out of memory");
    for (long r = 0; r < nreq; r++) {
      struct buf body = {0};
      long first = start + r * batch, n = count - r * batch < batch ? count - r * batch : batch;
      buf_printf(&body, "[");
      for (long k = 0; k < n; k++) {
        if (k) buf_printf(&body, ",");
        append_alert(&body, first + k, starts, ends);
      }
      buf_printf(&body, "]");
      reqs[r] = make_request("POST", "/api/v2/alerts", port_g, &body, (int)n);
      free(body.p);
    }
  } else if (!strcmp(mode, "silences")) {
    rfc3339(t + 7200, ms, ends);
    nreq = count;
    reqs = calloc((size_t)nreq, sizeof *reqs);
    if (!reqs) die("out of memory");
    for (long k = 0; k < count; k++) {
      struct buf body = {0};
      append_silence(&body, start + k, matching, starts, ends);
      reqs[k] = make_request("POST", "/api/v2/silences", port_g, &body, 1);
      free(body.p);
    }
  } else if (!strcmp(mode, "get")) {
    nreq = count + warmup;
    reqs = calloc((size_t)nreq, sizeof *reqs);
    if (!reqs) die("out of memory");
    struct request one = make_request("GET", path, port_g, NULL, 1);
    for (long k = 0; k < nreq; k++) reqs[k] = one;
  } else {
    die("unknown mode %s", mode);
  }

  double *lat = calloc((size_t)nreq, sizeof *lat);
  if (!lat) die("out of memory");
  struct conn cs[MAX_CONNS];
  memset(cs, 0, sizeof cs);
  if (conns > nreq) conns = (int)nreq;
  for (int k = 0; k < conns; k++) {
    cs[k].fd = open_conn();
    if (cs[k].fd < 0) die("connect 127.0.0.1:%d: %s", port_g, strerror(errno));
    cs[k].req = -1;
  }

  double cpu0 = cpu_s(), t0 = now_s(), t_measured = t0, deadline = t0 + timeout;
  long next = 0, done = 0, ok = 0, errors = 0, items_ok = 0, reconnects = 0, nlat = 0;
  int first_bad_status = 0, timed_out = 0, inflight = 0;
  size_t bytes_body = 0;
  static char rbuf[1 << 16];
  struct pollfd pfd[MAX_CONNS];

  while (done < nreq) {
    /* hand out requests to idle connections */
    for (int k = 0; k < conns; k++) {
      struct conn *c = &cs[k];
      if (c->req >= 0 || next >= nreq) continue;
      if (c->fd < 0) {
        c->fd = open_conn();
        reconnects++;
        if (c->fd < 0) die("reconnect to 127.0.0.1:%d failed: %s", port_g, strerror(errno));
      }
      c->req = next++;
      c->sent = 0;
      c->ps = P_HDR;
      c->line.len = 0;
      c->t0 = now_s();
      inflight++;
      if (c->req == warmup && warmup > 0) t_measured = c->t0;
    }
    if (inflight == 0) break;
    double now = now_s();
    if (now > deadline) {
      timed_out = 1;
      break;
    }
    for (int k = 0; k < conns; k++) {
      struct conn *c = &cs[k];
      pfd[k].fd = c->req >= 0 ? c->fd : -1;
      pfd[k].events = c->req >= 0 ? (c->sent < reqs[c->req].len ? POLLOUT : POLLIN) : 0;
      pfd[k].revents = 0;
    }
    int left_ms = (int)((deadline - now) * 1000) + 1;
    int pr = poll(pfd, (nfds_t)conns, left_ms > 1000 ? 1000 : left_ms);
    if (pr < 0) {
      if (errno == EINTR) continue;
      die("poll: %s", strerror(errno));
    }
    for (int k = 0; k < conns; k++) {
      struct conn *c = &cs[k];
      if (c->req < 0 || !pfd[k].revents) continue;
      const struct request *rq = &reqs[c->req];
      int finished = 0, broken = 0;
      if (c->sent < rq->len) {
        ssize_t w = send(c->fd, rq->data + c->sent, rq->len - c->sent, MSG_NOSIGNAL);
        if (w > 0) c->sent += (size_t)w;
        else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) broken = 1;
      } else {
        for (;;) {
          ssize_t r = recv(c->fd, rbuf, sizeof rbuf, 0);
          if (r > 0) {
            if (feed(c, rbuf, (size_t)r, &bytes_body)) {
              finished = 1;
              break;
            }
            continue;
          }
          if (r == 0) {
            if (c->ps == P_BODY_EOF) finished = 1;
            else broken = 1;
          } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
            broken = 1;
          }
          break;
        }
      }
      if (!finished && !broken) continue;
      double t1 = now_s();
      done++;
      inflight--;
      if (finished && c->status >= 200 && c->status < 300) {
        ok++;
        items_ok += rq->items;
      } else {
        errors++;
        if (!first_bad_status) first_bad_status = finished ? c->status : -1;
      }
      if (c->req >= warmup) lat[nlat++] = t1 - c->t0;
      c->req = -1;
      if (broken || c->close_after || c->ps == P_BODY_EOF) {
        close(c->fd);
        c->fd = -1;
      }
    }
  }
  double t_end = now_s(), cpu = cpu_s() - cpu0;
  double wall = t_end - t_measured;
  for (long r = 0; r < nreq; r++) items_total += reqs[r].items;
  qsort(lat, (size_t)nlat, sizeof *lat, cmp_double);
  double mean = 0;
  for (long k = 0; k < nlat; k++) mean += lat[k];
  if (nlat) mean /= (double)nlat;
  long measured_ok = ok - (warmup < ok ? warmup : ok);
  printf("{\"mode\":\"%s\",\"requests\":%ld,\"done\":%ld,\"ok\":%ld,\"errors\":%ld,\"first_bad_status\":%d,"
         "\"timed_out\":%s,\"items\":%ld,\"items_ok\":%ld,\"wall_s\":%.6f,\"items_per_s\":%.1f,"
         "\"requests_per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"mean_ms\":%.3f,"
         "\"body_bytes\":%zu,\"reconnects\":%ld,\"loadgen_cpu_s\":%.4f}\n",
         mode, nreq, done, ok, errors, first_bad_status, timed_out ? "true" : "false", items_total, items_ok, wall,
         wall > 0 ? (double)(!strcmp(mode, "get") ? measured_ok : items_ok) / wall : 0.0,
         wall > 0 ? (double)measured_ok / wall : 0.0, pct(lat, nlat, 0.5) * 1e3, pct(lat, nlat, 0.99) * 1e3,
         nlat ? lat[nlat - 1] * 1e3 : 0.0, mean * 1e3, bytes_body, reconnects, cpu);
  for (int k = 0; k < conns; k++)
    if (cs[k].fd >= 0) close(cs[k].fd);
  return timed_out || errors ? 1 : 0;
}
