/*
 * html/template's escaping pass, as far as it can reject a template: Go walks
 * every template reachable from the executed one, in the HTML context each
 * point is reached in, before executing anything.  This walk reports the same
 * errors for the cases chorus models: html/urlquery used before the end of a
 * pipeline, html ending one in an unquoted attribute, branches (and range
 * re-entry) ending in different contexts, actions in an ambiguous URL part
 * and a template ending outside HTML text.  An error travels with the context
 * like Go's stateError: a later disallowed escaper replaces it, a branch join
 * keeps the first branch's.  Malformed-HTML errors are not modelled.
 */
#include "template/internal.h"

#include <stdio.h>
#include <stdlib.h>

struct cctx {
    struct html_ctx h;
    const char *loc;  /* error in force: "file:line:col" or NULL */
    const char *desc; /* its description */
};

struct visit {
    const struct tree *tree;
    struct html_ctx in, out;
    bool done;
};

struct checker {
    tree_lookup_fn lookup;
    const void *lookup_ctx;
    struct arena arena;
    struct visit *visits;
    size_t n_visits, cap_visits;
    struct strbuf scratch;
};

static void set_err(struct checker *k, struct cctx *c, const struct node *at, const char *desc)
{
    struct strbuf sb = STRBUF_INIT;
    node_location(at, &sb);
    c->loc = arena_strndup(&k->arena, sb.buf, sb.len);
    c->desc = arena_strndup(&k->arena, desc, strlen(desc));
    strbuf_free(&sb);
}

static bool ctx_eq(const struct html_ctx *a, const struct html_ctx *b)
{
    return a->state == b->state && a->delim == b->delim && a->url_part == b->url_part &&
           a->attr == b->attr && a->element == b->element && a->quote == b->quote &&
           a->in_class == b->in_class && a->in_block_cmt == b->in_block_cmt &&
           a->in_line_cmt == b->in_line_cmt && a->js_ctx == b->js_ctx;
}

static struct cctx join(struct checker *k, struct cctx a, struct cctx b, const struct node *n,
                        const char *name)
{
    if (a.loc)
        return a;
    if (b.loc)
        return b;
    if (ctx_eq(&a.h, &b.h))
        return a;
    struct cctx c = a;
    c.h.url_part = b.h.url_part;
    if (ctx_eq(&c.h, &b.h)) {
        c.h.url_part = HU_UNKNOWN;
        return c;
    }
    c = a;
    c.h.js_ctx = b.h.js_ctx;
    if (ctx_eq(&c.h, &b.h)) {
        c.h.js_ctx = JS_UNKNOWN;
        return c;
    }
    struct cctx na = a, nb = b;
    html_nudge(&na.h);
    html_nudge(&nb.h);
    if (!ctx_eq(&na.h, &a.h) || !ctx_eq(&nb.h, &b.h)) {
        struct cctx e = join(k, na, nb, n, name);
        if (!e.loc)
            return e;
    }
    struct strbuf d = STRBUF_INIT;
    strbuf_printf(&d, "{{%s}} branches end in different contexts: ", name);
    html_ctx_format(&a.h, &d);
    strbuf_puts(&d, ", ");
    html_ctx_format(&b.h, &d);
    set_err(k, &c, n, d.buf);
    strbuf_free(&d);
    return c;
}

static const char *misused_escaper(const struct node *pipe)
{
    for (size_t i = 0; i + 1 < pipe->u.pipe.n_cmds; i++) {
        const struct node *h = pipe->u.pipe.cmds[i]->u.cmd.args[0];
        if (h->type == NODE_IDENT && (!strcmp(h->u.ident, "html") ||
                                      !strcmp(h->u.ident, "urlquery")))
            return h->u.ident;
    }
    return NULL;
}

static void check_action(struct checker *k, const struct node *n, struct cctx *c)
{
    const struct node *pipe = n->u.ctl.pipe;
    if (pipe->u.pipe.n_decls)
        return;
    char desc[128];
    const char *esc = misused_escaper(pipe);
    if (!c->loc)
        html_nudge(&c->h);
    const struct node *last = pipe->u.pipe.cmds[pipe->u.pipe.n_cmds - 1]->u.cmd.args[0];
    if (!esc && !c->loc && c->h.state == HS_ATTR && c->h.delim == HD_SPACE &&
        last->type == NODE_IDENT && !strcmp(last->u.ident, "html"))
        esc = "html";
    if (esc) {
        snprintf(desc, sizeof desc, "predefined escaper \"%s\" disallowed in template", esc);
        set_err(k, c, n, desc);
        return;
    }
    if (!c->loc && c->h.state == HS_JS && !c->h.quote && !c->h.in_block_cmt &&
        !c->h.in_line_cmt)
        c->h.js_ctx = JS_DIVOP; /* a value was written */
    if (!c->loc && c->h.state == HS_URL && c->h.url_part == HU_UNKNOWN) {
        struct strbuf d = STRBUF_INIT;
        node_string(n, &d);
        strbuf_puts(&d, " appears in an ambiguous context within a URL");
        set_err(k, c, n, d.buf);
        strbuf_free(&d);
    }
}

