/*
 * Go's Node.String() and ErrorContext() for parse-tree nodes: execution
 * errors quote the failing node and its "file:line:col" exactly as Go does.
 */
#include "template/internal.h"

static void idents_string(const struct node *n, struct strbuf *out)
{
    for (size_t i = 0; i < n->u.field.len; i++) {
        if (i || n->type != NODE_VARIABLE)
            strbuf_putc(out, '.');
        strbuf_puts(out, n->u.field.idents[i]);
    }
}

static void pipe_string(const struct node *n, struct strbuf *out)
{
    for (size_t i = 0; i < n->u.pipe.n_decls; i++) {
        if (i)
            strbuf_puts(out, ", ");
        node_string(n->u.pipe.decls[i], out);
    }
    if (n->u.pipe.n_decls)
        strbuf_puts(out, n->u.pipe.is_assign ? " = " : " := ");
    for (size_t i = 0; i < n->u.pipe.n_cmds; i++) {
        if (i)
            strbuf_puts(out, " | ");
        node_string(n->u.pipe.cmds[i], out);
    }
}

static void control_string(const struct node *n, const char *kw, struct strbuf *out)
{
    strbuf_printf(out, "{{%s ", kw);
    pipe_string(n->u.ctl.pipe, out);
    strbuf_puts(out, "}}");
    node_string(n->u.ctl.list, out);
    if (n->u.ctl.else_list) {
        strbuf_puts(out, "{{else}}");
        node_string(n->u.ctl.else_list, out);
    }
    strbuf_puts(out, "{{end}}");
}

static void command_string(const struct node *n, struct strbuf *out)
{
    for (size_t i = 0; i < n->u.cmd.len; i++) {
        if (i)
            strbuf_putc(out, ' ');
        const struct node *a = n->u.cmd.args[i];
        if (a->type == NODE_PIPE) {
            strbuf_putc(out, '(');
            pipe_string(a, out);
            strbuf_putc(out, ')');
        } else {
            node_string(a, out);
        }
    }
}

static void chain_string(const struct node *n, struct strbuf *out)
{
    const struct node *b = n->u.field.base;
    if (b->type == NODE_PIPE)
        strbuf_putc(out, '(');
    node_string(b, out);
    if (b->type == NODE_PIPE)
        strbuf_putc(out, ')');
    for (size_t i = 0; i < n->u.field.len; i++)
        strbuf_printf(out, ".%s", n->u.field.idents[i]);
}

void node_string(const struct node *n, struct strbuf *out)
{
    switch (n->type) {
    case NODE_LIST:
        for (size_t i = 0; i < n->u.list.len; i++)
            node_string(n->u.list.items[i], out);
        break;
    case NODE_TEXT:
        strbuf_add(out, n->u.text.s, n->u.text.len);
        break;
    case NODE_ACTION:
        strbuf_puts(out, "{{");
        pipe_string(n->u.ctl.pipe, out);
        strbuf_puts(out, "}}");
        break;
    case NODE_IF: control_string(n, "if", out); break;
    case NODE_RANGE: control_string(n, "range", out); break;
    case NODE_WITH: control_string(n, "with", out); break;
    case NODE_TEMPLATE:
        strbuf_puts(out, "{{template ");
        strbuf_go_quote(out, n->u.tmpl.name);
        if (n->u.tmpl.pipe) {
            strbuf_putc(out, ' ');
            pipe_string(n->u.tmpl.pipe, out);
        }
        strbuf_puts(out, "}}");
        break;
    case NODE_BREAK: strbuf_puts(out, "{{break}}"); break;
    case NODE_CONTINUE: strbuf_puts(out, "{{continue}}"); break;
    case NODE_END: strbuf_puts(out, "{{end}}"); break;
    case NODE_ELSE: strbuf_puts(out, "{{else}}"); break;
    case NODE_PIPE: pipe_string(n, out); break;
    case NODE_COMMAND: command_string(n, out); break;
    case NODE_FIELD:
    case NODE_VARIABLE: idents_string(n, out); break;
    case NODE_CHAIN: chain_string(n, out); break;
    case NODE_IDENT: strbuf_puts(out, n->u.ident); break;
    case NODE_DOT: strbuf_putc(out, '.'); break;
    case NODE_NIL: strbuf_puts(out, "nil"); break;
    case NODE_BOOL: strbuf_puts(out, n->u.boolean ? "true" : "false"); break;
    case NODE_NUMBER: strbuf_puts(out, n->u.num.text); break;
    case NODE_STRING: strbuf_puts(out, n->u.str.quoted); break;
    }
}

void node_location(const struct node *n, struct strbuf *out)
{
    const char *text = n->tree->text;
    size_t pos = n->pos;
    int line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < pos && text[i]; i++)
        if (text[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    strbuf_printf(out, "%s:%d:%zu", n->tree->file, line, pos - line_start);
}
