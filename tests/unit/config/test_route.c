/*
 * Routing tree: defaults at the root, inheritance into children, group_by
 * forms, route keys, parents, indexes and lines.
 */
#include "helpers.h"
#include "util/util.h"

#include <criterion/criterion.h>

#define S NS_PER_SEC

Test(route, root_defaults)
{
    struct config *c = yaml_load("route:\n  receiver: a\nreceivers:\n- name: a\n");
    const struct config_route *r = config_route_root(c);
    cr_expect_str_eq(r->receiver, "a");
    cr_expect_eq(r->group_wait, 30 * S);
    cr_expect_eq(r->group_interval, 300 * S);
    cr_expect_eq(r->repeat_interval, 4 * 3600 * S);
    cr_expect_str_eq(r->key, "{}");
    cr_expect_null(r->parent);
    cr_expect_eq(r->n_routes, 0);
    cr_expect_eq(r->n_group_by, 0);
    cr_expect_not(r->group_by_all);
    cr_expect_eq(r->line, 2);
    config_free(c);
}

static const char *tree =
    "route:\n"
    "  receiver: root\n"
    "  group_by: [alertname]\n"
    "  group_wait: 10s\n"
    "  repeat_interval: 1d\n"
    "  routes:\n"
    "  - matchers: ['team=\"a\"', 'sev=~\"x|y\"']\n"
    "    receiver: team-a\n"
    "    group_interval: 1m\n"
    "    routes:\n"
    "    - match: {env: prod}\n"
    "      match_re: {dc: 'eu.*'}\n"
    "      continue: true\n"
    "      group_by: ['...']\n"
    "  - matchers: ['b!=\"1\", a=\"2\"']\n"
    "    group_by: [cluster, alertname]\n"
    "receivers:\n- name: root\n- name: team-a\n";

Test(route, children_inherit_receiver_group_by_and_timers)
{
    struct config *c = yaml_load(tree);
    const struct config_route *root = config_route_root(c);
    cr_assert_eq(root->n_routes, 2);
    const struct config_route *a = &root->routes[0];
    cr_expect_eq(a->parent, root);
    cr_expect_eq(a->index, 0);
    cr_expect_str_eq(a->receiver, "team-a");
    cr_expect_eq(a->group_wait, 10 * S);
    cr_expect_eq(a->group_interval, 60 * S);
    cr_expect_eq(a->repeat_interval, 86400 * S);
    cr_assert_eq(a->n_group_by, 1);
    cr_expect_str_eq(a->group_by[0], "alertname");
    cr_expect_eq(a->line, 7);

    cr_assert_eq(a->n_routes, 1);
    const struct config_route *leaf = &a->routes[0];
    cr_expect_str_eq(leaf->receiver, "team-a");
    cr_expect_eq(leaf->group_interval, 60 * S);
    cr_expect(leaf->group_by_all);
    cr_expect(leaf->continue_matching);
    cr_expect_eq(leaf->matchers.len, 2);

    const struct config_route *b = &root->routes[1];
    cr_expect_eq(b->index, 1);
    cr_expect_str_eq(b->receiver, "root");
    cr_assert_eq(b->n_group_by, 2);
    cr_expect_str_eq(b->group_by[0], "cluster");
    cr_expect_not(b->group_by_all);
    config_free(c);
}

Test(route, keys_sort_matchers_and_nest)
{
    struct config *c = yaml_load(tree);
    const struct config_route *root = config_route_root(c);
    cr_expect_str_eq(root->routes[0].key, "{}/{sev=~\"x|y\",team=\"a\"}");
    cr_expect_str_eq(root->routes[0].routes[0].key,
                     "{}/{sev=~\"x|y\",team=\"a\"}/{dc=~\"eu.*\",env=\"prod\"}");
    cr_expect_str_eq(root->routes[1].key, "{}/{a=\"2\",b!=\"1\"}");
    config_free(c);
}

Test(route, key_quotes_values_like_go)
{
    struct config *c = yaml_load("route:\n  receiver: a\n  routes:\n"
                                 "  - match: {x: 'say \"hi\"\\'}\n"
                                 "receivers:\n- name: a\n");
    cr_expect_str_eq(config_route_root(c)->routes[0].key, "{}/{x=\"say \\\"hi\\\"\\\\\"}");
    config_free(c);
}

Test(route, empty_group_by_inherits)
{
    struct config *c = yaml_load("route:\n  receiver: a\n  group_by: [x]\n  routes:\n"
                                 "  - group_by: []\nreceivers:\n- name: a\n");
    const struct config_route *child = &config_route_root(c)->routes[0];
    cr_assert_eq(child->n_group_by, 1);
    cr_expect_str_eq(child->group_by[0], "x");
    config_free(c);
}

Test(route, time_interval_names_are_kept_not_inherited)
{
    struct config *c = yaml_load("route:\n  receiver: a\n  routes:\n"
                                 "  - mute_time_intervals: [t]\n    active_time_intervals: [t]\n"
                                 "    routes:\n    - receiver: a\n"
                                 "receivers:\n- name: a\n"
                                 "time_intervals:\n- name: t\n  time_intervals: []\n");
    const struct config_route *child = &config_route_root(c)->routes[0];
    cr_assert_eq(child->n_mute_time_intervals, 1);
    cr_expect_str_eq(child->mute_time_intervals[0], "t");
    cr_expect_eq(child->n_active_time_intervals, 1);
    cr_expect_eq(child->routes[0].n_mute_time_intervals, 0);
    config_free(c);
}

Test(route, errors_name_the_route_path_and_line)
{
    char *err = yaml_error("route:\n  receiver: a\n  routes:\n  - receiver: a\n"
                           "  - routes:\n    - group_wait: 5x\nreceivers:\n- name: a\n");
    cr_expect_str_eq(err, "test.yml:6: route.routes[1].routes[0].group_wait: "
                          "not a valid duration string: \"5x\"");
    free(err);
}

Test(route, unknown_route_key)
{
    char *err = yaml_error("route:\n  receiver: a\n  recevier: b\nreceivers:\n- name: a\n");
    cr_expect_str_eq(err, "test.yml:3: route.recevier: field recevier not found in type "
                          "config.plain");
    free(err);
}

Test(route, duplicate_route_key)
{
    char *err = yaml_error("route:\n  receiver: a\n  receiver: b\nreceivers:\n- name: a\n");
    cr_expect_str_eq(err, "test.yml:3: route.receiver: field receiver already set in type "
                          "config.plain");
    free(err);
}

Test(route, zero_group_wait_is_kept)
{
    struct config *c = yaml_load("route:\n  receiver: a\n  group_wait: 0s\n  routes:\n"
                                 "  - receiver: a\nreceivers:\n- name: a\n");
    cr_expect_eq(config_route_root(c)->group_wait, 0);
    cr_expect_eq(config_route_root(c)->routes[0].group_wait, 0);
    cr_expect_not_null(strstr(config_original(c), "  group_wait: 0s\n"));
    config_free(c);
}
