/*
 * Request bodies of POST /alerts and POST /silences decoded the way the
 * go-swagger server does it, so every 400 and 422 carries the same words.
 *
 * Go decodes each generated model in two passes (the model's own properties
 * into an anonymous struct, then the embedded Alert or Silence), matches
 * keys case-insensitively with the last duplicate winning (maps merge), keeps
 * the first plain type mismatch but aborts at once on an error from a custom
 * unmarshaler (DateTime, URI), and only then runs schema validation, of which
 * the first failure is served.  That order is what the code below follows.
 */
#include "api/api_internal.h"

#include <strings.h>

#define ANON_ALERT_TYPE                                                                   \
    "struct { Annotations models.LabelSet \"json:\\\"annotations,omitempty\\\"\"; EndsAt " \
    "strfmt.DateTime \"json:\\\"endsAt,omitempty\\\"\"; StartsAt strfmt.DateTime "        \
    "\"json:\\\"startsAt,omitempty\\\"\" }"
#define ANON_SILENCE_TYPE "struct { ID string \"json:\\\"id,omitempty\\\"\" }"

/* One json.Unmarshal call's error state. */
struct dec {
    char *saved; /* first UnmarshalTypeError */
    char *hard;  /* an unmarshaler's error: decoding stopped */
};

static void dec_type_err(struct dec *d, bool hard, const struct jv *v, const char *strct,
                         const char *field, const char *type)
{
    char **slot = hard ? &d->hard : &d->saved;
    if (*slot)
        return;
    if (field)
        *slot = xasprintf("json: cannot unmarshal %s into Go struct field %s.%s of type %s",
                          jv_kind(v), strct, field, type);
    else
        *slot = xasprintf("json: cannot unmarshal %s into Go value of type %s", jv_kind(v),
                          type);
}

/* The pass's result: the hard error, else the saved one (ownership moves). */
static char *dec_result(struct dec *d)
{
    if (d->hard) {
        free(d->saved);
        return d->hard;
    }
    return d->saved;
}

static bool key_is(const char *key, const char *field)
{
    return strcasecmp(key, field) == 0;
}

static void fwerr_set(struct api_fwerr *e, int status, int code, char *msg)
{
    e->status = status;
    e->code = code;
    e->message = msg;
}

static void fwerr_parse(struct api_fwerr *e, const char *what, const char *err)
{
    fwerr_set(e, 400, 400,
              xasprintf("parsing %s body from \"\" failed, because %s", what, err));
}

void api_fwerr_free(struct api_fwerr *e)
{
    free(e->message);
    e->message = NULL;
}

/* A LabelSet value: null empties it (Go sets the map to nil), an object
 * merges into it. */
static void dec_labelset(struct dec *d, const struct jv *v, struct labelset *ls, bool *present,
                         const char *strct, const char *field)
{
    if (v->type == JV_NULL) {
        labelset_free(ls);
        *present = false;
        return;
    }
    if (v->type != JV_OBJECT) {
        dec_type_err(d, false, v, strct, field, "models.LabelSet");
        return;
    }
    *present = true;
    for (size_t i = 0; i < v->n; i++) {
        const struct jv *val = &v->elems[i];
        if (val->type == JV_STRING)
            labelset_set(ls, v->keys[i], val->s);
        else if (val->type == JV_NULL)
            labelset_set(ls, v->keys[i], "");
        else
            dec_type_err(d, false, val, strct, field, "string");
    }
}

/* strfmt.DateTime: null leaves the value alone (or, through a pointer,
 * clears it); anything but a string is a hard error. */
static void dec_datetime(struct dec *d, const struct jv *v, int64_t *out, bool *set,
                         const char *strct, const char *field)
{
    if (d->hard)
        return;
    if (v->type == JV_NULL) {
        if (set)
            *set = false;
        return;
    }
    if (v->type != JV_STRING) {
        dec_type_err(d, true, v, strct, field, "string");
        return;
    }
    char *err = NULL;
    if (api_datetime_parse(v->s, v->slen, out, &err) < 0) {
        d->hard = err;
        return;
    }
    if (set)
        *set = true;
}

/* A *string field: null clears it. */
static void dec_strptr(struct dec *d, const struct jv *v, char **out, const char *strct,
                       const char *field)
{
    if (v->type == JV_NULL) {
        free(*out);
        *out = NULL;
    } else if (v->type == JV_STRING) {
        free(*out);
        *out = xstrdup(v->s);
    } else {
        dec_type_err(d, false, v, strct, field, "string");
    }
}

/* ---- alerts ---- */

