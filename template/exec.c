/*
 * Executor: walks a parse tree against the notification data, with Go's
 * text/template evaluation rules (pipelines, variables and their scopes,
 * field and method lookup on Alertmanager's types, missingkey=zero) and its
 * error texts.  Errors unwind with longjmp to template_execute.
 */
#include "template/internal.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

struct var {
    const char *name;
    struct value v;
};


struct exec_state {
    const struct template_set *set;
    const struct parse_result *overlay;
    struct arena arena;
    struct strbuf *out;
    size_t out_start;
    struct var *vars;
    size_t n_vars, cap_vars, var_base;
    int depth;      /* nested template calls */
    int walk_depth; /* nested nodes being walked, bounds the C stack */
    const struct tree *tmpl;
    const struct node *node;
    int bad_arg;          /* argument a function rejected, or -1 */
    const char *bad_want; /* the Go type it wanted */
    const struct node **arg_nodes; /* node current after each argument */
    bool html; /* html/template: escape by context */
    struct html_ctx hctx;
    jmp_buf jmp;
    char *err;
};

enum { WALK_OK, WALK_BREAK, WALK_CONTINUE };

struct arena *exec_arena(struct exec_state *st)
{
    return &st->arena;
}

void exec_set_bad_arg(struct exec_state *st, int i, const char *want)
{
    st->bad_arg = i;
    st->bad_want = want;
}

static _Noreturn void exec_fail(struct exec_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static _Noreturn void exec_fail(struct exec_state *st, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "template: ");
    if (st->node) {
        node_location(st->node, &sb);
        strbuf_printf(&sb, ": executing \"%s\" at <", st->tmpl->name);
        node_string(st->node, &sb);
        strbuf_puts(&sb, ">: ");
    } else {
        strbuf_printf(&sb, "%s: ", st->tmpl->name);
    }
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    st->err = strbuf_detach(&sb);
    longjmp(st->jmp, 1);
}

/* ---- variables ---- */

static void var_push(struct exec_state *st, const char *name, struct value v)
{
    if (st->n_vars == st->cap_vars) {
        st->cap_vars = st->cap_vars ? st->cap_vars * 2 : 16;
        st->vars = xrealloc(st->vars, st->cap_vars * sizeof *st->vars);
    }
    st->vars[st->n_vars].name = name;
    st->vars[st->n_vars++].v = v;
}

static struct var *var_find(struct exec_state *st, const char *name)
{
    for (size_t i = st->n_vars; i-- > st->var_base;)
        if (!strcmp(st->vars[i].name, name))
            return &st->vars[i];
    exec_fail(st, "undefined variable: %s", name);
}

/* ---- Alertmanager data: fields and methods ---- */

static struct value kv_value(struct exec_state *st, const struct labelset *ls)
{
    struct value v = {.kind = V_KV};
    v.u.kv = kv_from_labelset(&st->arena, ls);
    return v;
}

static struct value time_value(int64_t t)
{
    struct value v = {.kind = V_TIME};
    v.u.t = t;
    return v;
}

static struct value alerts_value(struct exec_state *st, const struct template_data *d)
{
    struct value v = {.kind = V_ALERTS};
    v.u.alerts.items = arena_alloc(&st->arena, (d->n_alerts + 1) * sizeof *v.u.alerts.items);
    for (size_t i = 0; i < d->n_alerts; i++)
        v.u.alerts.items[i] = &d->alerts[i];
    v.u.alerts.len = d->n_alerts;
    return v;
}

static bool data_field(struct exec_state *st, const struct template_data *d, const char *f,
                       struct value *out)
{
    if (!strcmp(f, "Receiver"))
        *out = value_cstr(d->receiver);
    else if (!strcmp(f, "Status"))
        *out = value_cstr(d->status);
    else if (!strcmp(f, "Alerts"))
        *out = alerts_value(st, d);
    else if (!strcmp(f, "GroupLabels"))
        *out = kv_value(st, &d->group_labels);
    else if (!strcmp(f, "CommonLabels"))
        *out = kv_value(st, &d->common_labels);
    else if (!strcmp(f, "CommonAnnotations"))
        *out = kv_value(st, &d->common_annotations);
    else if (!strcmp(f, "ExternalURL"))
        *out = value_cstr(d->external_url);
    else
        return false;
    return true;
}

static bool alert_field(struct exec_state *st, const struct template_alert *a, const char *f,
                        struct value *out)
{
    if (!strcmp(f, "Status"))
        *out = value_cstr(a->status);
    else if (!strcmp(f, "Labels"))
        *out = kv_value(st, &a->labels);
    else if (!strcmp(f, "Annotations"))
        *out = kv_value(st, &a->annotations);
    else if (!strcmp(f, "StartsAt"))
        *out = time_value(a->starts_at);
    else if (!strcmp(f, "EndsAt"))
        *out = time_value(a->ends_at);
    else if (!strcmp(f, "GeneratorURL"))
        *out = value_cstr(a->generator_url);
    else if (!strcmp(f, "Fingerprint"))
        *out = value_cstr(a->fingerprint);
    else
        return false;
    return true;
}

