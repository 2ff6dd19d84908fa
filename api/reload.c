/*
 * POST /-/reload: main/ swaps the configuration; the answer is net/http's
 * (empty 200, or a text 500 saying why).  The reload metrics are updated
 * here for HTTP reloads; main/ does the same for SIGHUP.
 */
#include "api/api_internal.h"

void api_h_reload(struct api_state *st, const struct api_req *req, struct api_resp *resp)
{
    char *err = NULL;
    int rc = st->reload ? st->reload(st->reload_ctx, &err) : 0;
    if (rc == 0) {
        st->metrics.config_last_reload_successful = true;
        st->metrics.config_last_reload_success_time = req->now;
        resp->status = 200;
        return;
    }
    st->metrics.config_last_reload_successful = false;
    char *msg = xasprintf("failed to reload config: %s", err ? err : "unknown error");
    api_resp_text_error(resp, 500, msg);
    free(msg);
    free(err);
}
