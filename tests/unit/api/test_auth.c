/* Basic auth: header parsing as Go's Request.BasicAuth, bcrypt on the pool of
 * a real loop, the outcome cache, shared and cancelled waits. */
#include "api/api_internal.h"
#include "config/config.h"

#include <crypt.h>
#include <criterion/criterion.h>

static char alice_hash[128];
static struct config_kv user_items[1] = {{"alice", alice_hash}};
static const struct config_strmap users = {user_items, 1};
static uv_loop_t loop;

/* Cost 4 keeps the suite fast; the code does not depend on the cost. */
static void setup(void)
{
    char salt[64];
    struct crypt_data cd;
    memset(&cd, 0, sizeof cd);
    cr_assert_not_null(crypt_gensalt_rn("$2b$", 4, NULL, 0, salt, sizeof salt));
    const char *h = crypt_r("secret", salt, &cd);
    cr_assert(h && h[0] == '$');
    snprintf(alice_hash, sizeof alice_hash, "%s", h);
    uv_loop_init(&loop);
}

static void teardown(void)
{
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_expect_eq(uv_loop_close(&loop), 0);
}

struct outcome {
    int calls;
    bool ok;
};

static void on_done(void *arg, bool ok)
{
    struct outcome *o = arg;
    o->calls++;
    o->ok = ok;
}

/* "Basic " + base64("alice:secret") and friends. */
#define ALICE_SECRET "Basic YWxpY2U6c2VjcmV0"
#define ALICE_WRONG "Basic YWxpY2U6d3Jvbmc="
#define MALLORY_SECRET "Basic bWFsbG9yeTpzZWNyZXQ="

static enum api_auth_result check(struct api_auth *a, const char *header, struct outcome *o)
{
    struct api_auth_wait *w = NULL;
    enum api_auth_result r = api_auth_check(a, header, on_done, o, &w);
    cr_expect_eq(r == API_AUTH_PENDING, w != NULL);
    return r;
}

/* Runs the check to its outcome, through the pool when needed. */
static bool settle(struct api_auth *a, const char *header)
{
    struct outcome o = {0, false};
    enum api_auth_result r = check(a, header, &o);
    if (r != API_AUTH_PENDING)
        return r == API_AUTH_OK;
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_expect_eq(o.calls, 1);
    return o.ok;
}

TestSuite(auth, .init = setup, .fini = teardown);

Test(auth, without_users_everything_passes)
{
    struct config_strmap none = {NULL, 0};
    struct api_auth *a = api_auth_new(&loop, &none);
    struct outcome o = {0, false};
    cr_expect(!api_auth_enabled(a));
    cr_expect_eq(check(a, NULL, &o), API_AUTH_OK);
    cr_expect_eq(check(a, "Basic !!!", &o), API_AUTH_OK);
    api_auth_free(a);
}