/* KV.SortedPairs order: alertname first, then the rest by name. */
static size_t *kv_order(struct exec_state *st, const struct kv *kv)
{
    size_t *idx = arena_alloc(&st->arena, (kv->len + 1) * sizeof *idx);
    size_t n = 0;
    for (size_t i = 0; i < kv->len; i++)
        if (!strcmp(kv->names[i], "alertname"))
            idx[n++] = i;
    for (size_t i = 0; i < kv->len; i++)
        if (strcmp(kv->names[i], "alertname"))
            idx[n++] = i;
    return idx;
}

static struct value list_new(struct exec_state *st, enum value_kind kind, size_t len)
{
    struct value v = {.kind = kind};
    v.u.list.items = arena_alloc(&st->arena, (len + 1) * sizeof *v.u.list.items);
    v.u.list.len = len;
    v.u.list.strings = kind == V_LIST;
    return v;
}

static struct value kv_pairs(struct exec_state *st, const struct kv *kv)
{
    size_t *idx = kv_order(st, kv);
    struct value v = list_new(st, V_PAIRS, kv->len);
    for (size_t i = 0; i < kv->len; i++) {
        v.u.list.items[i].kind = V_PAIR;
        v.u.list.items[i].u.pair.name = kv->names[idx[i]];
        v.u.list.items[i].u.pair.value = kv->values[idx[i]];
    }
    return v;
}

static struct value pairs_column(struct exec_state *st, const struct value *pairs, bool names)
{
    struct value v = list_new(st, V_LIST, pairs->u.list.len);
    for (size_t i = 0; i < pairs->u.list.len; i++) {
        const struct value *p = &pairs->u.list.items[i];
        v.u.list.items[i] = value_cstr(names ? p->u.pair.name : p->u.pair.value);
    }
    return v;
}

static struct value kv_remove(struct exec_state *st, const struct kv *kv, const struct value *keys)
{
    struct kv *r = arena_alloc(&st->arena, sizeof *r);
    r->names = arena_alloc(&st->arena, (kv->len + 1) * sizeof *r->names);
    r->values = arena_alloc(&st->arena, (kv->len + 1) * sizeof *r->values);
    for (size_t i = 0; i < kv->len; i++) {
        bool drop = false;
        for (size_t k = 0; k < keys->u.list.len && !drop; k++) {
            const struct value *key = &keys->u.list.items[k];
            drop = key->u.str.len == strlen(kv->names[i]) &&
                   !memcmp(key->u.str.s, kv->names[i], key->u.str.len);
        }
        if (!drop) {
            r->names[r->len] = kv->names[i];
            r->values[r->len++] = kv->values[i];
        }
    }
    struct value v = {.kind = V_KV};
    v.u.kv = r;
    return v;
}

static struct value alerts_filter(struct exec_state *st, const struct value *alerts,
                                  const char *status)
{
    struct value v = {.kind = V_ALERTS};
    v.u.alerts.plain = true;
    v.u.alerts.items = arena_alloc(&st->arena, (alerts->u.alerts.len + 1) * sizeof(void *));
    for (size_t i = 0; i < alerts->u.alerts.len; i++) {
        const struct template_alert *a = alerts->u.alerts.items[i];
        if (a->status && !strcmp(a->status, status))
            v.u.alerts.items[v.u.alerts.len++] = a;
    }
    return v;
}

/* ---- evaluation ---- */

static struct value eval_pipeline(struct exec_state *st, struct value dot, const struct node *pipe);
static struct value eval_arg(struct exec_state *st, struct value dot, const struct node *n);

struct call {
    const struct node *const *args; /* args[0] is the function/field node */
    size_t nargs;
    const struct value *final; /* previous pipeline stage, or NULL */
};

static bool has_args(const struct call *c)
{
    return c->nargs > 1 || c->final;
}

static _Noreturn void type_fail(struct exec_state *st, const struct call *c, struct strbuf *err);

static bool param_ok(char code, const struct value *v)
{
    switch (code) {
    case 's': return v->kind == V_STRING;
    case 'S': return v->kind == V_NIL || (v->kind == V_LIST && v->u.list.strings);
    case 't': return v->kind == V_TIME;
    default: return true;
    }
}

/* Go converts each argument to its parameter type as it is evaluated. */
static void check_param(struct exec_state *st, const struct call *c, const char *params,
                        size_t i, const struct value *v)
{
    if (!params)
        return;
    size_t len = strlen(params);
    bool variadic = len && params[len - 1] == '*';
    size_t fixed = variadic ? len - 1 : len;
    char code = i < fixed ? params[i] : variadic ? params[len - 2] : 'a';
    if (param_ok(code, v))
        return;
    const char *want = code == 's' ? "string" : code == 'S' ? "[]string" : "time.Time";
    st->bad_arg = (int)i;
    st->bad_want = want;
    struct strbuf err = STRBUF_INIT;
    strbuf_printf(&err, "wrong type for value; expected %s; got %s", want, value_type_name(v));
    type_fail(st, c, &err);
}

/* Evaluates the call's arguments (without args[0]) plus final, checking them
 * against params (NULL: the callee checks). */
