/*
 * fuzz_api_silence: libFuzzer target for the POST /api/v2/silences body
 * decoder (api_decode_silence: api/'s JSON reader and go-openapi's
 * PostableSilence decoding and schema checks) followed by silences_set on a
 * store, as the handler does: create, then post it again as an update of the
 * id it got, then encode it for the API and as a snapshot record.
 */
#include "fuzz_common.h"
#include "api/api_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW (INT64_C(1680307200) * NS_PER_SEC)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct silence in;
    struct api_fwerr fe;
    if (api_decode_silence((const char *)data, size, &in, &fe) < 0) {
        api_fwerr_free(&fe);
        return 0;
    }
    struct silences *s = silences_new(INT64_C(120) * 3600 * NS_PER_SEC);
    char id[37], id2[37];
    char *err = NULL;
    int rc = silences_set(s, &in, FUZZ_NOW, id, &err);
    if (rc == SILENCES_OK) {
        memcpy(in.id, id, sizeof id);
        if (silences_set(s, &in, FUZZ_NOW + NS_PER_SEC, id2, &err) != SILENCES_OK) {
            free(err);
            err = NULL;
        }
        const struct silence *got = silences_get(s, id);
        if (!got)
            abort(); /* the id silences_set returned must exist */
        struct strbuf sb = STRBUF_INIT;
        api_enc_silence(&sb, got, FUZZ_NOW);
        strbuf_free(&sb);
        uint8_t *rec = NULL;
        size_t rec_len = 0;
        if (silences_encode_one(s, id, &rec, &rec_len) != 0)
            abort();
        struct silences *s2 = silences_new(INT64_C(120) * 3600 * NS_PER_SEC);
        if (silences_merge(s2, rec, rec_len, FUZZ_NOW, &err) != 1)
            abort(); /* a record we just encoded must merge back */
        silences_free(s2);
        free(rec);
        (void)silences_expire(s, id, FUZZ_NOW + 2 * NS_PER_SEC);
    } else if (err) {
        free(err);
    }
    silence_free(&in);
    silences_free(s);
    return 0;
}
