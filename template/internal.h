/*
 * template/internal.h (private to template/): the arena, lexer items, parse
 * tree and runtime values shared by the lexer, parser and executor.
 */
#ifndef CHORUS_TEMPLATE_INTERNAL_H
#define CHORUS_TEMPLATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "template/template.h"
#include "util/util.h"

/* ---- arena: parse trees live as long as their set, values as long as one
 * execution, so neither needs per-object frees ---- */
struct arena_block;
struct arena {
    struct arena_block *head;
};
#define ARENA_INIT {NULL}
void *arena_alloc(struct arena *a, size_t n); /* zeroed, 16-aligned */
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_free(struct arena *a);

/* ---- lexer ---- */
enum item_type {
    ITEM_ERROR, ITEM_EOF, ITEM_TEXT, ITEM_LEFT, ITEM_RIGHT, ITEM_SPACE,
    ITEM_COMMENT, ITEM_IDENT, ITEM_FIELD, ITEM_VARIABLE, ITEM_DOT, ITEM_NUMBER,
    ITEM_STRING, ITEM_RAWSTRING, ITEM_CHAR, ITEM_BOOL, ITEM_PIPE, ITEM_DECLARE,
    ITEM_ASSIGN, ITEM_LPAREN, ITEM_RPAREN, ITEM_COMMA, ITEM_PUNCT,
    /* keywords */
    ITEM_BLOCK, ITEM_BREAK, ITEM_CONTINUE, ITEM_DEFINE, ITEM_ELSE, ITEM_END,
    ITEM_IF, ITEM_NIL, ITEM_RANGE, ITEM_TEMPLATE, ITEM_WITH,
};

struct item {
    enum item_type type;
    size_t pos; /* byte offset in the input */
    const char *val;
    size_t len;
    int line;
};

struct lexer;
struct lexer *lexer_new(const char *input, size_t len);
void lexer_free(struct lexer *lx);
/* The next item; an ITEM_ERROR's val is the message.  Text items already
 * have trim markers applied. */
struct item lexer_next(struct lexer *lx);

/* ---- parse tree ---- */
enum node_type {
    NODE_LIST, NODE_TEXT, NODE_ACTION, NODE_IF, NODE_RANGE, NODE_WITH,
    NODE_TEMPLATE, NODE_BREAK, NODE_CONTINUE,
    NODE_PIPE, NODE_COMMAND,
    NODE_FIELD, NODE_VARIABLE, NODE_CHAIN, NODE_IDENT, NODE_DOT, NODE_NIL,
    NODE_BOOL, NODE_NUMBER, NODE_STRING,
    NODE_END, NODE_ELSE, /* parser-internal markers */
};

struct node {
    enum node_type type;
    size_t pos;
    int line;
    const struct tree *tree; /* for error locations */
    union {
        struct { struct node **items; size_t len; } list;        /* LIST */
        struct { const char *s; size_t len; } text;              /* TEXT */
        /* ACTION: pipe.  IF/RANGE/WITH: pipe, list, else_list (may be NULL). */
        struct { struct node *pipe, *list, *else_list; } ctl;
        struct { const char *name; struct node *pipe; } tmpl;   /* TEMPLATE */
        /* PIPE: optional variable declarations, then commands. */
        struct {
            struct node **decls; size_t n_decls; bool is_assign;
            struct node **cmds; size_t n_cmds;
        } pipe;
        struct { struct node **args; size_t len; } cmd;          /* COMMAND */
        /* FIELD (.A.B), VARIABLE ($x.A: idents[0] = "$x"), CHAIN ((x).A). */
        struct { const char **idents; size_t len; struct node *base; } field;
        const char *ident;                                       /* IDENT */
        bool boolean;                                            /* BOOL */
        struct {
            bool is_int, is_float, is_char; int64_t i; double f;
            const char *text;
        } num;                                                   /* NUMBER */
        struct { const char *quoted; const char *s; size_t len; } str; /* STRING */
    } u;
};

struct tree {
    const char *name;      /* template name */
    const char *file;      /* parse name, for error locations */
    const char *text;      /* the whole source, for line/column */
    struct node *root;
};

/* A parse of one source: every template it defines, in order. */
struct parse_result {
    struct tree **trees;
    size_t len;
};