static struct value *call_args(struct exec_state *st, struct value dot, const struct call *c,
                               const char *params, size_t *n)
{
    size_t cnt = (c->nargs ? c->nargs - 1 : 0) + (c->final ? 1 : 0);
    struct value *vals = arena_alloc(&st->arena, (cnt + 1) * sizeof *vals);
    const struct node **nodes = arena_alloc(&st->arena, (cnt + 1) * sizeof *nodes);
    st->arg_nodes = nodes;
    size_t k = 0;
    for (size_t i = 1; i < c->nargs; i++, k++) {
        vals[k] = eval_arg(st, dot, c->args[i]);
        nodes[k] = st->node;
        st->arg_nodes = nodes;
        check_param(st, c, params, k, &vals[k]);
    }
    if (c->final) {
        nodes[k] = st->node;
        vals[k] = *c->final;
        check_param(st, c, params, k, &vals[k]);
        k++;
    }
    st->arg_nodes = nodes;
    *n = k;
    return vals;
}

static void want_args(struct exec_state *st, const char *name, size_t got, size_t want)
{
    if (got != want)
        exec_fail(st, "wrong number of args for %s: want %zu got %zu", name, want, got);
}

static void want_string_list(struct exec_state *st, const struct value *v)
{
    if (v->kind != V_LIST || !v->u.list.strings)
        exec_fail(st, "wrong type for value; expected []string; got %s", value_type_name(v));
}

static bool time_method(struct exec_state *st, int64_t t, const char *name,
                        struct value *args, size_t n, struct value *out)
{
    struct strbuf err = STRBUF_INIT;
    int rc = time_call(&st->arena, t, name, args, n, out, &err);
    if (rc < 0) {
        char *msg = arena_strndup(&st->arena, strbuf_cstr(&err), err.len);
        strbuf_free(&err);
        exec_fail(st, "%s", msg);
    }
    strbuf_free(&err);
    return rc > 0;
}

/* A method of one of Alertmanager's types: returns false when there is none. */
static bool eval_method(struct exec_state *st, struct value dot, const struct value *recv,
                        const char *name, const struct call *c, struct value *out)
{
    enum value_kind k = recv->kind;
    bool kv0 = k == V_KV && (!strcmp(name, "SortedPairs") || !strcmp(name, "Names") ||
                             !strcmp(name, "Values"));
    bool pairs0 = k == V_PAIRS && (!strcmp(name, "Names") || !strcmp(name, "Values"));
    bool alerts0 = k == V_ALERTS && !recv->u.alerts.plain &&
                   (!strcmp(name, "Firing") || !strcmp(name, "Resolved"));
    bool remove = k == V_KV && !strcmp(name, "Remove");
    if (!kv0 && !pairs0 && !alerts0 && !remove && k != V_TIME)
        return false;
    const struct node *at = st->node;
    size_t n;
    struct value *args = call_args(st, dot, c, NULL, &n);
    st->node = at;
    if (k == V_TIME)
        return time_method(st, recv->u.t, name, args, n, out);
    want_args(st, name, n, remove ? 1 : 0);
    if (remove) {
        want_string_list(st, &args[0]);
        *out = kv_remove(st, recv->u.kv, &args[0]);
    } else if (alerts0) {
        *out = alerts_filter(st, recv, name[0] == 'F' ? "firing" : "resolved");
    } else if (pairs0) {
        *out = pairs_column(st, recv, name[0] == 'N');
    } else if (!strcmp(name, "SortedPairs")) {
        *out = kv_pairs(st, recv->u.kv);
    } else {
        struct value pairs = kv_pairs(st, recv->u.kv);
        *out = pairs_column(st, &pairs, name[0] == 'N');
    }
    return true;
}

static struct value eval_field(struct exec_state *st, struct value dot, const char *name,
                               const struct call *c, struct value recv)
{
    struct value out = {.kind = V_NIL};
    if (recv.kind == V_NIL)
        return out;
    if (eval_method(st, dot, &recv, name, c, &out))
        return out;
    bool found = false;
    if (recv.kind == V_DATA)
        found = data_field(st, recv.u.data, name, &out);
    else if (recv.kind == V_ALERT)
        found = alert_field(st, recv.u.alert, name, &out);
    else if (recv.kind == V_PAIR && (!strcmp(name, "Name") || !strcmp(name, "Value"))) {
        out = value_cstr(name[0] == 'N' ? recv.u.pair.name : recv.u.pair.value);
        found = true;
    } else if (recv.kind == V_KV) {
        if (has_args(c))
            exec_fail(st, "%s is not a method but has arguments", name);
        out = value_cstr("");
        for (size_t i = 0; i < recv.u.kv->len; i++)
            if (!strcmp(recv.u.kv->names[i], name))
                out = value_cstr(recv.u.kv->values[i]);
        return out;
    }
    if (!found) {
        exec_fail(st, "can't evaluate field %s in type %s", name, value_type_name(&recv));
    }
    if (has_args(c))
        exec_fail(st, "%s has arguments but cannot be invoked as function", name);
    return out;
}

