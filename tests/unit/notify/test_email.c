/* The e-mail message and envelope against what Alertmanager 0.25 sent.
 * Normalised: the boundary, Message-Id and Date (random or clock-made), and
 * the order of the configured headers (0.25 walks a Go map). */
#include "integ_fixture.h"

#include "config/config.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *replace_all(const char *s, const char *what, const char *with)
{
    struct strbuf sb = STRBUF_INIT;
    for (const char *hit; (hit = strstr(s, what)); s = hit + strlen(what)) {
        strbuf_add(&sb, s, (size_t)(hit - s));
        strbuf_puts(&sb, with);
    }
    strbuf_puts(&sb, s);
    return strbuf_detach(&sb);
}

/* Header block sorted, random parts replaced. */
static char *normalise(const char *raw)
{
    const char *b = strstr(raw, "boundary=");
    cr_assert_not_null(b);
    char boundary[128];
    sscanf(b + 9, "%127[0-9a-f]", boundary);
    cr_assert_eq(strlen(boundary), 60);
    char *msg = replace_all(raw, boundary, "BOUNDARY");
    const char *end = strstr(msg, "\r\n\r\n");
    cr_assert_not_null(end);
    char *head = xstrndup(msg, (size_t)(end - msg));
    char *lines[64];
    size_t n = 0;
    for (char *save = NULL, *l = strtok_r(head, "\r\n", &save); l && n < 64;
         l = strtok_r(NULL, "\r\n", &save)) {
        if (!strncmp(l, "Message-Id: <", 13))
            l = "Message-Id: <id>";
        else if (!strncmp(l, "Date: ", 6))
            l = "Date: <date>";
        lines[n++] = l;
    }
    qsort(lines, n, sizeof *lines, cmp_str);
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++)
        strbuf_printf(&sb, "%s\r\n", lines[i]);
    strbuf_puts(&sb, end);
    free(head);
    free(msg);
    return strbuf_detach(&sb);
}

static void check_email(const char *scenario)
{
    struct integ_fixture f;
    integ_load(&f, scenario, scenario, 0);
    const struct notify_integration *in = integ_find(&f, NOTIFY_EMAIL, 0);
    struct notify_group g;
    struct alert *kept;
    integ_group_for(&f, in, &g, &kept);
    struct notify_message m;
    bool retry = true;
    char *err = NULL;
    cr_assert_eq(notify_build(in, f.tmpl, &g, &m, &retry, &err), 0, "%s", err);
    cr_assert(m.is_smtp);
    json_t *mail = json_array_get(json_object_get(f.captured, "smtp"), 0);
    cr_assert_not_null(mail);
    cr_assert_str_eq(m.smtp.from, json_string_value(json_object_get(mail, "mail_from")));
    json_t *rcpts = json_object_get(mail, "rcpt_tos");
    cr_assert_eq(m.smtp.n_to, json_array_size(rcpts));
    for (size_t i = 0; i < m.smtp.n_to; i++)
        cr_assert_str_eq(m.smtp.to[i], json_string_value(json_array_get(rcpts, i)));
    cr_assert_str_eq(m.smtp.smarthost, "127.0.0.1:19472");
    cr_assert(!m.smtp.require_tls);
    char *want = normalise(json_string_value(json_object_get(mail, "data")));
    cr_assert_eq(strlen(m.smtp.message), m.smtp.message_len);
    char *got = normalise(m.smtp.message);
    if (strcmp(got, want) != 0) {
        /* Leaves both for a diff when they differ. */
        char path[256];
        snprintf(path, sizeof path, "/tmp/chorus-email-%s.want", scenario);
        file_write_atomic(path, want, strlen(want));
        snprintf(path, sizeof path, "/tmp/chorus-email-%s.got", scenario);
        file_write_atomic(path, got, strlen(got));
    }
    cr_assert_str_eq(got, want);
    free(want);
    free(got);
    notify_message_free(&m);
    free(kept);
    integ_free(&f);
}

