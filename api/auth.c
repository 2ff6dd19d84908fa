/*
 * HTTP basic auth against the web config's bcrypt hashes, as Alertmanager
 * 0.25's exporter-toolkit checks it: every path is protected, an unknown user
 * still costs one bcrypt comparison (so timing does not tell which users
 * exist), and each (user, hash, password) outcome, success or failure, is
 * cached in a table of at most 100 entries that drops about a tenth of them,
 * chosen at random, when full.
 *
 * bcrypt takes tens of milliseconds by design, so it never runs on the loop:
 * a comparison goes to the libuv thread pool and its result comes back on the
 * loop.  Requests that arrive with the same credentials while a comparison is
 * out wait for that one instead of queueing their own.
 */
#include "api/api_internal.h"
#include "config/config.h"

#include <crypt.h>

#define AUTH_CACHE_SIZE 100
/* A bcrypt hash (cost 10, like the ones users are told to make) of a random
 * password nobody knows: what an unknown user's password is compared with. */
#define AUTH_DECOY_HASH "$2y$10$9x3D5NN9gzesB/V4TzZVduL7CpkGEN6XejzHW6akI1X9a0Gjr9Soy"
/* hmap values: the cache stores the outcome as a non-NULL pointer. */
#define AUTH_CACHED_OK ((void *)1)
#define AUTH_CACHED_DENIED ((void *)2)

struct api_auth_wait {
    void (*done)(void *arg, bool ok);
    void *arg;
    bool cancelled;
    struct api_auth_wait *next;
};

struct auth_job {
    uv_work_t work;
    struct api_auth *auth;
    struct strbuf key;
    char *hash, *password;
    bool known_user;
    bool match; /* set on the pool thread */
    struct api_auth_wait *waits;
};

struct api_auth {
    uv_loop_t *loop;
    const struct config_strmap *users;
    struct hmap cache; /* key -> AUTH_CACHED_* */
    struct hmap jobs;  /* key -> struct auth_job out on the pool */
    size_t jobs_out;
    bool freed; /* api_auth_free ran; the last job frees it */
};

struct api_auth *api_auth_new(uv_loop_t *loop, const struct config_strmap *users)
{
    struct api_auth *a = xcalloc(1, sizeof *a);
    a->loop = loop;
    a->users = users;
    return a;
}

bool api_auth_enabled(const struct api_auth *a)
{
    return a && a->users && a->users->len > 0;
}

static void auth_destroy(struct api_auth *a)
{
    hmap_free(&a->cache);
    hmap_free(&a->jobs);
    free(a);
}

void api_auth_free(struct api_auth *a)
{
    if (!a)
        return;
    if (a->jobs_out == 0) {
        auth_destroy(a);
        return;
    }
    a->freed = true;
    size_t pos = 0;
    struct hmap_entry *e;
    while (hmap_next(&a->jobs, &pos, &e))
        for (struct api_auth_wait *w = ((struct auth_job *)e->value)->waits; w; w = w->next)
            w->cancelled = true;
}

void api_auth_wait_cancel(struct api_auth_wait *w)
{
    if (w)
        w->cancelled = true;
}

/* ---- the Authorization header, as Go's Request.BasicAuth reads it ---- */

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Standard alphabet with mandatory padding; CR and LF are skipped, as Go's
 * decoder does.  Returns 0 and appends to out, or -1. */
static int b64_decode(const char *s, struct strbuf *out)
{
    struct strbuf in = STRBUF_INIT;
    for (; *s; s++)
        if (*s != '\r' && *s != '\n')
            strbuf_putc(&in, *s);
    size_t n = in.len, pad = 0;
    int rc = n % 4 == 0 ? 0 : -1;
    if (n && in.buf[n - 1] == '=')
        pad = n > 1 && in.buf[n - 2] == '=' ? 2 : 1;
    for (size_t i = 0; rc == 0 && i < n; i += 4) {
        uint32_t acc = 0;
        for (size_t k = 0; k < 4; k++) {
            int v = i + k < n - pad ? b64_value((unsigned char)in.buf[i + k]) : 0;
            if (v < 0)
                rc = -1;
            acc = (acc << 6) | (uint32_t)(v < 0 ? 0 : v);
        }
        size_t bytes = i + 4 < n ? 3 : 3 - pad;
        for (size_t k = 0; rc == 0 && k < bytes; k++)
            strbuf_putc(out, (char)((acc >> (16 - 8 * k)) & 0xff));
    }
    strbuf_free(&in);
    return rc;
}

/* Splits "Basic <base64 of user:password>" into decoded (user, password
 * following its NUL).  0, or -1 when the header is not basic credentials. */
static int basic_credentials(const char *header, struct strbuf *decoded, size_t *user_len)
{
    static const char prefix[] = "Basic ";
    if (!header || strncasecmp(header, prefix, sizeof prefix - 1) != 0)
        return -1;
    if (b64_decode(header + sizeof prefix - 1, decoded) != 0)
        return -1;
    const char *colon = decoded->buf ? memchr(decoded->buf, ':', decoded->len) : NULL;
    if (!colon)
        return -1;
    *user_len = (size_t)(colon - decoded->buf);
    decoded->buf[*user_len] = '\0';
    return 0;
}

