/*
 * The silence endpoints: list with filter, create or update, get and expire
 * one.  silences/ decides everything about validity and update rules; this
 * file maps its results to 0.25's status codes (including DELETE's 500 for
 * an unknown id) and tells main/ when the state changed.
 */
#include "api/api_internal.h"

/* server.c holds the answer until the change is durable. */
static void silences_notify(struct api_resp *resp)
{
    resp->hold_until_persisted = true;
}

void api_h_silences_get(struct api_state *st, const struct api_req *req, struct api_resp *resp)
{
    struct matchers filter = MATCHERS_INIT;
    char *err = NULL;
    if (api_query_filters(req, &filter, &err) < 0) {
        api_resp_errstr(resp, 400, err);
        free(err);
        matchers_free(&filter);
        return;
    }
    size_t n = 0;
    const struct silence **list =
        silences_query(st->silences, filter.len ? &filter : NULL, req->now, &n);
    st->metrics.silences_queries++;
    strbuf_putc(&resp->body, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_putc(&resp->body, ',');
        api_enc_silence(&resp->body, list[i], req->now);
    }
    strbuf_putc(&resp->body, ']');
    api_resp_json(resp, 200);
    free(list);
    matchers_free(&filter);
}

void api_h_silences_post(struct api_state *st, const struct api_req *req, struct api_resp *resp)
{
    struct silence in;
    struct api_fwerr fe;
    if (api_decode_silence(req->body, req->body_len, &in, &fe) < 0) {
        if (fe.status == 0)
            resp->status = 0;
        else
            api_resp_fwerr(resp, fe.status, fe.code, fe.message);
        api_fwerr_free(&fe);
        return;
    }
    char id[37];
    char *err = NULL;
    bool update = in.id[0] != '\0';
    int rc = silences_set(st->silences, &in, req->now, id, &err);
    silence_free(&in);
    if (rc == SILENCES_ENOTFOUND) {
        api_resp_errstr(resp, 404, "silence not found");
    } else if (rc != SILENCES_OK) {
        api_resp_errstr(resp, 400, err ? err : "silence invalid");
    } else {
        strbuf_puts(&resp->body, "{\"silenceID\":");
        strbuf_json_cstr(&resp->body, id, JSON_ESCAPE_HTML);
        strbuf_putc(&resp->body, '}');
        api_resp_json(resp, 200);
    }
    free(err);
    /* An update rejected late may still have expired the old silence. */
    if (rc == SILENCES_OK || update)
        silences_notify(resp);
}

static bool silence_id_check(const char *id, struct api_resp *resp)
{
    if (uuid_valid(id))
        return true;
    struct strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "silenceID in path must be of type uuid: ");
    strbuf_go_quote(&sb, id);
    api_resp_fwerr(resp, 422, 601, sb.buf);
    strbuf_free(&sb);
    return false;
}

void api_h_silence_get(struct api_state *st, const struct api_req *req, const char *id,
                       struct api_resp *resp)
{
    if (!silence_id_check(id, resp))
        return;
    st->metrics.silences_queries++;
    const struct silence *s = silences_get(st->silences, id);
    if (!s) {
        resp->status = 404;
        return;
    }
    api_enc_silence(&resp->body, s, req->now);
    api_resp_json(resp, 200);
}

void api_h_silence_delete(struct api_state *st, const struct api_req *req, const char *id,
                          struct api_resp *resp)
{
    if (!silence_id_check(id, resp))
        return;
    if (silences_expire(st->silences, id, req->now) == SILENCES_ENOTFOUND) {
        api_resp_errstr(resp, 500, "silence not found");
        return;
    }
    resp->status = 200;
    silences_notify(resp);
}