static struct value eval_field_chain(struct exec_state *st, struct value dot, struct value recv,
                                     const struct node *n, const char *const *idents,
                                     size_t len, const struct call *c)
{
    struct call none = {c->args, 1, NULL};
    (void)n; /* Go leaves the current node where evaluating the receiver left it */
    for (size_t i = 0; i + 1 < len; i++)
        recv = eval_field(st, dot, idents[i], &none, recv);
    return eval_field(st, dot, idents[len - 1], c, recv);
}

static void not_a_function(struct exec_state *st, const struct call *c)
{
    if (has_args(c)) {
        st->node = c->args[0];
        struct strbuf sb = STRBUF_INIT;
        node_string(c->args[0], &sb);
        char *s = strbuf_detach(&sb);
        struct strbuf m = STRBUF_INIT;
        strbuf_printf(&m, "can't give argument to non-function %s", s);
        free(s);
        char *msg = strbuf_detach(&m);
        char *copy = arena_strndup(&st->arena, msg, strlen(msg));
        free(msg);
        exec_fail(st, "%s", copy);
    }
}

static struct value eval_variable_node(struct exec_state *st, struct value dot,
                                       const struct node *n, const struct call *c)
{
    st->node = n;
    struct value v = var_find(st, n->u.field.idents[0])->v;
    if (n->u.field.len == 1) {
        not_a_function(st, c);
        return v;
    }
    return eval_field_chain(st, dot, v, n, n->u.field.idents + 1, n->u.field.len - 1, c);
}

static struct value eval_chain_node(struct exec_state *st, struct value dot, const struct node *n,
                                    const struct call *c)
{
    if (n->u.field.base->type == NODE_NIL) {
        st->node = n;
        exec_fail(st, "indirection through explicit nil in %s", "(nil)");
    }
    struct value base = eval_arg(st, dot, n->u.field.base);
    return eval_field_chain(st, dot, base, n, n->u.field.idents, n->u.field.len, c);
}

static struct value eval_and_or(struct exec_state *st, struct value dot, bool is_and,
                                const struct call *c)
{
    size_t total = c->nargs - 1 + (c->final ? 1 : 0);
    if (total < 1)
        exec_fail(st, "wrong number of args for %s: want at least 1 got 0", is_and ? "and" : "or");
    struct value v = {.kind = V_NIL};
    for (size_t i = 1; i <= total; i++) {
        v = i < c->nargs ? eval_arg(st, dot, c->args[i]) : *c->final;
        if (value_truth(&v) != is_and)
            return v;
    }
    return v;
}

/* A rejected argument: Go checks each as it is evaluated, so the error names
 * the node current then; literals get evalArg's own wording. */
static _Noreturn void type_fail(struct exec_state *st, const struct call *c, struct strbuf *err)
{
    const struct node *lit = NULL;
    if (st->bad_arg >= 0) {
        st->node = st->arg_nodes[st->bad_arg];
        if ((size_t)st->bad_arg + 1 < c->nargs)
            lit = c->args[st->bad_arg + 1];
    }
    if (lit && (lit->type == NODE_NUMBER || lit->type == NODE_BOOL ||
                lit->type == NODE_STRING || lit->type == NODE_NIL)) {
        struct strbuf ns = STRBUF_INIT;
        node_string(lit, &ns);
        strbuf_reset(err);
        if (lit->type == NODE_NIL)
            strbuf_printf(err, "cannot assign nil to %s", st->bad_want);
        else if (!strcmp(st->bad_want, "string") || !strcmp(st->bad_want, "bool"))
            strbuf_printf(err, "expected %s; found %s", st->bad_want, strbuf_cstr(&ns));
        else
            strbuf_printf(err, "can't handle %s for arg of type %s", strbuf_cstr(&ns),
                          st->bad_want);
        strbuf_free(&ns);
    }
    char *msg = arena_strndup(&st->arena, strbuf_cstr(err), err->len);
    strbuf_free(err);
    exec_fail(st, "%s", msg);
}

/* cmd is the node errors of the call itself name: the whole command, or the
 * identifier when the function is an argument. */
static struct value eval_function(struct exec_state *st, struct value dot, const struct node *id,
                                  const struct node *cmd, const struct call *c)
{
    st->node = id;
    const char *name = id->u.ident;
    if (!strcmp(name, "and") || !strcmp(name, "or"))
        return eval_and_or(st, dot, name[0] == 'a', c);
    const struct func_def *f = func_lookup(name, TEMPLATE_COMPAT_0_28);
    if (!f)
        exec_fail(st, "\"%s\" is not a defined function", name);
    size_t given = c->nargs - 1 + (c->final ? 1 : 0);
    if (f->max_args >= 0 && given != (size_t)f->max_args)
        exec_fail(st, "wrong number of args for %s: want %d got %zu", name, f->max_args, given);
    if (f->max_args < 0 && given < (size_t)f->min_args)
        exec_fail(st, "wrong number of args for %s: want at least %d got %zu", name,
                  f->min_args, c->nargs - 1);
    size_t n;
    struct value *args = call_args(st, dot, c, f->params, &n);
    struct value result = {.kind = V_NIL};
    struct strbuf err = STRBUF_INIT;
    st->bad_arg = -1;
    int rc = f->fn(st, args, n, &result, &err);
    if (rc == -2)
        type_fail(st, c, &err);
    if (rc < 0) {
        st->node = cmd;
        char *msg = arena_strndup(&st->arena, strbuf_cstr(&err), err.len);
        strbuf_free(&err);
        exec_fail(st, "error calling %s: %s", name, msg);
    }
    strbuf_free(&err);
    return result;
}

