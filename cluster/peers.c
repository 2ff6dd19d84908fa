/*
 * peers.c: Alertmanager's failed-peer list and settle poll (see peers.h).
 */
#include "cluster/peers.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

static struct am_peer *peer_get(struct am_peers *p, const char *address)
{
    struct am_peer *pr = hmap_get_str(&p->by_address, address);
    if (!pr) {
        pr = xcalloc(1, sizeof *pr);
        snprintf(pr->address, sizeof pr->address, "%s", address);
        hmap_put(&p->by_address, address, strlen(address), pr);
    }
    return pr;
}

static void failed_append(struct am_peers *p, struct am_peer *pr, int64_t now)
{
    pr->failed = true;
    pr->leave_time = now;
    if (p->n_failed == p->cap_failed) {
        p->cap_failed = p->cap_failed ? p->cap_failed * 2 : 8;
        p->failed = xrealloc(p->failed, p->cap_failed * sizeof *p->failed);
    }
    p->failed[p->n_failed++] = xstrdup(pr->address);
}

static void failed_remove(struct am_peers *p, const char *address)
{
    size_t kept = 0;
    for (size_t i = 0; i < p->n_failed; i++) {
        if (strcmp(p->failed[i], address) == 0)
            free(p->failed[i]);
        else
            p->failed[kept++] = p->failed[i];
    }
    p->n_failed = kept;
}

/* 0.25 skips names: memberlist only advertises IP addresses. */
static bool ip_port_literal(const char *address)
{
    const char *colon = strrchr(address, ':');
    if (!colon || colon == address)
        return false;
    char host[64];
    const char *h = address;
    size_t len = (size_t)(colon - address);
    if (len >= 2 && h[0] == '[' && h[len - 1] == ']') {
        h++;
        len -= 2;
    }
    if (len >= sizeof host)
        return false;
    memcpy(host, h, len);
    host[len] = '\0';
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

void am_peers_init(struct am_peers *p, const char *const *peers, size_t n, const char *self,
                   int64_t now)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(peers[i], self) == 0 || !ip_port_literal(peers[i]))
            continue;
        struct am_peer *pr = peer_get(p, peers[i]);
        if (!pr->failed)
            failed_append(p, pr, now);
    }
}

void am_peers_free(struct am_peers *p)
{
    struct hmap_entry *e;
    for (size_t i = 0; hmap_next(&p->by_address, &i, &e);)
        free(e->value);
    hmap_free(&p->by_address);
    for (size_t i = 0; i < p->n_failed; i++)
        free(p->failed[i]);
    free(p->failed);
    memset(p, 0, sizeof *p);
}

void am_peers_join(struct am_peers *p, const char *address)
{
    struct am_peer *pr = peer_get(p, address);
    if (pr->failed)
        failed_remove(p, address);
    pr->failed = false;
    pr->leave_time = 0;
}

void am_peers_leave(struct am_peers *p, const char *address, int64_t now)
{
    /* 0.25 ignores leaves of addresses it never saw join. */
    struct am_peer *pr = hmap_get_str(&p->by_address, address);
    if (pr && !pr->failed)
        failed_append(p, pr, now);
}

void am_peers_expire(struct am_peers *p, int64_t now, int64_t timeout)
{
    size_t kept = 0;
    for (size_t i = 0; i < p->n_failed; i++) {
        struct am_peer *pr = hmap_get_str(&p->by_address, p->failed[i]);
        if (pr && pr->leave_time + timeout > now) {
            p->failed[kept++] = p->failed[i];
            continue;
        }
        free(hmap_del(&p->by_address, p->failed[i], strlen(p->failed[i])));
        free(p->failed[i]);
    }
    p->n_failed = kept;
}

bool am_settle_poll(struct am_settle *s, int member_count)
{
    if (s->ready)
        return true;
    if (s->n_okay >= AM_SETTLE_POLLS_OK) {
        s->ready = true;
        return true;
    }
    if (member_count == s->last_count)
        s->n_okay++;
    else
        s->n_okay = 0;
    s->last_count = member_count;
    s->polls++;
    return false;
}
