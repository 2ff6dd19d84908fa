/*
 * Unit tests for route matching (first match wins, `continue`, nested
 * routes, fallback to the parent, depth-first order), group labels and the
 * group keys observed from Alertmanager 0.25.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static struct config_route *root;

static void teardown(void)
{
    troute_free(root);
}

TestSuite(route, .fini = teardown);

/* The receivers of the routes matching the alert, joined with spaces. */
static char *match_receivers(const struct alert *a)
{
    const struct config_route **routes;
    size_t n = dispatch_routes_match(root, &a->labels, &routes);
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_putc(&sb, ' ');
        strbuf_puts(&sb, routes[i]->receiver);
    }
    free(routes);
    return strbuf_detach(&sb);
}

static void expect_match(struct alert *a, const char *want)
{
    char *got = match_receivers(a);
    cr_expect_str_eq(got, want);
    free(got);
    talert_free(a);
}

Test(route, root_alone_matches_everything)
{
    root = troute_root("default", NULL);
    expect_match(talert("alertname", "A", NULL), "default");
    expect_match(talert(NULL), "default");
}

static void build_tree(void)
{
    root = troute_root("default", "alertname");
    struct config_route *r1 = troute_add(root, "team=\"a\"", "r1", NULL, false);
    troute_add(r1, "sev=\"crit\"", "r1a", NULL, false);
    troute_add(root, "team=~\"a|b\"", "r2", NULL, true);
    troute_add(root, "team=\"b\"", "r3", NULL, false);
    troute_add(root, "env=\"prod\"", "r4", NULL, false);
}

Test(route, first_matching_child_stops_the_walk)
{
    build_tree();
    expect_match(talert("team", "a", "env", "prod", NULL), "r1");
}

Test(route, deepest_match_wins)
{
    build_tree();
    expect_match(talert("team", "a", "sev", "crit", NULL), "r1a");
}

Test(route, parent_matches_when_no_child_does)
{
    build_tree();
    expect_match(talert("team", "a", "sev", "warn", NULL), "r1");
}

Test(route, continue_goes_on_to_the_next_sibling)
{
    build_tree();
    expect_match(talert("team", "b", "env", "prod", NULL), "r2 r3");
}

Test(route, continue_without_further_match_keeps_only_that_route)
{
    root = troute_root("default", NULL);
    troute_add(root, "alertname=\"A\"", "x", NULL, true);
    troute_add(root, "alertname=\"B\"", "y", NULL, false);
    expect_match(talert("alertname", "A", NULL), "x");
    expect_match(talert("alertname", "C", NULL), "default");
}

Test(route, later_sibling_after_non_matching_continue_route)
{
    build_tree();
    expect_match(talert("team", "c", "env", "prod", NULL), "r4");
}

Test(route, depth_first_order_with_nested_continue)
{
    root = troute_root("default", NULL);
    struct config_route *p = troute_add(root, "team=\"a\"", "p", NULL, true);
    troute_add(p, "sev=\"x\"", "c1", NULL, true);
    troute_add(p, "sev=~\"x|y\"", "c2", NULL, false);
    troute_add(p, "sev=~\".*\"", "c3", NULL, false);
    troute_add(root, "team=~\".+\"", "q", NULL, false);
    troute_add(root, "team=~\".*\"", "never", NULL, false);
    expect_match(talert("team", "a", "sev", "x", NULL), "c1 c2 q");
    expect_match(talert("team", "a", "sev", "z", NULL), "c3 q");
    expect_match(talert("team", "b", NULL), "q");
    expect_match(talert("x", "y", NULL), "never");
}

Test(route, missing_label_matches_as_empty)
{
    root = troute_root("default", NULL);
    troute_add(root, "team!=\"a\"", "not-a", NULL, false);
    expect_match(talert("alertname", "A", NULL), "not-a");
    expect_match(talert("team", "a", NULL), "default");
}

static char *group_key_of(const struct config_route *r, const struct alert *a)
{
    struct labelset gl;
    dispatch_group_labels(r, &a->labels, &gl);
    struct strbuf sb = STRBUF_INIT;
    dispatch_group_key(r, &gl, &sb);
    labelset_free(&gl);
    return strbuf_detach(&sb);
}

static void expect_key(const struct config_route *r, struct alert *a, const char *want)
{
    char *got = group_key_of(r, a);
    cr_expect_str_eq(got, want);
    free(got);
    talert_free(a);
}

Test(route, group_keys_as_observed)
{
    root = troute_root("default", "alertname");
    struct config_route *team = troute_add(root, "team=\"a\"", NULL, NULL, false);
    struct config_route *sev =
        troute_add(root, "sev=~\"x|y\",team=\"a\"", NULL, "alertname,sev,team", false);
    struct config_route *quoted = troute_add(root, "team=\"y\"", NULL, "alertname,x", false);
    expect_key(root, talert("alertname", "G1", "team", "z", NULL), "{}:{alertname=\"G1\"}");
    expect_key(team, talert("alertname", "G1", "team", "a", NULL),
               "{}/{team=\"a\"}:{alertname=\"G1\"}");
    expect_key(sev, talert("alertname", "G1", "sev", "x", "team", "a", "i", "1", NULL),
               "{}/{sev=~\"x|y\",team=\"a\"}:{alertname=\"G1\", sev=\"x\", team=\"a\"}");
    expect_key(quoted, talert("alertname", "G1", "x", "a\"b", "team", "y", NULL),
               "{}/{team=\"y\"}:{alertname=\"G1\", x=\"a\\\"b\"}");
}

Test(route, empty_group_by_gives_one_group)
{
    root = troute_root("default", NULL);
    expect_key(root, talert("alertname", "G1", NULL), "{}:{}");
}

Test(route, group_by_name_missing_from_alert_is_absent)
{
    root = troute_root("default", "alertname,cluster,zz");
    struct alert *a = talert("alertname", "G1", "zz", "1", "cluster", "c", "other", "o", NULL);
    struct labelset gl;
    dispatch_group_labels(root, &a->labels, &gl);
    cr_assert_eq(gl.len, 3);
    cr_assert_str_eq(gl.items[0].name, "alertname");
    cr_assert_str_eq(gl.items[1].name, "cluster");
    cr_assert_str_eq(gl.items[2].name, "zz");
    labelset_free(&gl);
    talert_free(a);
    expect_key(root, talert("other", "o", NULL), "{}:{}");
}

Test(route, group_by_all_takes_every_label)
{
    root = troute_root("default", "...");
    expect_key(root, talert("b", "2", "a", "1", NULL), "{}:{a=\"1\", b=\"2\"}");
}
