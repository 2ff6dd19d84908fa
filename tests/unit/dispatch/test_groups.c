/*
 * Unit tests for the alert order inside groups (job, instance, label-set
 * order; stable) and for the groups GET /api/v2/alerts/groups shows: one per
 * (route, group labels), sorted by labels then receiver.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

static struct alert *alerts[256];
static size_t n_alerts;
static struct config_route *root;

static void teardown(void)
{
    for (size_t i = 0; i < n_alerts; i++)
        talert_free(alerts[i]);
    n_alerts = 0;
    if (root)
        troute_free(root);
    root = NULL;
}

TestSuite(groups, .fini = teardown);

static struct alert *add(struct alert *a)
{
    alerts[n_alerts++] = a;
    return a;
}

Test(groups, alert_order_job_instance_then_labels)
{
    const struct alert *want[] = {
        add(talert("alertname", "X", "job", "a", "instance", "1", NULL)),
        add(talert("alertname", "X", "job", "a", "instance", "2", NULL)),
        add(talert("alertname", "X", "job", "a", NULL)),
        add(talert("alertname", "X", "job", "b", NULL)),
        add(talert("instance", "0", NULL)),
        add(talert("alertname", "X", NULL)),
        add(talert("alertname", "Y", NULL)),
    };
    const struct alert *in[] = {want[3], want[6], want[1], want[5], want[2], want[0], want[4]};
    dispatch_alerts_sort(in, ARRAY_SIZE(in));
    for (size_t i = 0; i < ARRAY_SIZE(in); i++)
        cr_expect_eq(in[i], want[i], "position %zu", i);
}

Test(groups, alert_values_compare_bytewise)
{
    const struct alert *want[] = {
        add(talert("job", "B", NULL)),
        add(talert("job", "a", NULL)),
        add(talert("job", "a\xc3\xa9", NULL)),
    };
    const struct alert *in[] = {want[2], want[1], want[0]};
    dispatch_alerts_sort(in, 3);
    for (size_t i = 0; i < 3; i++)
        cr_expect_eq(in[i], want[i], "position %zu", i);
}

/* Equal keys keep their input order: checked against a brute-force count
 * over many alerts drawn from a few job/instance values. */
Test(groups, alert_sort_is_stable)
{
    const char *jobs[] = {NULL, "a", "b"}, *insts[] = {NULL, "1", "2"};
    const struct alert *in[200];
    unsigned seed = 7;
    for (size_t i = 0; i < ARRAY_SIZE(in); i++) {
        seed = seed * 1103515245 + 12345;
        const char *j = jobs[(seed >> 8) % 3], *k = insts[(seed >> 12) % 3];
        struct alert *a = talert("alertname", "A", NULL);
        if (j)
            labelset_set(&a->labels, "job", j);
        if (k)
            labelset_set(&a->labels, "instance", k);
        in[i] = add(a);
        cr_assert_lt(n_alerts, ARRAY_SIZE(alerts));
    }
    const struct alert *sorted[ARRAY_SIZE(in)];
    memcpy(sorted, in, sizeof in);
    dispatch_alerts_sort(sorted, ARRAY_SIZE(sorted));
    for (size_t i = 1; i < ARRAY_SIZE(sorted); i++) {
        const struct alert *p = sorted[i - 1], *q = sorted[i];
        const char *pj = labelset_get(&p->labels, "job"), *qj = labelset_get(&q->labels, "job");
        const char *pi = labelset_get(&p->labels, "instance");
        const char *qi = labelset_get(&q->labels, "instance");
        bool same = (pj == qj || (pj && qj && !strcmp(pj, qj))) &&
                    (pi == qi || (pi && qi && !strcmp(pi, qi)));
        if (!same)
            continue;
        size_t ip = 0, iq = 0;
        for (size_t k = 0; k < ARRAY_SIZE(in); k++) {
            if (in[k] == p)
                ip = k;
            if (in[k] == q)
                iq = k;
        }
        cr_assert_lt(ip, iq, "equal alerts swapped at %zu", i);
    }
}

static void build_tree(void)
{
    root = troute_root("default", "alertname");
    troute_add(root, "team=\"a\"", "team-a", NULL, true);
    troute_add(root, "sev=~\"x|y\",team=\"a\"", "sev", "alertname,sev,team", false);
}

static char *group_str(const struct dispatch_group *g)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_printf(&sb, "%s ", g->route->receiver);
    labelset_format(&g->labels, &sb);
    for (size_t i = 0; i < g->n_alerts; i++) {
        strbuf_putc(&sb, ' ');
        labelset_format(&g->alerts[i]->labels, &sb);
    }
    return strbuf_detach(&sb);
}

