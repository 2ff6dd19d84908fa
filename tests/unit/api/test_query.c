/* Query parameters, the alert filter semantics and the routers' answers. */
#include "api/api_internal.h"

#include <criterion/criterion.h>

static struct api_param params[] = {
    {"active", "maybe"}, {"silenced", "YES"}, {"inhibited", ""}, {"receiver", "a"},
    {"receiver", "b"},   {"filter", "a=\"b\""}, {"filter", "c!~d"},
};
static const struct api_req req = {.method = "GET", .path = "/", .params = params,
                                   .n_params = ARRAY_SIZE(params)};

Test(query, booleans_are_lenient_and_empty_means_default)
{
    cr_expect(!api_query_bool(&req, "active", true));
    cr_expect(api_query_bool(&req, "silenced", false));
    cr_expect(api_query_bool(&req, "inhibited", true));
    cr_expect(!api_query_bool(&req, "inhibited", false));
    cr_expect(api_query_bool(&req, "unprocessed", true));
    cr_expect_str_eq(api_query_get(&req, "receiver"), "b");
}

Test(query, filters_parse_every_value)
{
    struct matchers ms = MATCHERS_INIT;
    char *err = NULL;
    cr_assert_eq(api_query_filters(&req, &ms, &err), 0);
    cr_assert_eq(ms.len, 2);
    cr_expect_eq(ms.items[1].type, MATCH_NOT_REGEXP);
    matchers_free(&ms);

    struct api_param bad[] = {{"filter", "bad"}};
    struct api_req r2 = {.params = bad, .n_params = 1};
    cr_assert_eq(api_query_filters(&r2, &ms, &err), -1);
    cr_expect_str_eq(err, "bad matcher format: bad");
    free(err);
    matchers_free(&ms);
}

static bool filter_matches(const char *filter, const struct labelset *ls)
{
    struct matchers ms = MATCHERS_INIT;
    char *err = NULL;
    cr_assert_eq(matchers_parse(filter, &ms, &err), 0, "%s", filter);
    bool r = api_filter_matches(&ms, ls);
    matchers_free(&ms);
    return r;
}

Test(query, empty_filter_values_test_presence)
{
    struct labelset ls = LABELSET_INIT;
    labelset_set(&ls, "a", "b");
    cr_expect(filter_matches("a=\"b\"", &ls));
    cr_expect(filter_matches("z=\"\"", &ls));
    cr_expect(!filter_matches("a=\"\"", &ls));
    cr_expect(filter_matches("a!=\"\"", &ls));
    cr_expect(!filter_matches("z!=\"\"", &ls));
    cr_expect(filter_matches("z=~\"\"", &ls));
    cr_expect(filter_matches("a!~\"\"", &ls));
    cr_expect(!filter_matches("a=~\"c.*\"", &ls));
    labelset_free(&ls);
}

static void route(const char *method, const char *path, const char *prefix,
                  struct api_resp *resp)
{
    struct api_req r = {.method = method, .path = path};
    api_resp_init(resp);
    api_route(NULL, prefix, &r, resp);
}

Test(router, unknown_v2_path_and_wrong_method)
{
    struct api_resp resp;
    route("GET", "/api/v2/x", "/", &resp);
    cr_expect_eq(resp.status, 404);
    cr_expect_str_eq(resp.body.buf, "{\"code\":404,\"message\":\"path /api/v2/x was not found\"}");
    cr_expect(resp.vary_origin);
    api_resp_free(&resp);

    route("PUT", "/api/v2/alerts", "/", &resp);
    cr_expect_eq(resp.status, 405);
    cr_expect_str_eq(resp.allow, "GET,POST");
    cr_expect_str_eq(resp.body.buf,
                     "{\"code\":405,\"message\":\"method PUT is not allowed, but [GET,POST] are\"}");
    api_resp_free(&resp);

    route("PUT", "/api/v2/silence/abc", "/", &resp);
    cr_expect_str_eq(resp.allow, "DELETE,GET");
    api_resp_free(&resp);
}

Test(router, post_needs_json)
{
    struct api_req r = {.method = "POST", .path = "/api/v2/alerts", .body = "[]", .body_len = 2,
                        .content_type = "text/plain"};
    struct api_resp resp;
    api_resp_init(&resp);
    api_route(NULL, "/", &r, &resp);
    cr_expect_eq(resp.status, 415);
    cr_expect_str_eq(resp.body.buf, "{\"code\":415,\"message\":\"unsupported media type "
                                    "\\\"text/plain\\\", only [application/json] are allowed\"}");
    api_resp_free(&resp);
}

Test(router, prefix_and_side_paths)
{
    struct api_resp resp;
    route("GET", "/", "/am", &resp);
    cr_expect_eq(resp.status, 302);
    cr_expect_str_eq(resp.location, "/am");
    api_resp_free(&resp);

    route("GET", "/api/v2/status", "/am", &resp);
    cr_expect_eq(resp.status, 404);
    cr_expect_str_eq(resp.body.buf, "404 page not found\n");
    api_resp_free(&resp);

    route("GET", "/am/api/v2", "/am", &resp);
    cr_expect_eq(resp.status, 301);
    cr_expect_str_eq(resp.location, "/am/api/v2/");
    api_resp_free(&resp);

    route("GET", "/am/-/healthy", "/am", &resp);
    cr_expect_eq(resp.status, 200);
    cr_expect_str_eq(resp.body.buf, "OK");
    api_resp_free(&resp);

    route("GET", "/-/reload", "/", &resp);
    cr_expect_eq(resp.status, 405);
    cr_expect_str_eq(resp.allow, "OPTIONS, POST");
    api_resp_free(&resp);
}