static struct value literal_value(const struct node *n, struct value dot)
{
    struct value v = {.kind = V_NIL};
    switch (n->type) {
    case NODE_DOT:
        return dot;
    case NODE_BOOL:
        v.kind = V_BOOL;
        v.u.b = n->u.boolean;
        break;
    case NODE_STRING:
        v = value_string(n->u.str.s, n->u.str.len);
        break;
    case NODE_NUMBER:
        if (n->u.num.is_float && !n->u.num.is_char && strpbrk(n->u.num.text, ".eEpP") &&
            !strpbrk(n->u.num.text, "xX")) {
            v.kind = V_FLOAT;
            v.u.f = n->u.num.f;
        } else if (n->u.num.is_int) {
            v.kind = V_INT;
            v.u.i = n->u.num.i;
        } else {
            v.kind = V_FLOAT;
            v.u.f = n->u.num.f;
        }
        break;
    default:
        break;
    }
    return v;
}

static struct value eval_arg(struct exec_state *st, struct value dot, const struct node *n)
{
    st->node = n;
    const struct node *self[1] = {n};
    struct call c = {self, 1, NULL};
    switch (n->type) {
    case NODE_FIELD:
        return eval_field_chain(st, dot, dot, n, n->u.field.idents, n->u.field.len, &c);
    case NODE_VARIABLE:
        return eval_variable_node(st, dot, n, &c);
    case NODE_PIPE:
        return eval_pipeline(st, dot, n);
    case NODE_IDENT:
        return eval_function(st, dot, n, n, &c);
    case NODE_CHAIN:
        return eval_chain_node(st, dot, n, &c);
    default:
        return literal_value(n, dot);
    }
}

static struct value eval_command(struct exec_state *st, struct value dot, const struct node *cmd,
                                 const struct value *final)
{
    const struct node *first = cmd->u.cmd.args[0];
    struct call c = {(const struct node *const *)cmd->u.cmd.args, cmd->u.cmd.len, final};
    st->node = first;
    switch (first->type) {
    case NODE_FIELD:
        return eval_field_chain(st, dot, dot, first, first->u.field.idents, first->u.field.len,
                                &c);
    case NODE_CHAIN:
        return eval_chain_node(st, dot, first, &c);
    case NODE_IDENT:
        return eval_function(st, dot, first, cmd, &c);
    case NODE_PIPE:
        not_a_function(st, &c);
        return eval_pipeline(st, dot, first);
    case NODE_VARIABLE:
        return eval_variable_node(st, dot, first, &c);
    default:
        break;
    }
    not_a_function(st, &c);
    if (first->type == NODE_NIL)
        exec_fail(st, "nil is not a command");
    return literal_value(first, dot);
}

static void set_var(struct exec_state *st, const char *name, struct value v)
{
    var_find(st, name)->v = v;
}

/* The value of the pipeline's first ncmds commands. */
static struct value eval_commands(struct exec_state *st, struct value dot, const struct node *pipe,
                                  size_t ncmds)
{
    st->node = pipe;
    struct value v = {.kind = V_NIL};
    for (size_t i = 0; i < ncmds; i++) {
        struct value prev = v;
        v = eval_command(st, dot, pipe->u.pipe.cmds[i], i ? &prev : NULL);
    }
    return v;
}

static struct value eval_pipeline(struct exec_state *st, struct value dot, const struct node *pipe)
{
    struct value v = eval_commands(st, dot, pipe, pipe->u.pipe.n_cmds);
    for (size_t i = 0; i < pipe->u.pipe.n_decls; i++) {
        const char *name = pipe->u.pipe.decls[i]->u.field.idents[0];
        if (pipe->u.pipe.is_assign)
            set_var(st, name, v);
        else
            var_push(st, name, v);
    }
    return v;
}

/* ---- walking ---- */

static int walk(struct exec_state *st, struct value dot, const struct node *n);

static void check_output(struct exec_state *st)
{
    if (st->out->len - st->out_start > TEMPLATE_MAX_OUTPUT)
        exec_fail(st, "output exceeds %u bytes", TEMPLATE_MAX_OUTPUT);
}

static int walk_if_with(struct exec_state *st, struct value dot, const struct node *n)
{
    size_t mark = st->n_vars;
    struct value v = eval_pipeline(st, dot, n->u.ctl.pipe);
    int rc = WALK_OK;
    if (value_truth(&v))
        rc = walk(st, n->type == NODE_WITH ? v : dot, n->u.ctl.list);
    else if (n->u.ctl.else_list)
        rc = walk(st, dot, n->u.ctl.else_list);
    st->n_vars = mark;
    return rc;
}