struct alert_in {
    struct alert a;
    bool is_null;
    bool labels_present;
    bool annotations_present;
};

static char *alert_pass_own(const struct jv *v, struct alert_in *in)
{
    struct dec d = {NULL, NULL};
    if (v->type != JV_OBJECT) {
        dec_type_err(&d, false, v, NULL, NULL, ANON_ALERT_TYPE);
        return dec_result(&d);
    }
    for (size_t i = 0; i < v->n && !d.hard; i++) {
        const char *k = v->keys[i];
        const struct jv *val = &v->elems[i];
        if (key_is(k, "annotations"))
            dec_labelset(&d, val, &in->a.annotations, &in->annotations_present, "",
                         "annotations");
        else if (key_is(k, "startsAt"))
            dec_datetime(&d, val, &in->a.starts_at, NULL, "", "startsAt");
        else if (key_is(k, "endsAt"))
            dec_datetime(&d, val, &in->a.ends_at, NULL, "", "endsAt");
    }
    return dec_result(&d);
}

static char *alert_pass_embedded(const struct jv *v, struct alert_in *in)
{
    struct dec d = {NULL, NULL};
    for (size_t i = 0; i < v->n && !d.hard; i++) {
        const char *k = v->keys[i];
        const struct jv *val = &v->elems[i];
        if (key_is(k, "labels")) {
            dec_labelset(&d, val, &in->a.labels, &in->labels_present, "Alert", "labels");
        } else if (key_is(k, "generatorURL")) {
            if (val->type == JV_STRING || val->type == JV_NULL) {
                free(in->a.generator_url);
                in->a.generator_url = xstrdup(val->type == JV_STRING ? val->s : "");
            } else {
                dec_type_err(&d, true, val, "Alert", "generatorURL", "string");
            }
        }
    }
    return dec_result(&d);
}

static char *alert_decode_one(const struct jv *v, struct alert_in *in)
{
    alert_init(&in->a);
    in->a.starts_at = TIME_ZERO;
    in->a.ends_at = TIME_ZERO;
    if (v->type == JV_NULL) {
        in->is_null = true;
        return NULL;
    }
    char *err = alert_pass_own(v, in);
    if (!err)
        err = alert_pass_embedded(v, in);
    return err;
}

/* go-swagger's Validate for element i; NULL when valid. */
static char *alert_validate_schema(size_t i, const struct alert_in *in, int *code)
{
    if (in->is_null)
        return NULL;
    if (in->a.generator_url[0] && !api_uri_valid(in->a.generator_url)) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_printf(&sb, "%zu.generatorURL in body must be of type uri: ", i);
        strbuf_go_quote(&sb, in->a.generator_url);
        *code = 601;
        return strbuf_detach(&sb);
    }
    if (!in->labels_present) {
        *code = 602;
        return xasprintf("%zu.labels in body is required", i);
    }
    return NULL;
}

static int alerts_validate(struct alert_in *ins, size_t n, struct api_fwerr *e)
{
    bool has_null = false;
    for (size_t i = 0; i < n; i++) {
        int code = 0;
        char *msg = alert_validate_schema(i, &ins[i], &code);
        if (msg) {
            fwerr_set(e, 422, code, msg);
            return -1;
        }
        has_null |= ins[i].is_null;
    }
    if (has_null) {
        /* The handler dereferences the nil alert and Go drops the connection. */
        fwerr_set(e, 0, 0, xstrdup("null alert"));
        return -1;
    }
    return 0;
}

static void alert_ins_free(struct alert_in *ins, size_t n)
{
    for (size_t i = 0; i < n; i++)
        alert_free(&ins[i].a);
    free(ins);
}

