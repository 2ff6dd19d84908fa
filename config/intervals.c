/*
 * config/intervals.c: `time_intervals` and the deprecated `mute_time_intervals`:
 * parsed into numeric ranges with 0.25's checks and messages, and rendered
 * back the way 0.25 prints them (weekdays as names, months as numbers).
 */
#include "config/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const weekdays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday",
                                       "friday", "saturday"};
static const char *const months[] = {"january", "february", "march", "april", "may", "june",
                                     "july", "august", "september", "october", "november",
                                     "december"};

/* Go's strconv.Atoi: optional sign, decimal digits only. */
static int atoi_go(struct pctx *p, yaml_node_t *n, const char *s, int *out)
{
    const char *q = s + (*s == '+' || *s == '-');
    bool ok = *q != '\0';
    for (; *q; q++)
        ok &= isdigit((unsigned char)*q) != 0;
    if (!ok)
        return pctx_fail(p, n, "strconv.Atoi: parsing \"%s\": invalid syntax", s);
    *out = atoi(s);
    return 0;
}

static int name_or_number(struct pctx *p, yaml_node_t *n, const char *s, const char *const *names,
                          int count, int base, const char *what, int *out)
{
    for (int i = 0; i < count; i++)
        if (!strcasecmp(s, names[i])) {
            *out = i + base;
            return 0;
        }
    if (!strcmp(what, "month") && *s && (isdigit((unsigned char)*s) || *s == '-'))
        return atoi_go(p, n, s, out);
    return pctx_fail(p, n, "%s is not a valid %s", s, what);
}

/* Splits "a:b" (or "a") into its two ends. */
static int split_range(struct pctx *p, yaml_node_t *n, const char *s, char *a, char *b,
                       size_t cap)
{
    const char *colon = strchr(s, ':');
    if (colon && strchr(colon + 1, ':'))
        return pctx_fail(p, n, "couldn't parse range %s, invalid format", s);
    size_t la = colon ? (size_t)(colon - s) : strlen(s);
    if (la >= cap || (colon && strlen(colon + 1) >= cap))
        return pctx_fail(p, n, "couldn't parse range %s, invalid format", s);
    memcpy(a, s, la);
    a[la] = '\0';
    strcpy(b, colon ? colon + 1 : a);
    return 0;
}

static int weekday_range(struct pctx *p, yaml_node_t *n, const char *s, struct config_int_range *r)
{
    char a[64], b[64];
    if (split_range(p, n, s, a, b, sizeof a) ||
        name_or_number(p, n, a, weekdays, 7, 0, "weekday", &r->begin) ||
        name_or_number(p, n, b, weekdays, 7, 0, "weekday", &r->end))
        return -1;
    if (r->begin > r->end)
        return pctx_fail(p, n, "start day cannot be before end day");
    return 0;
}

static int day_range(struct pctx *p, yaml_node_t *n, const char *s, struct config_int_range *r)
{
    char a[64], b[64];
    if (split_range(p, n, s, a, b, sizeof a) || atoi_go(p, n, a, &r->begin) ||
        atoi_go(p, n, b, &r->end))
        return -1;
    int ends[2] = {r->begin, r->end};
    for (int i = 0; i < 2; i++)
        if (ends[i] < -31 || ends[i] > 31 || ends[i] == 0)
            return pctx_fail(p, n, "%d is not a valid day of the month: out of range", ends[i]);
    if (r->begin < 0 && r->end > 0)
        return pctx_fail(p, n, "end day must be negative if start day is negative");
    /* negative days are compared as if months had 30 days */
    int tb = r->begin < 0 ? 30 + r->begin : r->begin;
    int te = r->end < 0 ? 30 + r->end : r->end;
    if (te < tb)
        return pctx_fail(p, n, "end day %d is always before start day %d", r->end, r->begin);
    return 0;
}

static int month_range(struct pctx *p, yaml_node_t *n, const char *s, struct config_int_range *r)
{
    char a[64], b[64];
    if (split_range(p, n, s, a, b, sizeof a) ||
        name_or_number(p, n, a, months, 12, 1, "month", &r->begin) ||
        name_or_number(p, n, b, months, 12, 1, "month", &r->end))
        return -1;
    if (r->begin > r->end) {
        const char *bn = r->begin >= 1 && r->begin <= 12 ? months[r->begin - 1] : "?";
        const char *en = r->end >= 1 && r->end <= 12 ? months[r->end - 1] : "?";
        return pctx_fail(p, n, "end month %s is before start month %s", en, bn);
    }
    return 0;
}

static int year_range(struct pctx *p, yaml_node_t *n, const char *s, struct config_int_range *r)
{
    char a[64], b[64];
    if (split_range(p, n, s, a, b, sizeof a) || atoi_go(p, n, a, &r->begin) ||
        atoi_go(p, n, b, &r->end))
        return -1;
    if (r->begin > r->end)
        return pctx_fail(p, n, "end year %d is before start year %d", r->end, r->begin);
    return 0;
}

typedef int range_fn(struct pctx *, yaml_node_t *, const char *, struct config_int_range *);