static void range_set_vars(struct exec_state *st, const struct node *pipe, struct value idx,
                           struct value elem)
{
    size_t nd = pipe->u.pipe.n_decls;
    if (nd == 0)
        return;
    if (pipe->u.pipe.is_assign) {
        set_var(st, pipe->u.pipe.decls[0]->u.field.idents[0], nd > 1 ? idx : elem);
        if (nd > 1)
            set_var(st, pipe->u.pipe.decls[1]->u.field.idents[0], elem);
        return;
    }
    st->vars[st->n_vars - 1].v = elem;
    if (nd > 1)
        st->vars[st->n_vars - 2].v = idx;
}

static size_t range_len(struct exec_state *st, const struct value *v)
{
    switch (v->kind) {
    case V_LIST:
    case V_PAIRS:
        return v->u.list.len;
    case V_ALERTS:
        return v->u.alerts.len;
    case V_KV:
        return v->u.kv->len;
    case V_NIL:
        return 0;
    default: { /* ints too: range over int is Go 1.22, after 0.25's */
        struct strbuf sb = STRBUF_INIT;
        value_print(v, &sb);
        char *s = arena_strndup(&st->arena, strbuf_cstr(&sb), sb.len);
        strbuf_free(&sb);
        exec_fail(st, "range can't iterate over %s", s);
    }
    }
}

static void range_elem(const struct value *v, size_t i, struct value *idx, struct value *elem)
{
    idx->kind = V_INT;
    idx->u.i = (int64_t)i;
    switch (v->kind) {
    case V_LIST:
    case V_PAIRS:
        *elem = v->u.list.items[i];
        break;
    case V_ALERTS:
        elem->kind = V_ALERT;
        elem->u.alert = v->u.alerts.items[i];
        break;
    case V_KV:
        *idx = value_cstr(v->u.kv->names[i]);
        *elem = value_cstr(v->u.kv->values[i]);
        break;
    default:
        *elem = *idx;
        break;
    }
}

static int walk_range(struct exec_state *st, struct value dot, const struct node *n)
{
    size_t outer = st->n_vars;
    struct value v = eval_pipeline(st, dot, n->u.ctl.pipe);
    size_t mark = st->n_vars;
    size_t len = range_len(st, &v);
    for (size_t i = 0; i < len; i++) {
        struct value idx, elem;
        range_elem(&v, i, &idx, &elem);
        range_set_vars(st, n->u.ctl.pipe, idx, elem);
        int rc = walk(st, elem, n->u.ctl.list);
        st->n_vars = mark;
        if (rc == WALK_BREAK)
            break;
    }
    if (len == 0 && n->u.ctl.else_list) {
        int rc = walk(st, dot, n->u.ctl.else_list);
        st->n_vars = outer;
        return rc;
    }
    st->n_vars = outer;
    return WALK_OK;
}

static const struct tree *find_tree(const struct exec_state *st, const char *name);

static int walk_template(struct exec_state *st, struct value dot, const struct node *n)
{
    st->node = n;
    const struct tree *t = find_tree(st, n->u.tmpl.name);
    if (!t)
        exec_fail(st, "template \"%s\" not defined", n->u.tmpl.name);
    if (st->depth >= TEMPLATE_MAX_DEPTH)
        exec_fail(st, "exceeded maximum template depth (%d)", TEMPLATE_MAX_DEPTH);
    struct value newdot = {.kind = V_NIL};
    if (n->u.tmpl.pipe)
        newdot = eval_pipeline(st, dot, n->u.tmpl.pipe);
    size_t saved_base = st->var_base, saved_n = st->n_vars;
    const struct tree *saved_tmpl = st->tmpl;
    st->var_base = st->n_vars;
    var_push(st, "$", newdot);
    st->tmpl = t;
    st->depth++;
    walk(st, newdot, t->root);
    st->depth--;
    st->tmpl = saved_tmpl;
    st->var_base = saved_base;
    st->n_vars = saved_n;
    return WALK_OK;
}

static void print_action(struct exec_state *st, const struct value *v)
{
    if (v->kind == V_NIL)
        strbuf_puts(st->out, "<no value>");
    else
        value_print(v, st->out);
    check_output(st);
}

/* Runs a text/template function on one value (html, urlquery). */
static struct value call_builtin(struct exec_state *st, const char *name, struct value v)
{
    struct value res = {.kind = V_NIL};
    struct strbuf err = STRBUF_INIT;
    func_lookup(name, TEMPLATE_COMPAT_0_25)->fn(st, &v, 1, &res, &err);
    strbuf_free(&err);
    return res;
}

/* A trailing html or urlquery in an action replaces the escaper it is
 * equivalent to (Go's ensurePipelineContains); returns the value before it. */