Test(email, text_and_html_parts_encoded_headers_two_recipients)
{
    check_email("email_text");
}

Test(email, defaults_html_only)
{
    check_email("email_default");
}

static int build_with(const char *from, const char *to, char **err, struct notify_message *m)
{
    struct integ_fixture f;
    integ_load(&f, "email_default", "email_default", 0);
    const struct notify_integration *in = integ_find(&f, NOTIFY_EMAIL, 0);
    struct config_email c = *(const struct config_email *)in->conf;
    c.from = (char *)from;
    c.to = (char *)to;
    struct notify_integration mine = *in;
    mine.conf = &c;
    bool retry = true;
    int rc = notify_build(&mine, f.tmpl, &f.group, m, &retry, err);
    cr_assert(!retry);
    if (rc == 0) {
        /* The message outlives the fixture only through what it owns. */
        char *copy = xstrdup(m->smtp.message);
        cr_assert_not_null(strstr(copy, "MIME-Version: 1.0\r\n\r\n--"));
        free(copy);
    }
    integ_free(&f);
    return rc;
}

Test(email, envelope_addresses_as_net_mail)
{
    struct notify_message m;
    char *err = NULL;
    const char *to = "b@y.org, , \"q u\"@z.org (note), G: c@d.e, f@g.h;";
    cr_assert_eq(build_with("\"A, B\" <a@x.org> (c)", to, &err, &m), 0, "%s", err);
    cr_assert_str_eq(m.smtp.from, "a@x.org");
    cr_assert_eq(m.smtp.n_to, 4);
    cr_assert_str_eq(m.smtp.to[0], "b@y.org");
    cr_assert_str_eq(m.smtp.to[1], "q u@z.org");
    cr_assert_str_eq(m.smtp.to[2], "c@d.e");
    cr_assert_str_eq(m.smtp.to[3], "f@g.h");
    /* Message-Id <unix-nanos.random@host> and an RFC 1123Z date. */
    const char *id = strstr(m.smtp.message, "Message-Id: <");
    cr_assert_not_null(id);
    unsigned long long a, b;
    char host[256];
    cr_assert_eq(sscanf(id, "Message-Id: <%llu.%llu@%255[^>]>", &a, &b, host), 3);
    const char *date = strstr(m.smtp.message, "\r\nDate: ");
    char wd[8], mon[8], zone[8];
    int d, y, hh, mm, ss;
    cr_assert_eq(sscanf(date, "\r\nDate: %3s, %2d %3s %4d %2d:%2d:%2d %5s", wd, &d, mon, &y, &hh,
                        &mm, &ss, zone),
                 8);
    notify_message_free(&m);
}

Test(email, address_errors_worded_as_0_25)
{
    struct notify_message m;
    struct {
        const char *from, *to, *err;
    } cases[] = {
        {"", "a@b.c", "parse 'from' addresses: mail: no address"},
        {"a@b.c, d@e.f", "a@b.c", "must be exactly one 'from' address (got: 2)"},
        {"a@b.c", "nobody", "parse 'to' addresses: mail: missing '@' or angle-addr"},
        {"a@b.c", "No Body", "parse 'to' addresses: mail: no angle-addr"},
        {"a@b.c", "x <a@b.c", "parse 'to' addresses: mail: unclosed angle-addr"},
        {"a@b.c", "a@b.c d@e.f", "parse 'to' addresses: mail: expected comma"},
        {"{{ .Nope }}", "a@b.c", NULL},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *err = NULL;
        cr_assert_eq(build_with(cases[i].from, cases[i].to, &err, &m), -1, "case %zu", i);
        if (cases[i].err)
            cr_expect_str_eq(err, cases[i].err);
        else
            cr_expect(strncmp(err, "execute 'from' template: template: ", 35) == 0, "%s", err);
        free(err);
    }
}