static int parse_ranges(struct pctx *p, yaml_node_t *n, const char *gotype, range_fn *fn,
                        struct config_int_range **out, size_t *count)
{
    *count = 0;
    if (node_is_null(n))
        return 0;
    if (expect_seq(p, n, gotype))
        return -1;
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
         i++) {
        yaml_node_t *item = node_get(p, *i);
        char *s = NULL;
        if (parse_string(p, item, &s))
            return -1;
        struct config_int_range *r = cfg_arena_push(p->a, out, count, sizeof *r);
        if (fn(p, item, s ? s : "", r))
            return -1;
    }
    return 0;
}

/* ^(([01][0-9])|(2[0-3])):[0-5][0-9]$ or 24:00, as minutes of the day */
static int clock_minutes(struct pctx *p, yaml_node_t *n, const char *s, int *out)
{
    bool ok = strlen(s) == 5 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
              s[2] == ':' && s[3] >= '0' && s[3] <= '5' && isdigit((unsigned char)s[4]);
    int h = ok ? (s[0] - '0') * 10 + s[1] - '0' : 0;
    int m = ok ? (s[3] - '0') * 10 + s[4] - '0' : 0;
    if (!ok || (h > 23 && !(h == 24 && m == 0)))
        return pctx_fail(p, n, "couldn't parse timestamp %s, invalid format", s);
    *out = h * 60 + m;
    return 0;
}

static int parse_time_range(struct pctx *p, yaml_node_t *n, struct config_int_range *r)
{
    static const char *const keys[] = {"start_time", "end_time", NULL};
    struct map_iter it;
    if (map_begin(p, n, keys, "timeinterval.yamlTimeRange", &it))
        return -1;
    char *start = NULL, *end = NULL;
    const char *k;
    yaml_node_t *v;
    int rc;
    while ((rc = map_next(p, &it, &k, &v)) == 1)
        if (parse_string(p, v, !strcmp(k, "start_time") ? &start : &end))
            return -1;
    if (rc)
        return -1;
    if (!start || !*start || !end || !*end)
        return pctx_fail(p, n, "both start and end times must be provided");
    if (clock_minutes(p, n, start, &r->begin) || clock_minutes(p, n, end, &r->end))
        return -1;
    if (r->begin >= r->end)
        return pctx_fail(p, n, "start time cannot be equal or greater than end time");
    return 0;
}

static int parse_times(struct pctx *p, yaml_node_t *n, struct config_time_spec *t)
{
    if (node_is_null(n))
        return 0;
    if (expect_seq(p, n, "[]timeinterval.TimeRange"))
        return -1;
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
        struct config_int_range *r = cfg_arena_push(p->a, &t->times, &t->n_times, sizeof *r);
        if (parse_time_range(p, node_get(p, *i), r))
            return -1;
    }
    return 0;
}

/* Go's time.LoadLocation: NULL when the zone loads, else its error text. */
static const char *zone_error(const char *z)
{
    if (!*z || !strcmp(z, "UTC") || !strcmp(z, "Local"))
        return NULL;
    if (strstr(z, "..") || z[0] == '/' || z[0] == '\\')
        return "time: invalid location name";
    char path[512];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", z);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0)
        return NULL;
    return "unknown time zone %s";
}

static int spec_field(struct pctx *p, const char *k, yaml_node_t *v, struct config_time_spec *t)
{
    if (!strcmp(k, "times"))
        return parse_times(p, v, t);
    if (!strcmp(k, "weekdays"))
        return parse_ranges(p, v, "[]timeinterval.WeekdayRange", weekday_range, &t->weekdays,
                            &t->n_weekdays);
    if (!strcmp(k, "days_of_month"))
        return parse_ranges(p, v, "[]timeinterval.DayOfMonthRange", day_range,
                            &t->days_of_month, &t->n_days_of_month);
    if (!strcmp(k, "months"))
        return parse_ranges(p, v, "[]timeinterval.MonthRange", month_range, &t->months,
                            &t->n_months);
    if (!strcmp(k, "years"))
        return parse_ranges(p, v, "[]timeinterval.YearRange", year_range, &t->years,
                            &t->n_years);
    if (parse_string(p, v, &t->location))
        return -1;
    const char *why = t->location ? zone_error(t->location) : NULL;
    if (why)
        return pctx_fail(p, v, why, t->location);
    return 0;
}

static int parse_spec(struct pctx *p, yaml_node_t *n, struct config_time_spec *t)
{
    static const char *const keys[] = {"times", "weekdays", "days_of_month", "months", "years",
                                       "location", NULL};
    struct map_iter it;
    if (map_begin(p, n, keys, "timeinterval.TimeInterval", &it))
        return -1;
    const char *k;
    yaml_node_t *v;
    int rc;
    while ((rc = map_next(p, &it, &k, &v)) == 1) {
        size_t mark = path_push_key(p, k);
        rc = spec_field(p, k, v, t);
        path_pop(p, mark);
        if (rc)
            return -1;
    }
    return rc;
}