static struct value html_action_value(struct exec_state *st, struct value dot,
                                      const struct node *pipe, int *esc, bool inserted[2])
{
    size_t ncmd = pipe->u.pipe.n_cmds;
    const struct node *last = pipe->u.pipe.cmds[ncmd - 1];
    const struct node *head = last->u.cmd.args[0];
    *esc = -1;
    if (head->type == NODE_IDENT && (!strcmp(head->u.ident, "html") ||
                                     !strcmp(head->u.ident, "urlquery")))
        *esc = head->u.ident[0] == 'h';
    if (*esc >= 0 && ncmd == 1 && last->u.cmd.len == 1)
        *esc = -1;
    size_t evaluated = *esc >= 0 ? ncmd - 1 : ncmd;
    for (size_t i = 0; i < evaluated; i++) {
        const struct node *h = pipe->u.pipe.cmds[i]->u.cmd.args[0];
        if (h->type == NODE_IDENT && !strcmp(h->u.ident, "html"))
            inserted[1] = true;
        if (h->type == NODE_IDENT && !strcmp(h->u.ident, "urlquery"))
            inserted[0] = true;
    }
    if (*esc >= 0 && ncmd == 1) {
        /* {{html a b}} is {{_eval_args_ a b | html}} */
        struct call c = {(const struct node *const *)last->u.cmd.args, last->u.cmd.len, NULL};
        size_t n;
        struct value *args = call_args(st, dot, &c, NULL, &n);
        struct strbuf sb = STRBUF_INIT;
        if (n == 1 && (args[0].kind == V_STRING || args[0].kind == V_HTML))
            strbuf_add(&sb, args[0].u.str.s, args[0].u.str.len);
        else
            go_sprint(args, n, false, &sb);
        struct value v = value_string(arena_strndup(&st->arena, strbuf_cstr(&sb), sb.len), sb.len);
        strbuf_free(&sb);
        return v;
    }
    return eval_commands(st, dot, pipe, evaluated);
}

static const struct tree *lookup_tree(const void *ctx, const char *name)
{
    return find_tree(ctx, name);
}

static void html_action(struct exec_state *st, struct value dot, const struct node *n)
{
    int esc;
    bool inserted[2] = {false, false}; /* urlquery, html */
    struct value v = html_action_value(st, dot, n->u.ctl.pipe, &esc, inserted);
    enum html_esc escs[4];
    size_t ne = html_escapers(&st->hctx, escs);
    bool replaces = false;
    for (size_t i = 0; i < ne; i++)
        replaces |= esc >= 0 && html_esc_equiv(escs[i], esc == 1);
    if (esc >= 0 && !replaces) {
        /* It stays where it was written, at the end of the pipeline. */
        v = call_builtin(st, esc == 1 ? "html" : "urlquery", v);
        inserted[esc] = true;
        esc = -1;
    }
    for (size_t i = 0; i < ne; i++) {
        bool predef = esc >= 0 && html_esc_equiv(escs[i], esc == 1);
        if (predef) {
            v = call_builtin(st, esc == 1 ? "html" : "urlquery", v);
            continue;
        }
        bool as_html = html_esc_equiv(escs[i], true), as_url = html_esc_equiv(escs[i], false);
        if ((as_html && inserted[1]) || (as_url && inserted[0]))
            continue;
        struct strbuf sb = STRBUF_INIT;
        html_escape(escs[i], &v, &sb);
        v = value_string(arena_strndup(&st->arena, strbuf_cstr(&sb), sb.len), sb.len);
        strbuf_free(&sb);
    }
    value_print(&v, st->out);
    check_output(st);
}

#define WALK_MAX_DEPTH 8000

static int walk_node(struct exec_state *st, struct value dot, const struct node *n);

static int walk(struct exec_state *st, struct value dot, const struct node *n)
{
    if (++st->walk_depth > WALK_MAX_DEPTH) {
        st->node = n;
        exec_fail(st, "exceeded maximum nesting depth (%d)", WALK_MAX_DEPTH);
    }
    int rc = walk_node(st, dot, n);
    st->walk_depth--;
    return rc;
}

static int walk_node(struct exec_state *st, struct value dot, const struct node *n)
{
    st->node = n;
    switch (n->type) {
    case NODE_ACTION: {
        if (st->html && n->u.ctl.pipe->u.pipe.n_decls == 0) {
            html_action(st, dot, n);
            return WALK_OK;
        }
        struct value v = eval_pipeline(st, dot, n->u.ctl.pipe);
        if (n->u.ctl.pipe->u.pipe.n_decls == 0)
            print_action(st, &v);
        return WALK_OK;
    }
    case NODE_BREAK:
        return WALK_BREAK;
    case NODE_CONTINUE:
        return WALK_CONTINUE;
    case NODE_IF:
    case NODE_WITH:
        return walk_if_with(st, dot, n);
    case NODE_LIST:
        for (size_t i = 0; i < n->u.list.len; i++) {
            int rc = walk(st, dot, n->u.list.items[i]);
            if (rc != WALK_OK)
                return rc;
        }
        return WALK_OK;
    case NODE_RANGE:
        return walk_range(st, dot, n);
    case NODE_TEMPLATE:
        return walk_template(st, dot, n);
    case NODE_TEXT:
        if (st->html)
            html_text(&st->hctx, n->u.text.s, n->u.text.len, st->out);
        else
            strbuf_add(st->out, n->u.text.s, n->u.text.len);
        check_output(st);
        return WALK_OK;
    default:
        exec_fail(st, "unknown node");
    }
}

