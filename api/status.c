/*
 * GET /api/v2/status and GET /api/v2/receivers.
 *
 * versionInfo.version says "0.25.0", the API level chorus implements,
 * because amtool compares it with its own version on every command and
 * warns on a mismatch; chorus identifies itself in branch, revision and
 * buildUser instead.
 */
#include "api/api_internal.h"
#include "config/config.h"

#include <stdio.h>

#define API_COMPAT_VERSION "0.25.0"

static void enc_version_info(struct strbuf *sb)
{
    strbuf_puts(sb, "{\"branch\":\"chorus\",\"buildDate\":");
    strbuf_json_cstr(sb, API_BUILD_DATE, JSON_ESCAPE_HTML);
    strbuf_puts(sb, ",\"buildUser\":\"chorus\",\"goVersion\":\"none (chorus is C)\",\"revision\":");
    strbuf_json_cstr(sb, "chorus-" CHORUS_VERSION "-" CHORUS_REVISION, JSON_ESCAPE_HTML);
    strbuf_puts(sb, ",\"version\":\"" API_COMPAT_VERSION "\"}");
}

void api_h_status(struct api_state *st, const struct api_req *req, struct api_resp *resp)
{
    (void)req;
    struct strbuf *sb = &resp->body;
    strbuf_puts(sb, "{\"cluster\":{\"peers\":[],\"status\":");
    strbuf_json_cstr(sb, st->cluster_status ? st->cluster_status : "disabled", JSON_ESCAPE_HTML);
    strbuf_puts(sb, "},\"config\":{\"original\":");
    strbuf_json_cstr(sb, config_original(st->config), JSON_ESCAPE_HTML);
    strbuf_puts(sb, "},\"uptime\":");
    api_enc_time(sb, st->start_time);
    strbuf_puts(sb, ",\"versionInfo\":");
    enc_version_info(sb);
    strbuf_putc(sb, '}');
    api_resp_json(resp, 200);
}

void api_h_receivers(struct api_state *st, const struct api_req *req, struct api_resp *resp)
{
    (void)req;
    size_t n = config_receiver_count(st->config);
    strbuf_putc(&resp->body, '[');
    for (size_t i = 0; i < n; i++) {
        struct config_receiver_info r = config_receiver_at(st->config, i);
        strbuf_puts(&resp->body, i ? ",{\"name\":" : "{\"name\":");
        strbuf_json_cstr(&resp->body, r.name, JSON_ESCAPE_HTML);
        strbuf_putc(&resp->body, '}');
    }
    strbuf_putc(&resp->body, ']');
    api_resp_json(resp, 200);
}

const char *api_build_date(void)
{
    static char buf[32];
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (!buf[0]) {
        const char *d = __DATE__; /* "Nov 25 2026" */
        int month = (int)((strstr(months, (char[]){d[0], d[1], d[2], 0}) - months) / 3) + 1;
        int day = (d[4] == ' ' ? 0 : d[4] - '0') * 10 + (d[5] - '0');
        snprintf(buf, sizeof buf, "%.4s%02d%02d-%s", d + 7, month, day, __TIME__);
    }
    return buf;
}
