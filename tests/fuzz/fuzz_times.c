/*
 * fuzz_times: libFuzzer target for the time and duration parsers: util/'s
 * time_parse_rfc3339, duration_parse_prom and duration_parse_go, and api/'s
 * strfmt.DateTime parser (api_datetime_parse).  The first byte picks one.
 * Checked: a parsed Prometheus duration formats to a string that parses back
 * to the same value; a parsed RFC 3339 time formats (RFC3339Nano, UTC) to a
 * string that parses back to the same instant.
 */
#include "fuzz_common.h"
#include "api/api_internal.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0] % 4;
    char *in = fuzz_cstr(data + 1, size - 1);
    int64_t v = 0, again = 0;
    char *err = NULL;
    switch (mode) {
    case 0:
        if (time_parse_rfc3339(in, &v) == 0 && v != TIME_ZERO) {
            char buf[40];
            time_format_rfc3339nano(v, buf);
            int rc = time_parse_rfc3339(buf, &again);
            /* -2 (range) is tolerated: the bounds are on the year written. */
            if (rc == -1 || (rc == 0 && again != v))
                abort();
            char api[32];
            time_format_api(v, api);
        }
        break;
    case 1:
        if (duration_parse_prom(in, &v) == 0) {
            char buf[64];
            duration_format_prom(v, buf);
            if (duration_parse_prom(buf, &again) != 0 || again != v)
                abort();
        }
        break;
    case 2:
        if (duration_parse_go(in, &v, &err) != 0)
            free(err);
        break;
    case 3:
        /* Binary-safe: the API hands the JSON string with its length. */
        if (api_datetime_parse((const char *)data + 1, size - 1, &v, &err) != 0)
            free(err);
        break;
    }
    free(in);
    return 0;
}
