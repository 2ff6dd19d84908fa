/*
 * Global defaults, inhibit rules, time intervals, templates, the config hash
 * and the yaml.v2 quoting rules behind config.original.
 */
#include "config/internal.h"
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdlib.h>

Test(global, defaults_apply_without_a_global_section)
{
    struct config *c = yaml_load("route: {receiver: a}\nreceivers: [{name: a}]\n");
    cr_expect_eq(config_resolve_timeout(c), 300 * NS_PER_SEC);
    cr_expect_not_null(strstr(config_original(c), "  smtp_require_tls: true\n"));
    config_free(c);
}

Test(global, resolve_timeout_is_read)
{
    struct config *c = yaml_load("global: {resolve_timeout: 1h30m}\n"
                                 "route: {receiver: a}\nreceivers: [{name: a}]\n");
    cr_expect_eq(config_resolve_timeout(c), 5400 * NS_PER_SEC);
    config_free(c);
}

Test(hash, is_md5_first_six_bytes_little_endian)
{
    /* md5("") = d41d8cd98f00b204e9800998ecf8427e */
    cr_expect_eq(config_md5_metric("", 0), (double)0x8fd98c1dd4ULL);
    struct config *c = fixture_load("valid/simple.yml");
    size_t len;
    char *data = fixture_read("valid/simple.yml", &len);
    cr_expect_eq(config_hash(c), config_md5_metric(data, len));
    cr_expect_gt(config_hash(c), 0);
    free(data);
    config_free(c);
}

Test(hash, long_input_crosses_blocks)
{
    /* md5("a" x 100) = 36a92cc94a9e0fa21f625f8bfb007adf */
    char buf[100];
    memset(buf, 'a', sizeof buf);
    cr_expect_eq(config_md5_metric(buf, sizeof buf), (double)0x9e4ac92ca936ULL);
}

Test(inhibit, legacy_and_new_matchers_merge_per_side)
{
    struct config *c = yaml_load("route: {receiver: a}\nreceivers: [{name: a}]\n"
                                 "inhibit_rules:\n- source_match: {severity: critical}\n"
                                 "  source_matchers: ['x=\"y\"']\n"
                                 "  target_match_re: {severity: 'warn.*'}\n"
                                 "  equal: [alertname, cluster]\n");
    cr_assert_eq(config_inhibit_rule_count(c), 1);
    const struct config_inhibit_rule *r = config_inhibit_rule_at(c, 0);
    cr_expect_eq(r->source.len, 2);
    cr_expect_eq(r->target.len, 1);
    cr_expect_eq(r->target.items[0].type, MATCH_REGEXP);
    cr_expect_eq(r->equal.len, 2);
    cr_expect_eq(r->line, 4);
    config_free(c);
}

Test(intervals, parsed_into_ranges)
{
    struct config *c = fixture_load("valid/all-sections.yml");
    const struct config_time_interval *t = config_time_interval_find(c, "t");
    cr_assert_not_null(t);
    cr_assert_eq(t->n_specs, 1);
    const struct config_time_spec *s = &t->specs[0];
    cr_expect_eq(s->times[0].begin, 9 * 60);
    cr_expect_eq(s->times[0].end, 17 * 60);
    cr_assert_eq(s->n_weekdays, 2);
    cr_expect_eq(s->weekdays[0].begin, 1);
    cr_expect_eq(s->weekdays[0].end, 5);
    cr_expect_eq(s->weekdays[1].begin, 0);
    cr_expect_eq(s->days_of_month[1].begin, -3);
    cr_expect_eq(s->months[1].begin, 5);
    cr_expect_eq(s->months[1].end, 8);
    cr_expect_eq(s->years[1].end, 2030);
    cr_expect_str_eq(s->location, "Europe/Berlin");
    const struct config_time_interval *m = config_time_interval_find(c, "m");
    cr_assert_not_null(m);
    cr_expect(m->deprecated_mute);
    cr_expect_eq(config_time_interval_count(c), 2);
    config_free(c);
}

Test(intervals, range_errors)
{
    const char *base = "route: {receiver: a}\nreceivers: [{name: a}]\n"
                       "time_intervals:\n- name: t\n  time_intervals:\n  - %s\n";
    struct {
        const char *spec, *msg;
    } cases[] = {
        {"days_of_month: ['-1:5']", "end day must be negative if start day is negative"},
        {"days_of_month: ['5:1']", "end day 1 is always before start day 5"},
        {"days_of_month: ['0']", "0 is not a valid day of the month: out of range"},
        {"months: ['5:2']", "end month february is before start month may"},
        {"months: ['foo']", "foo is not a valid month"},
        {"years: ['2020:2019']", "end year 2019 is before start year 2020"},
        {"years: ['x']", "strconv.Atoi: parsing \"x\": invalid syntax"},
        {"weekdays: ['friday:monday']", "start day cannot be before end day"},
        {"weekdays: ['a:b:c']", "couldn't parse range a:b:c, invalid format"},
        {"times: [{start_time: '10:00'}]", "both start and end times must be provided"},
        {"times: [{start_time: '10:00', end_time: '09:00'}]",
         "start time cannot be equal or greater than end time"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *yaml = xasprintf(base, cases[i].spec);
        char *err = yaml_error(yaml);
        size_t el = strlen(err), ml = strlen(cases[i].msg);
        cr_expect(el >= ml && !strcmp(err + el - ml, cases[i].msg), "%s -> %s", cases[i].spec,
                  err);
        free(err);
        free(yaml);
    }
}

Test(templates, relative_globs_join_the_config_dir)
{
    struct config *c = fixture_load("valid/oncall.yml");
    const struct config_strlist *t = config_templates(c);
    cr_assert_eq(t->len, 2);
    cr_expect_str_eq(t->items[0], FIXTURE_DIR "/valid/templates/*.tmpl");
    cr_expect_str_eq(t->items[1], "/etc/alertmanager/extra/*.tmpl");
    config_free(c);
}

Test(yaml_style, plain_unless_it_would_read_back_as_another_type)
{
    const char *plain[] = {"foo", "a b", "http://x/", "<secret>", "1:5:x", "-3:-1",
                           "monday:friday", "2020:2022"};
    const char *quoted[] = {"", "y", "n", "yes", "Off", "true", "null", "~", "123", "1.5",
                            "0x1F", "1e3", ".5", ".inf", "09:00", "1:5", "2020-01-01", "<<",
                            "1_000"};
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
        cr_expect(yaml_v2_plain_ok(plain[i]), "%s", plain[i]);
    for (size_t i = 0; i < sizeof quoted / sizeof *quoted; i++)
        cr_expect_not(yaml_v2_plain_ok(quoted[i]), "%s", quoted[i]);
}

Test(yaml_style, type_errors_use_yaml_v2_texts)
{
    char *err = yaml_error("route: {receiver: a}\nreceivers:\n- name: a\n"
                           "  telegram_configs: [{bot_token: t, chat_id: x}]\n");
    cr_expect_str_eq(err, "test.yml:4: receivers[0].telegram_configs[0].chat_id: cannot "
                          "unmarshal !!str `x` into int64");
    free(err);
    err = yaml_error("route: {receiver: a}\nreceivers:\n- name: a\n"
                     "  webhook_configs: {url: http://x}\n");
    cr_expect_str_eq(err, "test.yml:4: receivers[0].webhook_configs: cannot unmarshal !!map "
                          "into []*config.WebhookConfig");
    free(err);
}