int api_decode_alerts(const char *body, size_t len, struct api_alerts_in *out,
                      struct api_fwerr *e)
{
    struct jv root;
    char *err = NULL;
    memset(out, 0, sizeof *out);
    memset(e, 0, sizeof *e);
    int rc = jv_parse(body, len, &root, &err);
    if (rc == JV_EMPTY) {
        fwerr_set(e, 422, 602, xstrdup("alerts in body is required"));
        return -1;
    }
    if (rc == JV_ERROR) {
        fwerr_parse(e, "alerts", err);
        free(err);
        return -1;
    }
    if (root.type == JV_NULL) {
        jv_free(&root);
        return 0;
    }
    if (root.type != JV_ARRAY) {
        struct dec d = {NULL, NULL};
        dec_type_err(&d, false, &root, NULL, NULL, "models.PostableAlerts");
        fwerr_parse(e, "alerts", d.saved);
        free(d.saved);
        jv_free(&root);
        return -1;
    }
    struct alert_in *ins = xcalloc(root.n ? root.n : 1, sizeof *ins);
    for (size_t i = 0; i < root.n; i++) {
        err = alert_decode_one(&root.elems[i], &ins[i]);
        if (err) {
            fwerr_parse(e, "alerts", err);
            free(err);
            alert_ins_free(ins, i + 1);
            jv_free(&root);
            return -1;
        }
    }
    size_t n = root.n;
    jv_free(&root);
    if (alerts_validate(ins, n, e) < 0) {
        alert_ins_free(ins, n);
        return -1;
    }
    out->items = xcalloc(n ? n : 1, sizeof *out->items);
    for (size_t i = 0; i < n; i++)
        out->items[i] = ins[i].a; /* moves ownership */
    out->n = n;
    free(ins);
    return 0;
}

void api_alerts_in_free(struct api_alerts_in *in)
{
    for (size_t i = 0; i < in->n; i++)
        alert_free(&in->items[i]);
    free(in->items);
    in->items = NULL;
    in->n = 0;
}

/* ---- silences ---- */

struct matcher_in {
    bool is_null;
    int is_equal, is_regex; /* -1: nil */
    char *name, *value;
};

struct silence_in {
    char *id;
    char *comment, *created_by;
    int64_t starts_at, ends_at;
    bool starts_set, ends_set;
    struct matcher_in *matchers;
    size_t n_matchers;
    bool matchers_present;
};

static void matchers_in_free(struct silence_in *s)
{
    for (size_t i = 0; i < s->n_matchers; i++) {
        free(s->matchers[i].name);
        free(s->matchers[i].value);
    }
    free(s->matchers);
    s->matchers = NULL;
    s->n_matchers = 0;
}

static void silence_in_free(struct silence_in *s)
{
    free(s->id);
    free(s->comment);
    free(s->created_by);
    matchers_in_free(s);
}

static void dec_boolptr(struct dec *d, const struct jv *v, int *out, const char *field)
{
    if (v->type == JV_NULL)
        *out = -1;
    else if (v->type == JV_BOOL)
        *out = v->b;
    else
        dec_type_err(d, false, v, "Matcher", field, "bool");
}

static void dec_matcher(struct dec *d, const struct jv *v, struct matcher_in *m)
{
    m->is_equal = m->is_regex = -1;
    if (v->type == JV_NULL) {
        m->is_null = true;
        return;
    }
    if (v->type != JV_OBJECT) {
        dec_type_err(d, false, v, "Silence", "matchers", "models.Matcher");
        return;
    }
    for (size_t i = 0; i < v->n; i++) {
        const char *k = v->keys[i];
        const struct jv *val = &v->elems[i];
        if (key_is(k, "isEqual"))
            dec_boolptr(d, val, &m->is_equal, "matchers.isEqual");
        else if (key_is(k, "isRegex"))
            dec_boolptr(d, val, &m->is_regex, "matchers.isRegex");
        else if (key_is(k, "name"))
            dec_strptr(d, val, &m->name, "Matcher", "matchers.name");
        else if (key_is(k, "value"))
            dec_strptr(d, val, &m->value, "Matcher", "matchers.value");
    }
}

static void dec_matchers(struct dec *d, const struct jv *v, struct silence_in *s)
{
    matchers_in_free(s);
    s->matchers_present = false;
    if (v->type == JV_NULL)
        return;
    if (v->type != JV_ARRAY) {
        dec_type_err(d, false, v, "Silence", "matchers", "models.Matchers");
        return;
    }
    s->matchers_present = true;
    s->matchers = xcalloc(v->n ? v->n : 1, sizeof *s->matchers);
    s->n_matchers = v->n;
    for (size_t i = 0; i < v->n; i++)
        dec_matcher(d, &v->elems[i], &s->matchers[i]);
}

static char *silence_pass_own(const struct jv *v, struct silence_in *s)
{
    struct dec d = {NULL, NULL};
    if (v->type != JV_OBJECT) {
        dec_type_err(&d, false, v, NULL, NULL, ANON_SILENCE_TYPE);
        return dec_result(&d);
    }
    for (size_t i = 0; i < v->n; i++) {
        const struct jv *val = &v->elems[i];
        if (!key_is(v->keys[i], "id"))
            continue;
        if (val->type == JV_STRING) {
            free(s->id);
            s->id = xstrdup(val->s);
        } else if (val->type != JV_NULL) {
            dec_type_err(&d, false, val, "", "id", "string");
        }
    }
    return dec_result(&d);
}

