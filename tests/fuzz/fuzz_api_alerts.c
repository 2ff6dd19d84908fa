/*
 * fuzz_api_alerts: libFuzzer target for the POST /api/v2/alerts body decoder
 * (api_decode_alerts: api/'s Go-compatible JSON reader, go-openapi's
 * PostableAlerts decoding and schema checks).  Decoded alerts go through what
 * the handler does next without a server: defaults, validation, the alert
 * store (merge by fingerprint), listing, re-encoding and GC.
 */
#include "fuzz_common.h"
#include "api/api_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW (INT64_C(1680307200) * NS_PER_SEC)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct api_alerts_in in;
    struct api_fwerr fe;
    if (api_decode_alerts((const char *)data, size, &in, &fe) < 0) {
        api_fwerr_free(&fe);
        return 0;
    }
    struct alert_store *st = alert_store_new();
    for (size_t i = 0; i < in.n; i++) {
        alert_apply_defaults(&in.items[i], FUZZ_NOW, 5 * 60 * NS_PER_SEC);
        char *err = NULL;
        if (alert_validate(&in.items[i], &err) < 0) {
            free(err);
            continue;
        }
        (void)alert_store_put(st, &in.items[i]);
    }
    api_alerts_in_free(&in);
    size_t n = 0;
    const struct alert **list = alert_store_list(st, &n);
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        uint64_t fp = labelset_fingerprint(&list[i]->labels);
        const struct alert_status *as = alert_store_status(st, fp);
        const char *rcv = "fuzz";
        api_enc_alert(&sb, list[i], as, &rcv, 1);
        strbuf_reset(&sb);
        labelset_format(&list[i]->labels, &sb);
        strbuf_reset(&sb);
    }
    strbuf_free(&sb);
    free(list);
    (void)alert_store_gc(st, FUZZ_NOW + 3600 * NS_PER_SEC);
    alert_store_free(st);
    return 0;
}