/* Function-name check used at parse time. */
typedef bool (*func_known_fn)(const char *name, void *ctx);

/* Parses text (named name) into trees allocated from arena.  Returns 0 or -1
 * with *err (malloc'd, Go's text). */
int parse_text(struct arena *arena, const char *name, const char *text,
               func_known_fn known, void *known_ctx, struct parse_result *out,
               char **err);
bool tree_is_empty(const struct tree *t);
/* Go's Node.String() for error messages. */
void node_string(const struct node *n, struct strbuf *out);
/* "name:line:col" as Go's ErrorContext. */
void node_location(const struct node *n, struct strbuf *out);

/* ---- runtime values ---- */
enum value_kind {
    V_NIL, V_BOOL, V_INT, V_FLOAT, V_STRING, V_HTML,
    V_LIST,   /* []string or []interface{}; elem_kind tells which for typing */
    V_KV,     /* template.KV (map[string]string), sorted by name */
    V_PAIR,   /* template.Pair */
    V_PAIRS,  /* template.Pairs */
    V_TIME,   /* time.Time, UTC */
    V_ALERT,  /* template.Alert */
    V_ALERTS, /* template.Alerts */
    V_DATA,   /* *template.Data */
    V_BYTE,   /* uint8, from indexing a string */
};

struct value;

struct kv {
    const char **names;
    const char **values;
    size_t len;
};

struct value {
    enum value_kind kind;
    union {
        bool b;
        int64_t i;
        double f;
        struct { const char *s; size_t len; } str;
        struct { struct value *items; size_t len; bool strings; } list;
        const struct kv *kv;
        struct { const char *name, *value; } pair;
        /* plain: a []template.Alert (what Firing/Resolved return), without
         * the methods of template.Alerts */
        struct { const struct template_alert **items; size_t len; bool plain; } alerts;
        int64_t t;
        const struct template_alert *alert;
        const struct template_data *data;
    } u;
};

bool value_truth(const struct value *v);
/* Go's fmt %v of the value (what {{ . }} prints). */
void value_print(const struct value *v, struct strbuf *out);
/* Go's reflect type name, for error messages: "string", "template.KV" ... */
const char *value_type_name(const struct value *v);
struct value value_string(const char *s, size_t len);
struct value value_cstr(const char *s);
struct kv *kv_from_labelset(struct arena *a, const struct labelset *ls);
struct time_parts {
    int64_t year;
    int month, day, hour, min, sec, nsec;
    int wday, yday; /* 0 = Sunday; 1-based day of year */
    bool is_zero;
};
void time_split(int64_t t, struct time_parts *tp);
/* Go's Time.Format(layout) for a UTC time. */
void time_format_layout(int64_t t, const char *layout, size_t len, struct strbuf *out);
/* encoding/json's rendering of the value (json.c). */
void value_json(const struct value *v, struct strbuf *out);
/* Go's time.Time.String() for a UTC time. */
void time_format_go(int64_t t, struct strbuf *out);
/* Go's %v for a float64 (fmt %v: shortest, exponent outside 1e-4..1e6). */
void float_format_go(double f, char fmt, int prec, struct strbuf *out);

