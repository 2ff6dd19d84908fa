/*
 * The response shapes the API has to reproduce: go-openapi's JSON bodies
 * (with the trailing newline of json.Encoder), its framework errors (without
 * one), bare JSON-string handler errors, and net/http's plain-text errors.
 */
#include "api/api_internal.h"

void api_resp_init(struct api_resp *r)
{
    memset(r, 0, sizeof *r);
    r->status = 200;
}

void api_resp_free(struct api_resp *r)
{
    strbuf_free(&r->body);
    free(r->location);
    free(r->allow_methods);
    free(r->allow_headers);
    r->location = NULL;
    r->allow_methods = NULL;
    r->allow_headers = NULL;
}

void api_resp_json(struct api_resp *r, int status)
{
    r->status = status;
    r->content_type = "application/json";
    strbuf_putc(&r->body, '\n');
}

void api_resp_fwerr(struct api_resp *r, int status, int code, const char *msg)
{
    strbuf_reset(&r->body);
    r->status = status;
    r->content_type = "application/json";
    strbuf_printf(&r->body, "{\"code\":%d,\"message\":", code);
    strbuf_json_cstr(&r->body, msg, JSON_ESCAPE_HTML);
    strbuf_putc(&r->body, '}');
}

void api_resp_errstr(struct api_resp *r, int status, const char *msg)
{
    strbuf_reset(&r->body);
    strbuf_json_cstr(&r->body, msg, JSON_ESCAPE_HTML);
    api_resp_json(r, status);
}

void api_resp_text_error(struct api_resp *r, int status, const char *msg)
{
    strbuf_reset(&r->body);
    r->status = status;
    r->content_type = "text/plain; charset=utf-8";
    r->nosniff = true;
    strbuf_puts(&r->body, msg);
    strbuf_putc(&r->body, '\n');
}
