/*
 * Parser for Go's text/template: builds the node tree from lexer items with
 * the same grammar, lookahead and error texts as Go's text/template/parse, so
 * that a broken operator template is rejected with the message Alertmanager
 * would give.  Errors unwind with longjmp; everything lives in the arena.
 */
#include "template/internal.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

struct parser {
    struct arena *arena;
    struct lexer *lx;
    const char *file;
    const char *text;
    struct item token[3];
    int peek_count;
    const char **vars;
    size_t n_vars, cap_vars;
    int range_depth;
    int depth; /* nesting of pipelines and control structures */
    int action_line;
    func_known_fn known;
    void *known_ctx;
    struct tree *tree; /* tree being built */
    struct parse_result *out;
    jmp_buf jmp;
    char *err;
};

static _Noreturn void parse_fail(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static _Noreturn void parse_fail(struct parser *p, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_printf(&sb, "template: %s:%d: ", p->file, p->token[0].line);
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    p->err = strbuf_detach(&sb);
    longjmp(p->jmp, 1);
}

static void vec_push(struct arena *a, void *vecp, size_t *len, size_t *cap, void *item)
{
    void ***vec = vecp;
    if (*len == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        void **n = arena_alloc(a, ncap * sizeof *n);
        if (*len)
            memcpy(n, *vec, *len * sizeof *n);
        *vec = n;
        *cap = ncap;
    }
    (*vec)[(*len)++] = item;
}

/* ---- token stream, with Go's three-token pushback ---- */

static struct item next(struct parser *p)
{
    if (p->peek_count > 0)
        p->peek_count--;
    else
        p->token[0] = lexer_next(p->lx);
    return p->token[p->peek_count];
}

static void backup(struct parser *p)
{
    p->peek_count++;
}

static void backup2(struct parser *p, struct item t1)
{
    p->token[1] = t1;
    p->peek_count = 2;
}

static void backup3(struct parser *p, struct item t2, struct item t1)
{
    p->token[1] = t1;
    p->token[2] = t2;
    p->peek_count = 3;
}

static struct item peek(struct parser *p)
{
    if (p->peek_count > 0)
        return p->token[p->peek_count - 1];
    p->peek_count = 1;
    p->token[0] = lexer_next(p->lx);
    return p->token[0];
}

static struct item next_non_space(struct parser *p)
{
    struct item t;
    do
        t = next(p);
    while (t.type == ITEM_SPACE);
    return t;
}

static struct item peek_non_space(struct parser *p)
{
    struct item t = next_non_space(p);
    backup(p);
    return t;
}

static bool is_keyword(enum item_type t)
{
    return t >= ITEM_BLOCK;
}

/* Go's item.String(). */
static void item_describe(const struct item *it, struct strbuf *sb)
{
    if (it->type == ITEM_EOF)
        strbuf_puts(sb, "EOF");
    else if (it->type == ITEM_ERROR)
        strbuf_add(sb, it->val, it->len);
    else if ((is_keyword(it->type) && it->type != ITEM_BOOL) || it->type == ITEM_DOT)
        strbuf_printf(sb, "<%.*s>", (int)it->len, it->val);
    else {
        char *s = xstrndup(it->val, it->len > 10 ? 10 : it->len);
        strbuf_go_quote(sb, s);
        free(s);
        if (it->len > 10)
            strbuf_puts(sb, "...");
    }
}

static _Noreturn void unexpected(struct parser *p, struct item tok, const char *context)
{
    struct strbuf sb = STRBUF_INIT;
    if (tok.type == ITEM_ERROR) {
        strbuf_add(&sb, tok.val, tok.len);
        if (p->action_line && p->action_line != tok.line) {
            bool action = sb.len >= 7 && !strcmp(sb.buf + sb.len - 7, " action");
            strbuf_printf(&sb, "%s started at %s:%d", action ? "" : " in action", p->file,
                          p->action_line);
        }
    } else {
        strbuf_puts(&sb, "unexpected ");
        item_describe(&tok, &sb);
        strbuf_printf(&sb, " in %s", context);
    }
    char *msg = strbuf_detach(&sb);
    p->err = NULL;
    struct strbuf full = STRBUF_INIT;
    strbuf_printf(&full, "template: %s:%d: %s", p->file, p->token[0].line, msg);
    free(msg);
    p->err = strbuf_detach(&full);
    longjmp(p->jmp, 1);
}

static struct item expect(struct parser *p, enum item_type type, const char *context)
{
    struct item t = next_non_space(p);
    if (t.type != type)
        unexpected(p, t, context);
    return t;
}

/* ---- nodes ---- */

static struct node *new_node(struct parser *p, enum node_type type, size_t pos, int line)
{
    struct node *n = arena_alloc(p->arena, sizeof *n);
    n->type = type;
    n->pos = pos;
    n->line = line;
    n->tree = p->tree;
    return n;
}

static void list_append(struct parser *p, struct node *list, struct node *n)
{
    size_t cap = list->u.list.len; /* grow on powers of two */
    size_t real_cap = 0;
    if (cap)
        for (real_cap = 4; real_cap < cap; real_cap *= 2)
            ;
    if (cap < 4)
        real_cap = cap ? 4 : 0;
    vec_push(p->arena, &list->u.list.items, &list->u.list.len, &real_cap, n);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* One escape after a backslash at s[*i]; returns false when malformed. */
static bool unescape_one(const char *s, size_t n, size_t *i, char q, struct strbuf *out)
{
    static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v\\\\";
    char c = s[(*i)++];
    const char *m = strchr(simple, c);
    if (c && m && ((m - simple) % 2) == 0) {
        strbuf_putc(out, m[1]);
        return true;
    }
    if (c == q) {
        strbuf_putc(out, c);
        return true;
    }
    int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
    if (digits) {
        uint32_t v = 0;
        for (int k = 0; k < digits; k++, (*i)++) {
            if (*i >= n || hexval(s[*i]) < 0)
                return false;
            v = v * 16 + (uint32_t)hexval(s[*i]);
        }
        if (c == 'x')
            strbuf_putc(out, (char)v);
        else if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            return false;
        else
            utf8_put(out, v);
        return true;
    }
    if (c >= '0' && c <= '7') {
        uint32_t v = (uint32_t)(c - '0');
        for (int k = 0; k < 2; k++, (*i)++) {
            if (*i >= n || s[*i] < '0' || s[*i] > '7')
                return false;
            v = v * 8 + (uint32_t)(s[*i] - '0');
        }
        if (v > 255)
            return false;
        strbuf_putc(out, (char)v);
        return true;
    }
    return false;
}

/* strconv.Unquote for "..." and `...`; -1 on malformed input. */
static int unquote(const char *s, size_t n, struct strbuf *out)
{
    if (n < 2 || s[n - 1] != s[0])
        return -1;
    if (s[0] == '`') {
        for (size_t i = 1; i + 1 < n; i++)
            if (s[i] != '\r')
                strbuf_putc(out, s[i]);
        return 0;
    }
    for (size_t i = 1; i + 1 < n;) {
        if (s[i] == '\\') {
            i++;
            if (!unescape_one(s, n - 1, &i, s[0], out))
                return -1;
        } else {
            strbuf_putc(out, s[i++]);
        }
    }
    return 0;
}

static bool parse_char_constant(const char *s, size_t n, int64_t *out)
{
    struct strbuf sb = STRBUF_INIT;
    bool ok = n >= 3;
    if (ok && s[1] == '\\') {
        size_t i = 2;
        ok = unescape_one(s, n - 1, &i, '\'', &sb) && i == n - 1;
        if (ok && sb.len && (s[2] == 'x' || (s[2] >= '0' && s[2] <= '7'))) {
            *out = (unsigned char)sb.buf[0];
            strbuf_free(&sb);
            return true;
        }
    } else if (ok) {
        strbuf_add(&sb, s + 1, n - 2);
    }
    if (ok && sb.len) {
        size_t used;
        *out = utf8_get(sb.buf, sb.len, &used);
        ok = used == sb.len;
    } else {
        ok = false;
    }
    strbuf_free(&sb);
    return ok;
}

static bool parse_int_text(const char *clean, int64_t *out)
{
    const char *s = clean;
    bool neg = false;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    int base = 10;
    if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        base = 2, s += 2;
    else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
        base = 8, s += 2;
    else if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, s += 2;
    else if (s[0] == '0' && s[1])
        base = 8, s += 1;
    if (!*s || *s == '+' || *s == '-')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, base);
    if (*end || errno)
        return false;
    if (v > (unsigned long long)INT64_MAX + (neg ? 1 : 0))
        return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static struct node *new_number(struct parser *p, struct item tok)
{
    struct node *n = new_node(p, NODE_NUMBER, tok.pos, tok.line);
    n->u.num.text = arena_strndup(p->arena, tok.val, tok.len);
    if (tok.type == ITEM_CHAR) {
        int64_t r;
        if (!parse_char_constant(tok.val, tok.len, &r))
            parse_fail(p, "malformed character constant: %s", n->u.num.text);
        n->u.num.is_int = n->u.num.is_float = n->u.num.is_char = true;
        n->u.num.i = r;
        n->u.num.f = (double)r;
        return n;
    }
    char *clean = arena_alloc(p->arena, tok.len + 1);
    for (size_t i = 0, j = 0; i < tok.len; i++)
        if (tok.val[i] != '_')
            clean[j++] = tok.val[i];
    if (tok.val[tok.len - 1] == 'i')
        parse_fail(p, "complex numbers are not supported: \"%s\"", n->u.num.text);
    if (parse_int_text(clean, &n->u.num.i)) {
        n->u.num.is_int = n->u.num.is_float = true;
        n->u.num.f = (double)n->u.num.i;
        return n;
    }
    char *end;
    errno = 0;
    double f = strtod(clean, &end);
    bool hex = strchr(clean, 'x') || strchr(clean, 'X');
    if (*end || errno == ERANGE || !*clean || (hex && !strpbrk(clean, "pP")))
        parse_fail(p, "illegal number syntax: \"%s\"", n->u.num.text);
    n->u.num.is_float = true;
    n->u.num.f = f;
    if (f == trunc(f) && fabs(f) < 9.2e18) {
        n->u.num.is_int = true;
        n->u.num.i = (int64_t)f;
    }
    return n;
}

/* ---- grammar ---- */

static struct node *pipeline(struct parser *p, const char *context, enum item_type end);
static struct node *item_list(struct parser *p, struct node **end_out);
static struct node *text_or_action(struct parser *p);

static bool has_var(struct parser *p, const char *name, size_t len)
{
    for (size_t i = p->n_vars; i-- > 0;)
        if (strlen(p->vars[i]) == len && !memcmp(p->vars[i], name, len))
            return true;
    return false;
}

static void push_var(struct parser *p, const char *name)
{
    vec_push(p->arena, &p->vars, &p->n_vars, &p->cap_vars, (void *)name);
}

/* A definition starts with only $ in scope; the enclosing template's
 * variables come back after it. */
struct var_scope {
    const char **vars;
    size_t n, cap;
};

static struct var_scope vars_enter_definition(struct parser *p)
{
    struct var_scope outer = {p->vars, p->n_vars, p->cap_vars};
    p->vars = NULL;
    p->n_vars = p->cap_vars = 0;
    push_var(p, "$");
    return outer;
}

static void vars_leave_definition(struct parser *p, struct var_scope outer)
{
    p->vars = outer.vars;
    p->n_vars = outer.n;
    p->cap_vars = outer.cap;
}

/* Splits "a.b.c" style chains into idents. */
static void set_idents(struct parser *p, struct node *n, const char *s, size_t len)
{
    size_t cap = 0;
    size_t i = 0;
    if (n->type == NODE_FIELD && len && s[0] == '.')
        i = 1;
    while (i <= len) {
        size_t j = i;
        while (j < len && s[j] != '.')
            j++;
        vec_push(p->arena, &n->u.field.idents, &n->u.field.len, &cap,
                 arena_strndup(p->arena, s + i, j - i));
        i = j + 1;
    }
}

static struct node *term(struct parser *p)
{
    struct item t = next_non_space(p);
    struct node *n;
    switch (t.type) {
    case ITEM_IDENT: {
        char *name = arena_strndup(p->arena, t.val, t.len);
        if (!p->known(name, p->known_ctx))
            parse_fail(p, "function \"%s\" not defined", name);
        n = new_node(p, NODE_IDENT, t.pos, t.line);
        n->u.ident = name;
        return n;
    }
    case ITEM_DOT:
        return new_node(p, NODE_DOT, t.pos, t.line);
    case ITEM_NIL:
        return new_node(p, NODE_NIL, t.pos, t.line);
    case ITEM_VARIABLE:
        if (!has_var(p, t.val, t.len))
            parse_fail(p, "undefined variable \"%.*s\"", (int)t.len, t.val);
        n = new_node(p, NODE_VARIABLE, t.pos, t.line);
        set_idents(p, n, t.val, t.len);
        return n;
    case ITEM_FIELD:
        n = new_node(p, NODE_FIELD, t.pos, t.line);
        set_idents(p, n, t.val, t.len);
        return n;
    case ITEM_BOOL:
        n = new_node(p, NODE_BOOL, t.pos, t.line);
        n->u.boolean = t.len == 4;
        return n;
    case ITEM_CHAR:
    case ITEM_NUMBER:
        return new_number(p, t);
    case ITEM_LPAREN:
        return pipeline(p, "parenthesized pipeline", ITEM_RPAREN);
    case ITEM_STRING:
    case ITEM_RAWSTRING: {
        struct strbuf sb = STRBUF_INIT;
        if (unquote(t.val, t.len, &sb) < 0) {
            strbuf_free(&sb);
            parse_fail(p, "invalid syntax");
        }
        n = new_node(p, NODE_STRING, t.pos, t.line);
        n->u.str.quoted = arena_strndup(p->arena, t.val, t.len);
        n->u.str.len = sb.len;
        n->u.str.s = arena_strndup(p->arena, strbuf_cstr(&sb), sb.len);
        strbuf_free(&sb);
        return n;
    }
    default:
        backup(p);
        return NULL;
    }
}

static struct node *operand(struct parser *p)
{
    struct node *n = term(p);
    if (!n || peek(p).type != ITEM_FIELD)
        return n;
    struct node *chain = new_node(p, NODE_CHAIN, peek(p).pos, peek(p).line);
    chain->u.field.base = n;
    size_t cap = 0;
    while (peek(p).type == ITEM_FIELD) {
        struct item f = next(p);
        vec_push(p->arena, &chain->u.field.idents, &chain->u.field.len, &cap,
                 arena_strndup(p->arena, f.val + 1, f.len - 1));
    }
    if (n->type == NODE_FIELD || n->type == NODE_VARIABLE) {
        /* .A.B or $x.A: flatten into one field/variable node, which Go
         * places at its second token. */
        n->pos = chain->pos;
        n->line = chain->line;
        for (size_t i = 0; i < chain->u.field.len; i++) {
            size_t c = n->u.field.len;
            vec_push(p->arena, &n->u.field.idents, &n->u.field.len, &c,
                     (void *)chain->u.field.idents[i]);
        }
        return n;
    }
    if (n->type == NODE_BOOL || n->type == NODE_STRING || n->type == NODE_NUMBER ||
        n->type == NODE_NIL || n->type == NODE_DOT) {
        struct strbuf sb = STRBUF_INIT;
        node_string(n, &sb);
        struct strbuf q = STRBUF_INIT;
        strbuf_go_quote(&q, strbuf_cstr(&sb));
        strbuf_free(&sb);
        char *qs = strbuf_detach(&q);
        struct strbuf msg = STRBUF_INIT;
        strbuf_printf(&msg, "template: %s:%d: unexpected . after term %s", p->file,
                      p->token[0].line, qs);
        free(qs);
        p->err = strbuf_detach(&msg);
        longjmp(p->jmp, 1);
    }
    return chain;
}

static struct node *command(struct parser *p)
{
    struct node *cmd = new_node(p, NODE_COMMAND, peek_non_space(p).pos, peek_non_space(p).line);
    size_t cap = 0;
    for (;;) {
        peek_non_space(p);
        struct node *op = operand(p);
        if (op)
            vec_push(p->arena, &cmd->u.cmd.args, &cmd->u.cmd.len, &cap, op);
        struct item t = next(p);
        if (t.type == ITEM_SPACE)
            continue;
        if (t.type == ITEM_RIGHT || t.type == ITEM_RPAREN)
            backup(p);
        else if (t.type != ITEM_PIPE)
            unexpected(p, t, "operand");
        break;
    }
    if (cmd->u.cmd.len == 0)
        parse_fail(p, "empty command");
    return cmd;
}

static void check_pipeline(struct parser *p, struct node *pipe, const char *context)
{
    if (pipe->u.pipe.n_cmds == 0)
        parse_fail(p, "missing value for %s", context);
    for (size_t i = 1; i < pipe->u.pipe.n_cmds; i++) {
        enum node_type t = pipe->u.pipe.cmds[i]->u.cmd.args[0]->type;
        if (t == NODE_BOOL || t == NODE_DOT || t == NODE_NIL || t == NODE_NUMBER ||
            t == NODE_STRING)
            parse_fail(p, "non executable command in pipeline stage %zu", i + 1);
    }
}

static struct node *new_decl(struct parser *p, struct item v)
{
    struct node *n = new_node(p, NODE_VARIABLE, v.pos, v.line);
    set_idents(p, n, v.val, v.len);
    return n;
}

/* Parses "$x :=", "$x =" or "$i, $e :=" if present. */
static void pipeline_decls(struct parser *p, struct node *pipe, const char *context)
{
    size_t cap = 0;
    for (;;) {
        struct item v = peek_non_space(p);
        if (v.type != ITEM_VARIABLE)
            return;
        next_non_space(p);
        struct item after = peek(p);
        struct item nx = peek_non_space(p);
        if (nx.type == ITEM_ASSIGN || nx.type == ITEM_DECLARE) {
            pipe->u.pipe.is_assign = nx.type == ITEM_ASSIGN;
            next_non_space(p);
            vec_push(p->arena, &pipe->u.pipe.decls, &pipe->u.pipe.n_decls, &cap, new_decl(p, v));
            push_var(p, arena_strndup(p->arena, v.val, v.len));
            return;
        }
        if (nx.type == ITEM_COMMA) {
            next_non_space(p);
            vec_push(p->arena, &pipe->u.pipe.decls, &pipe->u.pipe.n_decls, &cap, new_decl(p, v));
            push_var(p, arena_strndup(p->arena, v.val, v.len));
            if (!strcmp(context, "range") && pipe->u.pipe.n_decls < 2) {
                enum item_type t = peek_non_space(p).type;
                if (t == ITEM_VARIABLE || t == ITEM_RIGHT || t == ITEM_RPAREN)
                    continue;
                parse_fail(p, "range can only initialize variables");
            }
            parse_fail(p, "too many declarations in %s", context);
        }
        if (after.type == ITEM_SPACE)
            backup3(p, v, after);
        else
            backup2(p, v);
        return;
    }
}

/* Bounds recursion so hostile nesting cannot exhaust the C stack; Go has the
 * same message for parentheses nested past its own limit. */
#define PARSE_MAX_DEPTH 1000

static void depth_enter(struct parser *p)
{
    if (++p->depth > PARSE_MAX_DEPTH)
        parse_fail(p, "max expression depth exceeded");
}

static struct node *pipeline(struct parser *p, const char *context, enum item_type end)
{
    depth_enter(p);
    struct item first = peek_non_space(p);
    struct node *pipe = new_node(p, NODE_PIPE, first.pos, first.line);
    pipeline_decls(p, pipe, context);
    size_t cap = 0;
    for (;;) {
        struct item t = next_non_space(p);
        if (t.type == end) {
            check_pipeline(p, pipe, context);
            p->depth--;
            return pipe;
        }
        switch (t.type) {
        case ITEM_BOOL: case ITEM_CHAR: case ITEM_DOT: case ITEM_FIELD: case ITEM_IDENT:
        case ITEM_NUMBER: case ITEM_NIL: case ITEM_RAWSTRING: case ITEM_STRING:
        case ITEM_VARIABLE: case ITEM_LPAREN:
            backup(p);
            vec_push(p->arena, &pipe->u.pipe.cmds, &pipe->u.pipe.n_cmds, &cap, command(p));
            break;
        default:
            unexpected(p, t, context);
        }
    }
}

static struct node *parse_control(struct parser *p, enum node_type type, bool allow_else_if,
                                  const char *context, struct item kw)
{
    size_t vars_mark = p->n_vars;
    depth_enter(p);
    struct node *n = new_node(p, type, kw.pos, kw.line);
    n->u.ctl.pipe = pipeline(p, context, ITEM_RIGHT);
    n->pos = n->u.ctl.pipe->pos; /* Go places branch nodes at their pipeline */
    n->line = n->u.ctl.pipe->line;
    if (type == NODE_RANGE)
        p->range_depth++;
    struct node *end;
    n->u.ctl.list = item_list(p, &end);
    if (type == NODE_RANGE)
        p->range_depth--;
    if (end->type == NODE_ELSE) {
        if (allow_else_if && peek(p).type == ITEM_IF) {
            struct item kw2 = next(p);
            struct node *el = new_node(p, NODE_LIST, end->pos, end->line);
            list_append(p, el, parse_control(p, NODE_IF, true, "if", kw2));
            n->u.ctl.else_list = el;
        } else {
            n->u.ctl.else_list = item_list(p, &end);
            if (end->type != NODE_END) {
                struct strbuf sb = STRBUF_INIT;
                node_string(end, &sb);
                char *s = strbuf_detach(&sb);
                p->err = NULL;
                struct strbuf m = STRBUF_INIT;
                strbuf_printf(&m, "template: %s:%d: expected end; found %s", p->file,
                              p->token[0].line, s);
                free(s);
                p->err = strbuf_detach(&m);
                longjmp(p->jmp, 1);
            }
        }
    }
    p->n_vars = vars_mark;
    p->depth--;
    return n;
}

static const char *template_name(struct parser *p, struct item t, const char *context)
{
    if (t.type != ITEM_STRING && t.type != ITEM_RAWSTRING)
        unexpected(p, t, context);
    struct strbuf sb = STRBUF_INIT;
    if (unquote(t.val, t.len, &sb) < 0) {
        strbuf_free(&sb);
        parse_fail(p, "invalid syntax");
    }
    const char *s = arena_strndup(p->arena, strbuf_cstr(&sb), sb.len);
    strbuf_free(&sb);
    return s;
}

static struct node *template_control(struct parser *p, const char *context)
{
    struct item t = next_non_space(p);
    const char *name = template_name(p, t, context);
    struct node *n = new_node(p, NODE_TEMPLATE, t.pos, t.line);
    n->u.tmpl.name = name;
    if (next_non_space(p).type != ITEM_RIGHT) {
        backup(p);
        n->u.tmpl.pipe = pipeline(p, context, ITEM_RIGHT);
    }
    return n;
}

static void add_tree(struct parser *p, struct tree *t);

/* {{block "name" pipe}} body {{end}}: a define plus a template call. */
static struct node *block_control(struct parser *p)
{
    const char *context = "block clause";
    depth_enter(p);
    struct item t = next_non_space(p);
    const char *name = template_name(p, t, context);
    struct node *n = new_node(p, NODE_TEMPLATE, t.pos, t.line);
    n->u.tmpl.name = name;
    if (next_non_space(p).type != ITEM_RIGHT) {
        backup(p);
        n->u.tmpl.pipe = pipeline(p, context, ITEM_RIGHT);
    }
    struct tree *saved = p->tree;
    struct tree *bt = arena_alloc(p->arena, sizeof *bt);
    bt->name = name;
    bt->file = p->file;
    bt->text = p->text;
    p->tree = bt;
    struct var_scope outer = vars_enter_definition(p);
    struct node *end;
    bt->root = item_list(p, &end);
    vars_leave_definition(p, outer);
    if (end->type != NODE_END)
        parse_fail(p, "unexpected %s in %s", end->type == NODE_ELSE ? "{{else}}" : "{{end}}",
                   context);
    p->tree = saved;
    add_tree(p, bt);
    p->depth--;
    return n;
}

static struct node *simple_keyword(struct parser *p, enum node_type type, struct item kw,
                                   const char *what)
{
    struct item t = next_non_space(p);
    if (t.type != ITEM_RIGHT) {
        char ctx[32];
        snprintf(ctx, sizeof ctx, type == NODE_END || type == NODE_ELSE ? "%s" : "{{%s}}", what);
        unexpected(p, t, ctx);
    }
    if (type != NODE_END && type != NODE_ELSE && p->range_depth == 0)
        parse_fail(p, "{{%s}} outside {{range}}", what);
    return new_node(p, type, kw.pos, kw.line);
}

static struct node *action(struct parser *p)
{
    struct item t = next_non_space(p);
    switch (t.type) {
    case ITEM_BLOCK:
        return block_control(p);
    case ITEM_BREAK:
        return simple_keyword(p, NODE_BREAK, t, "break");
    case ITEM_CONTINUE:
        return simple_keyword(p, NODE_CONTINUE, t, "continue");
    case ITEM_ELSE: {
        struct item pk = peek_non_space(p);
        if (pk.type == ITEM_IF) /* Go 1.23's {{else with}} is not in 0.25 */
            return new_node(p, NODE_ELSE, pk.pos, pk.line);
        return simple_keyword(p, NODE_ELSE, t, "else");
    }
    case ITEM_END:
        return simple_keyword(p, NODE_END, t, "end");
    case ITEM_IF:
        return parse_control(p, NODE_IF, true, "if", t);
    case ITEM_RANGE:
        return parse_control(p, NODE_RANGE, false, "range", t);
    case ITEM_TEMPLATE:
        return template_control(p, "template clause");
    case ITEM_WITH:
        return parse_control(p, NODE_WITH, true, "with", t);
    default:
        break;
    }
    backup(p);
    struct item first = peek(p);
    struct node *n = new_node(p, NODE_ACTION, first.pos, first.line);
    n->u.ctl.pipe = pipeline(p, "command", ITEM_RIGHT);
    return n;
}

static struct node *text_or_action(struct parser *p)
{
    struct item t = next_non_space(p);
    if (t.type == ITEM_TEXT) {
        struct node *n = new_node(p, NODE_TEXT, t.pos, t.line);
        n->u.text.s = t.val;
        n->u.text.len = t.len;
        return n;
    }
    if (t.type == ITEM_LEFT) {
        int saved = p->action_line;
        p->action_line = t.line;
        struct node *n = action(p);
        p->action_line = saved;
        return n;
    }
    unexpected(p, t, "input");
}

static struct node *item_list(struct parser *p, struct node **end_out)
{
    struct node *list = new_node(p, NODE_LIST, peek_non_space(p).pos, peek_non_space(p).line);
    while (peek_non_space(p).type != ITEM_EOF) {
        struct node *n = text_or_action(p);
        if (n->type == NODE_END || n->type == NODE_ELSE) {
            *end_out = n;
            return list;
        }
        list_append(p, list, n);
    }
    next_non_space(p);
    parse_fail(p, "unexpected EOF");
}

bool tree_is_empty(const struct tree *t)
{
    const struct node *root = t->root;
    if (!root)
        return true;
    for (size_t i = 0; i < root->u.list.len; i++) {
        const struct node *n = root->u.list.items[i];
        if (n->type != NODE_TEXT)
            return false;
        for (size_t k = 0; k < n->u.text.len; k++)
            if (!strchr(" \t\r\n", n->u.text.s[k]))
                return false;
    }
    return true;
}

static void add_tree(struct parser *p, struct tree *t)
{
    struct parse_result *r = p->out;
    for (size_t i = 0; i < r->len; i++) {
        if (strcmp(r->trees[i]->name, t->name))
            continue;
        if (tree_is_empty(r->trees[i])) {
            r->trees[i] = t;
            return;
        }
        if (!tree_is_empty(t))
            parse_fail(p, "template: multiple definition of template \"%s\"", t->name);
        return;
    }
    size_t cap = r->len; /* arena vectors grow by doubling from 4 */
    size_t c = 0;
    if (cap)
        for (c = 4; c < cap; c *= 2)
            ;
    if (cap < 4)
        c = cap ? 4 : 0;
    vec_push(p->arena, &r->trees, &r->len, &c, t);
}

static void parse_definition(struct parser *p)
{
    const char *context = "define clause";
    struct item t = next_non_space(p);
    struct tree *dt = arena_alloc(p->arena, sizeof *dt);
    dt->name = template_name(p, t, context);
    dt->file = p->file;
    dt->text = p->text;
    expect(p, ITEM_RIGHT, context);
    struct tree *saved = p->tree;
    struct var_scope outer = vars_enter_definition(p);
    p->tree = dt;
    struct node *end;
    dt->root = item_list(p, &end);
    if (end->type != NODE_END)
        parse_fail(p, "unexpected {{else}} in %s", context);
    p->tree = saved;
    vars_leave_definition(p, outer);
    add_tree(p, dt);
}

static void parse_top(struct parser *p, struct tree *top)
{
    top->root = new_node(p, NODE_LIST, 0, 1);
    while (peek(p).type != ITEM_EOF) {
        if (peek(p).type == ITEM_LEFT) {
            struct item delim = next(p);
            if (next_non_space(p).type == ITEM_DEFINE) {
                int saved = p->action_line;
                p->action_line = delim.line;
                parse_definition(p);
                p->action_line = saved;
                continue;
            }
            backup2(p, delim);
        }
        struct node *n = text_or_action(p);
        if (n->type == NODE_END)
            parse_fail(p, "unexpected {{end}}");
        if (n->type == NODE_ELSE)
            parse_fail(p, "unexpected {{else}}");
        list_append(p, top->root, n);
    }
    add_tree(p, top);
}

int parse_text(struct arena *arena, const char *name, const char *text, func_known_fn known,
               void *known_ctx, struct parse_result *out, char **err)
{
    struct parser *p = xcalloc(1, sizeof *p);
    p->arena = arena;
    p->file = arena_strndup(arena, name, strlen(name));
    p->text = arena_strndup(arena, text, strlen(text));
    p->lx = lexer_new(p->text, strlen(p->text));
    p->known = known;
    p->known_ctx = known_ctx;
    p->out = out;
    push_var(p, "$");
    struct tree *top = arena_alloc(arena, sizeof *top);
    top->name = p->file;
    top->file = p->file;
    top->text = p->text;
    p->tree = top;
    int rc = 0;
    if (setjmp(p->jmp) == 0) {
        parse_top(p, top);
    } else {
        *err = p->err;
        rc = -1;
    }
    lexer_free(p->lx);
    free(p);
    return rc;
}