/* ---- the set ---- */

struct template_set {
    struct arena arena;
    enum template_compat compat;
    struct hmap trees; /* name -> struct tree * */
};

static const struct tree *find_tree(const struct exec_state *st, const char *name)
{
    if (st->overlay)
        for (size_t i = 0; i < st->overlay->len; i++)
            if (!strcmp(st->overlay->trees[i]->name, name))
                return st->overlay->trees[i];
    return hmap_get_str(&st->set->trees, name);
}

struct template_set *template_set_new(enum template_compat compat)
{
    struct template_set *set = xcalloc(1, sizeof *set);
    set->compat = compat;
    return set;
}

void template_set_free(struct template_set *set)
{
    if (!set)
        return;
    hmap_free(&set->trees);
    arena_free(&set->arena);
    free(set);
}

static bool set_func_known(const char *name, void *ctx)
{
    const struct template_set *set = ctx;
    return func_lookup(name, set->compat) != NULL;
}

int template_set_parse(struct template_set *set, const char *name, const char *text, char **err)
{
    struct parse_result r = {NULL, 0};
    if (parse_text(&set->arena, name, text, set_func_known, set, &r, err) < 0)
        return -1;
    for (size_t i = 0; i < r.len; i++) {
        struct tree *old = hmap_get_str(&set->trees, r.trees[i]->name);
        if (old && tree_is_empty(r.trees[i]) && !tree_is_empty(old))
            continue;
        hmap_put(&set->trees, r.trees[i]->name, strlen(r.trees[i]->name), r.trees[i]);
    }
    return 0;
}

int template_set_parse_file(struct template_set *set, const char *path, char **err)
{
    char *text;
    size_t len;
    int rc = file_read_all(path, &text, &len);
    if (rc < 0) {
        *err = xasprintf("open %s: %s", path, strerror(-rc));
        return -1;
    }
    const char *base = strrchr(path, '/');
    rc = template_set_parse(set, base ? base + 1 : path, text, err);
    free(text);
    return rc;
}

bool template_set_has(const struct template_set *set, const char *name)
{
    return hmap_get_str(&set->trees, name) != NULL;
}

static int execute_tree(const struct template_set *set, const struct parse_result *overlay,
                        const struct tree *t, const struct template_data *data, bool html,
                        struct strbuf *out, char **err)
{
    struct exec_state *st = xcalloc(1, sizeof *st);
    st->html = html;
    st->set = set;
    st->overlay = overlay;
    st->out = out;
    st->out_start = out->len;
    st->tmpl = t;
    struct value dot = {.kind = V_NIL};
    if (data) {
        dot.kind = V_DATA;
        dot.u.data = data;
    }
    int rc = 0;
    if (setjmp(st->jmp) == 0) {
        var_push(st, "$", dot);
        if (html) {
            char *herr = html_check(t, lookup_tree, st);
            if (herr) {
                st->err = herr;
                longjmp(st->jmp, 1);
            }
        }
        walk(st, dot, t->root);
    } else {
        *err = st->err;
        rc = -1;
    }
    free(st->vars);
    arena_free(&st->arena);
    free(st);
    return rc;
}

static int execute_named(const struct template_set *set, const char *name,
                         const struct template_data *data, bool html, struct strbuf *out,
                         char **err)
{
    const struct tree *t = hmap_get_str(&set->trees, name);
    if (!t) {
        *err = xasprintf("template: no template \"%s\" associated with template \"\"", name);
        return -1;
    }
    return execute_tree(set, NULL, t, data, html, out, err);
}

static int execute_inline(const struct template_set *set, const char *text,
                          const struct template_data *data, bool html, struct strbuf *out,
                          char **err)
{
    struct arena arena = ARENA_INIT;
    struct parse_result r = {NULL, 0};
    int rc = parse_text(&arena, "", text, set_func_known, (void *)set, &r, err);
    if (rc == 0) {
        const struct tree *top = NULL;
        for (size_t i = 0; i < r.len; i++)
            if (!strcmp(r.trees[i]->name, ""))
                top = r.trees[i];
        rc = top ? execute_tree(set, &r, top, data, html, out, err) : 0;
    }
    arena_free(&arena);
    return rc;
}

int template_execute(const struct template_set *set, const char *name,
                     const struct template_data *data, struct strbuf *out, char **err)
{
    return execute_named(set, name, data, false, out, err);
}

int template_execute_text(const struct template_set *set, const char *text,
                          const struct template_data *data, struct strbuf *out, char **err)
{
    return execute_inline(set, text, data, false, out, err);
}

int template_execute_html(const struct template_set *set, const char *name,
                          const struct template_data *data, struct strbuf *out, char **err)
{
    return execute_named(set, name, data, true, out, err);
}

int template_execute_html_text(const struct template_set *set, const char *text,
                               const struct template_data *data, struct strbuf *out,
                               char **err)
{
    return execute_inline(set, text, data, true, out, err);
}