static void expect_groups(const char *const *want, size_t n_want)
{
    size_t n;
    struct dispatch_group *g =
        dispatch_groups_compute(root, (const struct alert *const *)alerts, n_alerts, &n);
    cr_expect_eq(n, n_want);
    for (size_t i = 0; i < n && i < n_want; i++) {
        char *s = group_str(&g[i]);
        cr_expect_str_eq(s, want[i], "group %zu", i);
        free(s);
    }
    dispatch_groups_free(g, n);
}

Test(groups, one_group_per_route_and_group_labels)
{
    build_tree();
    add(talert("alertname", "G1", "team", "a", "sev", "y", NULL));
    add(talert("alertname", "G2", "team", "b", NULL));
    add(talert("alertname", "G1", "team", "a", "sev", "x", NULL));
    add(talert("alertname", "G1", "team", "c", NULL));
    const char *want[] = {
        "default {alertname=\"G1\"} {alertname=\"G1\", team=\"c\"}",
        "team-a {alertname=\"G1\"} {alertname=\"G1\", sev=\"x\", team=\"a\"} "
        "{alertname=\"G1\", sev=\"y\", team=\"a\"}",
        "default {alertname=\"G2\"} {alertname=\"G2\", team=\"b\"}",
        "sev {alertname=\"G1\", sev=\"x\", team=\"a\"} {alertname=\"G1\", sev=\"x\", team=\"a\"}",
        "sev {alertname=\"G1\", sev=\"y\", team=\"a\"} {alertname=\"G1\", sev=\"y\", team=\"a\"}",
    };
    expect_groups(want, ARRAY_SIZE(want));
}

Test(groups, alerts_inside_a_group_are_in_notification_order)
{
    root = troute_root("default", NULL);
    add(talert("alertname", "B", NULL));
    add(talert("alertname", "A", "instance", "i2", NULL));
    add(talert("alertname", "Z", "job", "j", NULL));
    add(talert("alertname", "A", "instance", "i1", NULL));
    const char *want[] = {
        "default {} {alertname=\"Z\", job=\"j\"} {alertname=\"A\", instance=\"i1\"} "
        "{alertname=\"A\", instance=\"i2\"} {alertname=\"B\"}",
    };
    expect_groups(want, 1);
}

Test(groups, same_labels_sort_by_receiver)
{
    root = troute_root("zeta", "alertname");
    troute_add(root, "x=\"1\"", "beta", NULL, true);
    troute_add(root, "x=\"1\"", "alpha", NULL, true);
    add(talert("alertname", "A", "x", "1", NULL));
    const char *want[] = {
        "alpha {alertname=\"A\"} {alertname=\"A\", x=\"1\"}",
        "beta {alertname=\"A\"} {alertname=\"A\", x=\"1\"}",
    };
    expect_groups(want, 2);
}

Test(groups, no_alerts_no_groups)
{
    root = troute_root("default", NULL);
    size_t n = 5;
    struct dispatch_group *g = dispatch_groups_compute(root, NULL, 0, &n);
    cr_assert_eq(n, 0);
    dispatch_groups_free(g, n);
}

Test(groups, hundred_thousand_alerts, .timeout = 60)
{
    root = troute_root("default", "alertname");
    troute_add(root, "alertname=~\"A[0-4]\"", "low", "alertname,instance", true);
    const size_t n = 100000;
    struct alert **many = xmalloc(n * sizeof *many);
    char name[16], inst[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof name, "A%zu", i % 10);
        snprintf(inst, sizeof inst, "host-%zu", i % 1000);
        many[i] = talert("alertname", name, "instance", inst, NULL);
        snprintf(inst, sizeof inst, "%zu", i);
        labelset_set(&many[i]->labels, "seq", inst);
    }
    size_t count;
    struct dispatch_group *g =
        dispatch_groups_compute(root, (const struct alert *const *)many, n, &count);
    /* A0..A4 go to the child only; host-k only ever carries A(k % 10), so
     * the child sees 500 (alertname, instance) pairs. */
    cr_assert_eq(count, 5 + 500);
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        total += g[i].n_alerts;
        if (i)
            cr_assert_leq(labelset_compare(&g[i - 1].labels, &g[i].labels), 0);
    }
    cr_assert_eq(total, n);
    cr_assert_eq(g[0].labels.len, 1);
    cr_assert_str_eq(g[0].route->receiver, "default");
    cr_assert_str_eq(g[0].labels.items[0].value, "A5");
    cr_assert_eq(g[0].n_alerts, n / 10);
    dispatch_groups_free(g, count);
    for (size_t i = 0; i < n; i++)
        talert_free(many[i]);
    free(many);
}