static int parse_specs(struct pctx *p, yaml_node_t *n, struct config_time_interval *ti)
{
    if (node_is_null(n))
        return 0;
    if (expect_seq(p, n, "[]timeinterval.TimeInterval"))
        return -1;
    size_t idx = 0;
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
         i++, idx++) {
        struct config_time_spec *t = cfg_arena_push(p->a, &ti->specs, &ti->n_specs, sizeof *t);
        size_t mark = path_push_index(p, idx);
        int rc = parse_spec(p, node_get(p, *i), t);
        path_pop(p, mark);
        if (rc)
            return -1;
    }
    return 0;
}

static int parse_interval(struct pctx *p, yaml_node_t *n, struct config_time_interval *ti,
                          bool mute)
{
    static const char *const keys[] = {"name", "time_intervals", NULL};
    struct map_iter it;
    if (map_begin(p, n, keys, "config.plain", &it))
        return -1;
    const char *k;
    yaml_node_t *v;
    int rc;
    while ((rc = map_next(p, &it, &k, &v)) == 1) {
        size_t mark = path_push_key(p, k);
        rc = !strcmp(k, "name") ? parse_string(p, v, &ti->name) : parse_specs(p, v, ti);
        path_pop(p, mark);
        if (rc)
            return -1;
    }
    if (rc)
        return -1;
    if (!ti->name || !*ti->name)
        return pctx_fail(p, n, mute ? "missing name in mute time interval"
                                    : "missing name in time interval");
    ti->deprecated_mute = mute;
    return 0;
}

int intervals_parse(struct pctx *p, yaml_node_t *n, bool mute)
{
    if (node_is_null(n))
        return 0;
    if (expect_seq(p, n, mute ? "[]config.MuteTimeInterval" : "[]config.TimeInterval"))
        return -1;
    struct config *c = p->cfg;
    size_t idx = 0;
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
         i++, idx++) {
        struct config_time_interval *ti =
            cfg_arena_push(p->a, &c->intervals, &c->n_intervals, sizeof *ti);
        size_t mark = path_push_index(p, idx);
        int rc = parse_interval(p, node_get(p, *i), ti, mute);
        path_pop(p, mark);
        if (rc)
            return -1;
    }
    return 0;
}

/* ---- rendering ---- */

static void emit_ranges(struct yout *o, const char *key, const struct config_int_range *r,
                        size_t n, const char *const *names)
{
    if (!n)
        return;
    yout_key(o, key);
    yout_seq_begin(o, true);
    for (size_t i = 0; i < n; i++) {
        char buf[128];
        if (names && r[i].begin == r[i].end)
            snprintf(buf, sizeof buf, "%s", names[r[i].begin]);
        else if (names)
            snprintf(buf, sizeof buf, "%s:%s", names[r[i].begin], names[r[i].end]);
        else if (r[i].begin == r[i].end)
            snprintf(buf, sizeof buf, "%d", r[i].begin);
        else
            snprintf(buf, sizeof buf, "%d:%d", r[i].begin, r[i].end);
        yout_str(o, buf);
    }
    yout_seq_end(o);
}

static void emit_times(struct yout *o, const struct config_time_spec *t)
{
    if (!t->n_times)
        return;
    yout_key(o, "times");
    yout_seq_begin(o, false);
    for (size_t i = 0; i < t->n_times; i++) {
        char a[16], b[16];
        snprintf(a, sizeof a, "%02d:%02d", t->times[i].begin / 60, t->times[i].begin % 60);
        snprintf(b, sizeof b, "%02d:%02d", t->times[i].end / 60, t->times[i].end % 60);
        yout_map_begin(o);
        yout_key(o, "start_time");
        yout_str(o, a);
        yout_key(o, "end_time");
        yout_str(o, b);
        yout_map_end(o);
    }
    yout_seq_end(o);
}

static void emit_spec(struct yout *o, const struct config_time_spec *t)
{
    yout_map_begin(o);
    emit_times(o, t);
    emit_ranges(o, "weekdays", t->weekdays, t->n_weekdays, weekdays);
    emit_ranges(o, "days_of_month", t->days_of_month, t->n_days_of_month, NULL);
    emit_ranges(o, "months", t->months, t->n_months, NULL);
    emit_ranges(o, "years", t->years, t->n_years, NULL);
    if (t->location) {
        yout_key(o, "location");
        yout_str(o, t->location);
        yout_flow_next(o);
    }
    yout_map_end(o);
}

void intervals_emit(struct yout *o, const struct config *c, bool mute)
{
    yout_seq_begin(o, false);
    for (size_t i = 0; i < c->n_intervals; i++) {
        const struct config_time_interval *ti = &c->intervals[i];
        if (ti->deprecated_mute != mute)
            continue;
        yout_map_begin(o);
        yout_key(o, "name");
        yout_str(o, ti->name);
        yout_key(o, "time_intervals");
        yout_seq_begin(o, false);
        for (size_t j = 0; j < ti->n_specs; j++)
            emit_spec(o, &ti->specs[j]);
        yout_seq_end(o);
        yout_map_end(o);
    }
    yout_seq_end(o);
}
