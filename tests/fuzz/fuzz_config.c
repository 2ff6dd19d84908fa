/*
 * fuzz_config: libFuzzer target for config_load_string, the alertmanager.yml
 * loader (YAML parsing, schema, defaults, route tree, inhibit rules,
 * receivers, templates list).  A config that loads is also rendered
 * (config_original), hashed and walked through its receivers, and the
 * rendered YAML must load again.
 */
#include "fuzz_common.h"
#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct config *c = NULL;
    char *err = NULL;
    if (config_load_string((const char *)data, size, "fuzz.yml", &c, &err) != 0) {
        free(err);
        return 0;
    }
    (void)config_hash(c);
    (void)config_resolve_timeout(c);
    (void)config_integration_count(c);
    size_t n = config_receiver_count(c);
    for (size_t i = 0; i < n; i++) {
        struct config_receiver_info ri = config_receiver_at(c, i);
        if (!ri.name)
            abort();
    }
    const char *orig = config_original(c);
    if (orig) {
        struct config *c2 = NULL;
        if (config_load_string(orig, strlen(orig), "original.yml", &c2, &err) == 0)
            config_free(c2);
        else
            free(err);
    }
    config_free(c);
    return 0;
}