static const char *user_hash(const struct config_strmap *users, const char *user,
                             size_t user_len)
{
    if (memchr(user, '\0', user_len))
        return NULL;
    size_t lo = 0, hi = users->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(users->items[mid].key, user);
        if (c == 0)
            return users->items[mid].value;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- the cache ---- */

static void cache_make_room(struct hmap *cache)
{
    if (cache->len < AUTH_CACHE_SIZE)
        return;
    size_t drop = cache->len / 10 ? cache->len / 10 : 1;
    for (size_t n = 0; n <= drop && cache->len > 0; n++) {
        uint32_t r;
        random_bytes(&r, sizeof r);
        size_t target = r % cache->len, i = 0, pos = 0;
        struct hmap_entry *e;
        while (hmap_next(cache, &pos, &e)) {
            if (i++ == target) {
                hmap_del(cache, e->key, e->keylen);
                break;
            }
        }
    }
}

static void cache_set(struct hmap *cache, const struct strbuf *key, bool ok)
{
    cache_make_room(cache);
    hmap_put(cache, key->buf, key->len, ok ? AUTH_CACHED_OK : AUTH_CACHED_DENIED);
}

/* Lengths first, so no choice of bytes in one part can imitate another. */
static void cache_key(struct strbuf *key, const char *user, size_t user_len, const char *hash,
                      const char *password, size_t password_len)
{
    strbuf_printf(key, "%zu:%zu:", user_len, strlen(hash));
    strbuf_add(key, user, user_len);
    strbuf_puts(key, hash);
    strbuf_add(key, password, password_len);
}

/* ---- bcrypt on the pool ---- */

static bool same_bytes_const_time(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;
    for (size_t i = 0; i < la && i < lb; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

static void job_work(uv_work_t *work)
{
    struct auth_job *j = container_of(work, struct auth_job, work);
    struct crypt_data *cd = xcalloc(1, sizeof *cd);
    const char *out = crypt_r(j->password, j->hash, cd);
    j->match = out && out[0] != '*' && same_bytes_const_time(out, j->hash);
    explicit_bzero(cd, sizeof *cd);
    free(cd);
}

static void job_free(struct auth_job *j)
{
    strbuf_free(&j->key);
    free(j->hash);
    explicit_bzero(j->password, strlen(j->password));
    free(j->password);
    free(j);
}

static void job_done(uv_work_t *work, int status)
{
    struct auth_job *j = container_of(work, struct auth_job, work);
    struct api_auth *a = j->auth;
    bool ok = status == 0 && j->match && j->known_user;
    a->jobs_out--;
    hmap_del(&a->jobs, j->key.buf, j->key.len);
    if (status == 0 && !a->freed)
        cache_set(&a->cache, &j->key, ok);
    while (j->waits) {
        struct api_auth_wait *w = j->waits;
        j->waits = w->next;
        if (!w->cancelled)
            w->done(w->arg, ok);
        free(w);
    }
    job_free(j);
    if (a->freed && a->jobs_out == 0)
        auth_destroy(a);
}

static struct auth_job *job_start(struct api_auth *a, struct strbuf *key, const char *hash,
                                  const char *password, bool known_user)
{
    struct auth_job *j = xcalloc(1, sizeof *j);
    j->auth = a;
    j->key = *key;
    *key = (struct strbuf)STRBUF_INIT;
    j->hash = xstrdup(hash);
    j->password = xstrdup(password);
    j->known_user = known_user;
    if (uv_queue_work(a->loop, &j->work, job_work, job_done) != 0) {
        *key = j->key;
        j->key = (struct strbuf)STRBUF_INIT;
        job_free(j);
        return NULL;
    }
    hmap_put(&a->jobs, j->key.buf, j->key.len, j);
    a->jobs_out++;
    return j;
}

static struct api_auth_wait *job_wait(struct auth_job *j, void (*done)(void *, bool), void *arg)
{
    struct api_auth_wait *w = xcalloc(1, sizeof *w);
    *w = (struct api_auth_wait){done, arg, false, j->waits};
    j->waits = w;
    return w;
}

enum api_auth_result api_auth_check(struct api_auth *a, const char *authorization,
                                    void (*done)(void *arg, bool ok), void *arg,
                                    struct api_auth_wait **wait)
{
    *wait = NULL;
    if (!api_auth_enabled(a))
        return API_AUTH_OK;
    struct strbuf decoded = STRBUF_INIT, key = STRBUF_INIT;
    size_t user_len = 0;
    enum api_auth_result r = API_AUTH_DENIED;
    if (basic_credentials(authorization, &decoded, &user_len) != 0)
        goto out;
    const char *user = decoded.buf, *password = decoded.buf + user_len + 1;
    size_t password_len = decoded.len - user_len - 1;
    const char *hash = user_hash(a->users, user, user_len);
    bool known_user = hash != NULL;
    if (!known_user)
        hash = AUTH_DECOY_HASH;
    cache_key(&key, user, user_len, hash, password, password_len);
    void *cached = hmap_get(&a->cache, key.buf, key.len);
    if (cached) {
        r = cached == AUTH_CACHED_OK && known_user ? API_AUTH_OK : API_AUTH_DENIED;
        goto out;
    }
    /* crypt_r reads the password as a C string; one with a NUL byte cannot
     * match what it was hashed from anyway. */
    if (memchr(password, '\0', password_len))
        goto out;
    struct auth_job *j = hmap_get(&a->jobs, key.buf, key.len);
    if (!j)
        j = job_start(a, &key, hash, password, known_user);
    if (j) {
        *wait = job_wait(j, done, arg);
        r = API_AUTH_PENDING;
    }
out:
    if (decoded.buf)
        explicit_bzero(decoded.buf, decoded.len);
    strbuf_free(&decoded);
    if (key.buf)
        explicit_bzero(key.buf, key.len);
    strbuf_free(&key);
    return r;
}