static char *silence_pass_embedded(const struct jv *v, struct silence_in *s)
{
    struct dec d = {NULL, NULL};
    for (size_t i = 0; i < v->n && !d.hard; i++) {
        const char *k = v->keys[i];
        const struct jv *val = &v->elems[i];
        if (key_is(k, "comment"))
            dec_strptr(&d, val, &s->comment, "Silence", "comment");
        else if (key_is(k, "createdBy"))
            dec_strptr(&d, val, &s->created_by, "Silence", "createdBy");
        else if (key_is(k, "startsAt"))
            dec_datetime(&d, val, &s->starts_at, &s->starts_set, "Silence", "startsAt");
        else if (key_is(k, "endsAt"))
            dec_datetime(&d, val, &s->ends_at, &s->ends_set, "Silence", "endsAt");
        else if (key_is(k, "matchers"))
            dec_matchers(&d, val, s);
    }
    return dec_result(&d);
}

static int silence_validate_schema(const struct silence_in *s, struct api_fwerr *e)
{
    const char *missing = !s->comment            ? "comment"
                          : !s->created_by       ? "createdBy"
                          : !s->ends_set         ? "endsAt"
                          : !s->matchers_present ? "matchers"
                                                 : NULL;
    if (missing) {
        fwerr_set(e, 422, 602, xasprintf("%s in body is required", missing));
        return -1;
    }
    if (s->n_matchers == 0) {
        fwerr_set(e, 422, 612, xstrdup("matchers in body should have at least 1 items"));
        return -1;
    }
    for (size_t i = 0; i < s->n_matchers; i++) {
        const struct matcher_in *m = &s->matchers[i];
        if (m->is_null)
            continue;
        missing = m->is_regex < 0 ? "isRegex" : !m->name ? "name" : !m->value ? "value" : NULL;
        if (missing) {
            fwerr_set(e, 422, 602, xasprintf("matchers.%zu.%s in body is required", i, missing));
            return -1;
        }
    }
    if (!s->starts_set) {
        fwerr_set(e, 422, 602, xstrdup("startsAt in body is required"));
        return -1;
    }
    for (size_t i = 0; i < s->n_matchers; i++)
        if (s->matchers[i].is_null) {
            fwerr_set(e, 0, 0, xstrdup("null matcher"));
            return -1;
        }
    return 0;
}

static void silence_build(const struct silence_in *in, struct silence *out)
{
    silence_init(out);
    if (in->id) {
        /* An id that cannot be a stored one must still be reported unknown,
         * after the time checks silences_set makes first. */
        const char *id = strlen(in->id) < sizeof out->id ? in->id : "\x01";
        memcpy(out->id, id, strlen(id) + 1);
    }
    free(out->comment);
    out->comment = xstrdup(in->comment);
    free(out->created_by);
    out->created_by = xstrdup(in->created_by);
    out->starts_at = in->starts_at;
    out->ends_at = in->ends_at;
    for (size_t i = 0; i < in->n_matchers; i++) {
        const struct matcher_in *m = &in->matchers[i];
        bool eq = m->is_equal != 0; /* isEqual defaults to true */
        enum matcher_type t = m->is_regex ? (eq ? MATCH_REGEXP : MATCH_NOT_REGEXP)
                                          : (eq ? MATCH_EQUAL : MATCH_NOT_EQUAL);
        silence_add_matcher(out, t, m->name, m->value);
    }
}

int api_decode_silence(const char *body, size_t len, struct silence *out, struct api_fwerr *e)
{
    struct jv root;
    char *err = NULL;
    struct silence_in in;
    memset(&in, 0, sizeof in);
    memset(e, 0, sizeof *e);
    int rc = jv_parse(body, len, &root, &err);
    if (rc == JV_EMPTY) {
        fwerr_set(e, 422, 602, xstrdup("silence in body is required"));
        return -1;
    }
    if (rc == JV_ERROR) {
        fwerr_parse(e, "silence", err);
        free(err);
        return -1;
    }
    if (root.type != JV_NULL) {
        err = silence_pass_own(&root, &in);
        if (!err)
            err = silence_pass_embedded(&root, &in);
    }
    jv_free(&root);
    if (err) {
        fwerr_parse(e, "silence", err);
        free(err);
        silence_in_free(&in);
        return -1;
    }
    if (silence_validate_schema(&in, e) < 0) {
        silence_in_free(&in);
        return -1;
    }
    silence_build(&in, out);
    silence_in_free(&in);
    return 0;
}