Test(auth, what_is_not_basic_credentials_is_refused_at_once)
{
    struct api_auth *a = api_auth_new(&loop, &users);
    struct outcome o = {0, false};
    const char *bad[] = {NULL,           "",          "Basic",        "Basic ",
                         "Bearer abc",   "Basic !!!", "Basic YWxpY2U=", /* no colon */
                         "Basic YWxpY2U6c2VjcmV0=", /* bad padding */
                         "Basic YWxp=Y2U6c2VjcmV0", "BasicYWxpY2U6c2VjcmV0"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        cr_expect_eq(check(a, bad[i], &o), API_AUTH_DENIED, "%s", bad[i] ? bad[i] : "(null)");
    cr_expect_eq(o.calls, 0);
    api_auth_free(a);
}

Test(auth, right_password_passes_and_is_then_cached)
{
    struct api_auth *a = api_auth_new(&loop, &users);
    cr_expect(settle(a, ALICE_SECRET));
    struct outcome o = {0, false};
    cr_expect_eq(check(a, ALICE_SECRET, &o), API_AUTH_OK);
    /* Go's scheme comparison ignores case; CR and LF inside base64 are skipped. */
    cr_expect_eq(check(a, "basic YWxpY2U6c2VjcmV0", &o), API_AUTH_OK);
    cr_expect_eq(check(a, "BASIC YWxpY2U6\r\nc2VjcmV0", &o), API_AUTH_OK);
    api_auth_free(a);
}

Test(auth, wrong_password_and_unknown_user_fail_and_are_cached)
{
    struct api_auth *a = api_auth_new(&loop, &users);
    cr_expect(!settle(a, ALICE_WRONG));
    cr_expect(!settle(a, MALLORY_SECRET));
    struct outcome o = {0, false};
    cr_expect_eq(check(a, ALICE_WRONG, &o), API_AUTH_DENIED);
    cr_expect_eq(check(a, MALLORY_SECRET, &o), API_AUTH_DENIED);
    api_auth_free(a);
}

Test(auth, same_credentials_in_flight_share_one_comparison)
{
    struct api_auth *a = api_auth_new(&loop, &users);
    struct outcome o1 = {0, false}, o2 = {0, false}, o3 = {0, false};
    cr_assert_eq(check(a, ALICE_SECRET, &o1), API_AUTH_PENDING);
    cr_assert_eq(check(a, ALICE_SECRET, &o2), API_AUTH_PENDING);
    cr_assert_eq(check(a, ALICE_WRONG, &o3), API_AUTH_PENDING);
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_expect(o1.calls == 1 && o1.ok);
    cr_expect(o2.calls == 1 && o2.ok);
    cr_expect(o3.calls == 1 && !o3.ok);
    api_auth_free(a);
}

Test(auth, a_cancelled_wait_is_not_called)
{
    struct api_auth *a = api_auth_new(&loop, &users);
    struct outcome o1 = {0, false}, o2 = {0, false};
    struct api_auth_wait *w1 = NULL, *w2 = NULL;
    cr_assert_eq(api_auth_check(a, ALICE_SECRET, on_done, &o1, &w1), API_AUTH_PENDING);
    cr_assert_eq(api_auth_check(a, ALICE_SECRET, on_done, &o2, &w2), API_AUTH_PENDING);
    api_auth_wait_cancel(w1);
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_expect_eq(o1.calls, 0);
    cr_expect(o2.calls == 1 && o2.ok);
    api_auth_free(a);
}

Test(auth, freed_while_comparing_calls_nobody)
{
    struct api_auth *a = api_auth_new(&loop, &users);
    struct outcome o = {0, false};
    cr_assert_eq(check(a, ALICE_SECRET, &o), API_AUTH_PENDING);
    api_auth_free(a); /* the comparison's completion frees it */
    uv_run(&loop, UV_RUN_DEFAULT);
    cr_expect_eq(o.calls, 0);
}

Test(auth, the_cache_stays_bounded_and_keeps_answering)
{
    struct api_auth *a = api_auth_new(&loop, &users);
    /* 150 distinct wrong passwords: more than the cache holds. */
    for (int i = 0; i < 150; i++) {
        char plain[32], b64[64], header[80];
        int n = snprintf(plain, sizeof plain, "alice:wrong%03d", i);
        unsigned char *in = (unsigned char *)plain;
        static const char tab[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        size_t o = 0;
        for (int j = 0; j < n; j += 3) {
            unsigned v = (unsigned)in[j] << 16 | (j + 1 < n ? (unsigned)in[j + 1] << 8 : 0) |
                         (j + 2 < n ? in[j + 2] : 0);
            b64[o++] = tab[v >> 18 & 63];
            b64[o++] = tab[v >> 12 & 63];
            b64[o++] = j + 1 < n ? tab[v >> 6 & 63] : '=';
            b64[o++] = j + 2 < n ? tab[v & 63] : '=';
        }
        b64[o] = '\0';
        snprintf(header, sizeof header, "Basic %s", b64);
        cr_expect(!settle(a, header));
    }
    cr_expect(settle(a, ALICE_SECRET));
    struct outcome oc = {0, false};
    cr_expect_eq(check(a, ALICE_SECRET, &oc), API_AUTH_OK);
    api_auth_free(a);
}
