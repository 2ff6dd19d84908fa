/*
 * helpers.h: loopback servers for the outbound tests and a bounded way to
 * run the loop until the calls under test are answered.
 */
#ifndef TEST_OUTBOUND_HELPERS_H
#define TEST_OUTBOUND_HELPERS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>
#include <uv.h>

#include "outbound/outbound.h"
#include "util/util.h"

/* An HTTP/1.1 server on its own thread.  Plain: poll()-driven, so it serves
 * many connections at once.  TLS (cert/key set): one connection at a time.
 * Paths: /hang never answers, /status/<code>, /redirect/<n> (302s down to
 * /redirect/0), /redirect-code/<code> (to /method, which answers with the
 * method and Content-Length it got), /echo/<header> (that header's value as
 * the body), /big
 * (100000 bytes); anything else is 200 "ok".  A request saying
 * `Connection: close` has its connection closed after the answer. */
struct http_server {
    int listen_fd, port;
    pthread_t thread;
    atomic_bool stop;
    atomic_int requests, connections;
    pthread_mutex_t mu;
    struct strbuf last_request; /* raw bytes of the latest request */
    void *tls;                  /* SSL_CTX * */
};

void http_server_start(struct http_server *s, const char *cert, const char *key);
void http_server_stop(struct http_server *s);
/* A copy of the latest request's raw bytes. */
char *http_server_last_request(struct http_server *s);

/* Runs the loop until *done or timeout_ms passed; returns *done. */
bool run_until(uv_loop_t *loop, const bool *done, int timeout_ms);
/* Runs the loop until *count reaches want or timeout_ms passed. */
bool run_until_count(uv_loop_t *loop, const int *count, int want, int timeout_ms);

/* A temp dir with a self-signed cert (SAN from san, e.g.
 * "DNS:localhost,IP:127.0.0.1"), cert.pem and key.pem. */
char *make_cert_dir(const char *san);
void remove_dir(const char *dir);
char *write_temp_file(const char *dir, const char *name, const char *content);

/* A free port on 127.0.0.1 (bound and released). */
int free_port(void);
/* Waits until something listens on 127.0.0.1:port. */
bool wait_listening(int port, int timeout_ms);

#endif
