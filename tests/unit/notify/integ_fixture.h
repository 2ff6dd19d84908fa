/* Shared by the integration builders' tests: the notifications captured
 * from Alertmanager 0.25 in tests/fixtures/notify/ (see capture.py there),
 * and the inputs to build the same ones with chorus. */
#ifndef CHORUS_TEST_INTEG_FIXTURE_H
#define CHORUS_TEST_INTEG_FIXTURE_H

#include "notify/notify.h"

#include <jansson.h>

struct integ_fixture {
    struct config *config;
    const struct config_receiver *receiver;
    struct notify_integration *integrations;
    size_t n_integrations;
    struct template_set *tmpl;
    json_t *captured;         /* the scenario's <name>.json */
    struct alert *alerts;     /* from the reference webhook's phase-th body */
    size_t n_alerts;
    struct labelset group_labels;
    char *group_key;
    struct notify_group group;
};

/* Loads scenario `name` (receiver `receiver`), phase 0 (or 1: the resolve
 * scenario's second notification).  Aborts the test on any failure. */
void integ_load(struct integ_fixture *f, const char *name, const char *receiver, int phase);
void integ_free(struct integ_fixture *f);

/* The integration of this kind with this index. */
const struct notify_integration *integ_find(const struct integ_fixture *f,
                                            enum notify_kind kind, uint32_t idx);
/* The n-th captured HTTP request whose path starts with prefix, or NULL. */
json_t *integ_request(const struct integ_fixture *f, const char *prefix, size_t n);
/* A captured request's header value (first), or NULL. */
const char *integ_header(json_t *req, const char *name);
/* Alerts as the integration gets them: only firing ones without
 * send_resolved. */
void integ_group_for(struct integ_fixture *f, const struct notify_integration *in,
                     struct notify_group *out, struct alert **storage);

/* Builds the notification and checks it against the captured request:
 * method, path and query, the headers 0.25 sets itself, and the body byte
 * for byte. */
void integ_check_http(const struct outbound_http_request *req, json_t *captured);

/* Builds the notification of kind[idx] for the fixture's group (filtered
 * by send_resolved); asserts it builds. */
void integ_build(struct integ_fixture *f, enum notify_kind kind, uint32_t idx,
                 struct notify_message *out);
/* Loads scenario (phase), builds kind[0] and checks it against the phase-th
 * request captured under path_prefix. */
void integ_check_scenario(const char *scenario, const char *receiver, enum notify_kind kind,
                          const char *path_prefix, int phase);
/* The same, with a copy of the captured request adjusted first (and the
 * fixture, e.g. its clock) for what the built request cannot match as is:
 * a path behind a proxy, a header outbound/ adds when sending. */
typedef void integ_adjust(struct integ_fixture *f, json_t *captured);
void integ_check_adjusted(const char *scenario, const char *receiver, enum notify_kind kind,
                          const char *path_prefix, int phase, integ_adjust *adjust);
/* The same for a receiver named as its scenario whose requests went to
 * /<scenario>/<kind name>...; adjust may be NULL. */
void integ_check_kind(const char *scenario, enum notify_kind kind, int phase,
                      integ_adjust *adjust);

#endif