/* ---- html/template contextual escaping (html.c) ---- */
enum html_state {
    HS_TEXT, HS_TAG, HS_ATTR_NAME, HS_AFTER_NAME, HS_BEFORE_VALUE, HS_ATTR, HS_URL,
    HS_SRCSET, HS_JS, HS_CSS, HS_RCDATA, HS_HTML_CMT,
};
enum html_delim { HD_NONE, HD_DQ, HD_SQ, HD_SPACE };
enum html_url_part { HU_NONE, HU_PRE, HU_QUERY, HU_UNKNOWN };
enum html_attr { HA_NONE, HA_URL, HA_JS, HA_CSS, HA_SRCSET, HA_SCRIPT_TYPE };
enum html_element { HE_NONE, HE_SCRIPT, HE_STYLE, HE_TEXTAREA, HE_TITLE };
enum html_js_ctx { JS_REGEXP, JS_DIVOP, JS_UNKNOWN };
struct html_ctx {
    enum html_state state;
    enum html_delim delim;
    enum html_url_part url_part;
    enum html_attr attr;
    enum html_element element;
    char quote;        /* inside a JS/CSS string, or '/' a JS regexp literal */
    bool in_class;     /* inside [...] of a JS regexp literal */
    bool in_block_cmt; /* inside a JS/CSS block comment */
    bool in_line_cmt;  /* inside a JS line comment */
    enum html_js_ctx js_ctx; /* what a '/' would start here */
    bool bad;          /* malformed HTML (Go's ErrBadHTML): badmsg says why */
    char badmsg[128];
};
enum html_esc {
    ESC_HTML, ESC_RCDATA, ESC_ATTR, ESC_NOSPACE, ESC_URL_FILTER, ESC_URL_NORM,
    ESC_URL_ESCAPE, ESC_SRCSET, ESC_JS_STR, ESC_JS_REGEXP, ESC_JS_VAL, ESC_CSS, ESC_CSS_FILTER,
    ESC_NAME_FILTER, ESC_COMMENT,
};
/* Writes template text as html/template would and advances the context. */
void html_text(struct html_ctx *c, const char *s, size_t n, struct strbuf *out);
/* Go's nudge: an action right after a tag name or '=' starts a name/value. */
void html_nudge(struct html_ctx *c);
/* The escapers for an action at c (which is nudged as Go does). */
size_t html_escapers(struct html_ctx *c, enum html_esc out[4]);
void html_escape(enum html_esc e, const struct value *v, struct strbuf *out);
/* Go's context.String(), e.g. "{stateAttr delimSingleQuote urlPartNone
 * jsCtxRegexp attrNone elementNone <nil>}". */
void html_ctx_format(const struct html_ctx *c, struct strbuf *out);
/* Whether the predefined escaper html (or else urlquery) stands for e. */
bool html_esc_equiv(enum html_esc e, bool is_html_fn);

/* html/template's checks before executing t (escape_check.c): NULL, or the
 * error Go would report (malloc'd), e.g. `html/template::1:6: predefined
 * escaper "urlquery" disallowed in template`. */
typedef const struct tree *(*tree_lookup_fn)(const void *ctx, const char *name);
char *html_check(const struct tree *t, tree_lookup_fn lookup, const void *lookup_ctx);

/* ---- functions ---- */
struct exec_state;
/* Calls the named function; returns 0, or -1 with an error message in err
 * (without the "error calling" prefix the caller adds). */
typedef int (*func_impl)(struct exec_state *st, struct value *args, size_t n,
                         struct value *result, struct strbuf *err);
struct func_def {
    const char *name;
    func_impl fn;          /* NULL for and/or, which the executor runs lazily */
    enum template_compat since;
    int min_args, max_args; /* max -1: variadic */
    /* Go parameter types, checked as each argument is evaluated: s string,
     * S []string, t time.Time, a any; a trailing '*' repeats the last. */
    const char *params;
};
const struct func_def *func_lookup(const char *name, enum template_compat compat);
struct arena *exec_arena(struct exec_state *st);
/* Names the argument (0-based) a type error is about and the Go type wanted. */
void exec_set_bad_arg(struct exec_state *st, int i, const char *want);
/* A method of time.Time: 1 done, 0 no such method, -1 error in err. */
int time_call(struct arena *a, int64_t t, const char *name, struct value *args, size_t n,
              struct value *out, struct strbuf *err);
/* Go's time.Duration.String(). */
void duration_format_go(int64_t d, struct strbuf *out);
/* Appends the UTF-8 encoding of r. */
void utf8_put(struct strbuf *sb, uint32_t r);
/* Decodes one rune (U+FFFD and 1 byte on invalid input). */
uint32_t utf8_get(const char *s, size_t n, size_t *used);
/* printf's formatting, shared with the time helpers. */
void go_sprintf(const char *fmt, size_t fmtlen, struct value *args, size_t n,
                struct strbuf *out);
void go_sprint(struct value *args, size_t n, bool ln, struct strbuf *out);

/* ---- chorus's built-in default templates, compiled in from
 * the .tmpl files in template/defaults/ by embed.cmake there ---- */
struct default_template_file {
    const char *name;
    const char *text;
};
extern const struct default_template_file default_template_files[];
extern const size_t default_template_files_len;

#endif