static struct cctx walk(struct checker *k, const struct node *n, struct cctx c);

static struct cctx walk_call(struct checker *k, const struct node *n, struct cctx c)
{
    const struct tree *t = k->lookup(k->lookup_ctx, n->u.tmpl.name);
    if (!t)
        return c;
    for (size_t i = 0; i < k->n_visits; i++) {
        struct visit *v = &k->visits[i];
        if (v->tree == t && ctx_eq(&v->in, &c.h) && !c.loc) {
            c.h = v->done ? v->out : v->in; /* recursion: assume unchanged */
            return c;
        }
    }
    if (c.loc) /* in an error, only later escaper misuse matters: walk once */
        for (size_t i = 0; i < k->n_visits; i++)
            if (k->visits[i].tree == t)
                return c;
    if (k->n_visits == k->cap_visits) {
        k->cap_visits = k->cap_visits ? k->cap_visits * 2 : 16;
        k->visits = xrealloc(k->visits, k->cap_visits * sizeof *k->visits);
    }
    size_t idx = k->n_visits++;
    k->visits[idx] = (struct visit){t, c.h, c.h, false};
    c = walk(k, t->root, c);
    k->visits[idx].out = c.h;
    k->visits[idx].done = true;
    return c;
}

static struct cctx walk_range(struct checker *k, const struct node *n, struct cctx c)
{
    struct cctx c0 = walk(k, n->u.ctl.list, c);
    if (c0.loc)
        return c0;
    struct cctx again = walk(k, n->u.ctl.list, c0);
    struct cctx j = join(k, c0, again, n, "range");
    if (j.loc) {
        struct strbuf d = STRBUF_INIT;
        strbuf_printf(&d, "on range loop re-entry: %s", j.desc);
        j.desc = arena_strndup(&k->arena, d.buf, d.len);
        strbuf_reset(&d);
        if (!*j.loc) { /* no node: Go names the template and the range's line */
            strbuf_printf(&d, "%s:%d", n->tree->name, n->line);
            j.loc = arena_strndup(&k->arena, d.buf, d.len);
        }
        strbuf_free(&d);
        return j;
    }
    return join(k, j, walk(k, n->u.ctl.else_list, c), n, "range");
}

static struct cctx walk(struct checker *k, const struct node *n, struct cctx c)
{
    if (!n)
        return c;
    switch (n->type) {
    case NODE_LIST:
        for (size_t i = 0; i < n->u.list.len; i++)
            c = walk(k, n->u.list.items[i], c);
        return c;
    case NODE_TEXT:
        if (!c.loc) {
            html_text(&c.h, n->u.text.s, n->u.text.len, &k->scratch);
            strbuf_reset(&k->scratch);
            if (c.h.bad) { /* malformed HTML: an error without a node */
                c.loc = "";
                c.desc = arena_strndup(&k->arena, c.h.badmsg, strlen(c.h.badmsg));
                c.h.bad = false;
            }
        }
        return c;
    case NODE_ACTION:
        check_action(k, n, &c);
        return c;
    case NODE_IF:
    case NODE_WITH:
        return join(k, walk(k, n->u.ctl.list, c), walk(k, n->u.ctl.else_list, c), n,
                    n->type == NODE_IF ? "if" : "with");
    case NODE_RANGE:
        return walk_range(k, n, c);
    case NODE_TEMPLATE:
        return walk_call(k, n, c);
    default:
        return c;
    }
}

char *html_check(const struct tree *t, tree_lookup_fn lookup, const void *lookup_ctx)
{
    struct checker k = {lookup, lookup_ctx, ARENA_INIT, NULL, 0, 0, STRBUF_INIT};
    struct cctx c = {{0}, NULL, NULL};
    c = walk(&k, t->root, c);
    char *err = NULL;
    if (c.loc && !*c.loc) {
        err = xasprintf("html/template: %s", c.desc);
    } else if (c.loc) {
        err = xasprintf("html/template:%s: %s", c.loc, c.desc);
    } else if (c.h.state != HS_TEXT) {
        struct strbuf d = STRBUF_INIT;
        strbuf_puts(&d, "html/template:");
        strbuf_puts(&d, t->name[0] ? t->name : " ");
        if (t->name[0])
            strbuf_puts(&d, ": ");
        strbuf_puts(&d, "ends in a non-text context: ");
        html_ctx_format(&c.h, &d);
        err = strbuf_detach(&d);
    }
    free(k.visits);
    strbuf_free(&k.scratch);
    arena_free(&k.arena);
    return err;
}
