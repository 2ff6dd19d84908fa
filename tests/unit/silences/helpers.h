/*
 * helpers.h: shared fixtures for the silences unit tests: a fixed clock,
 * building silences from a compact matcher string, and shorthands for the
 * calls every test makes.
 */
#ifndef CHORUS_TEST_SILENCES_HELPERS_H
#define CHORUS_TEST_SILENCES_HELPERS_H

#include "silences/silences.h"
#include "util/util.h"

/* 2026-11-24T12:00:00Z, near the times in the Alertmanager fixture. */
#define T0 (INT64_C(1795521600) * NS_PER_SEC)
#define SEC NS_PER_SEC
#define MIN (60 * NS_PER_SEC)
#define HOUR (3600 * NS_PER_SEC)
#define RETENTION (120 * HOUR)

/* spec: comma-separated matchers like `a=b,c=~x.*,d!=e,f!~g`; "" for none. */
void sil_build(struct silence *s, const char *spec, int64_t starts_at, int64_t ends_at);
/* Creates a silence that must succeed; returns its id in a static rotating buffer. */
const char *sil_create(struct silences *st, const char *spec, int64_t starts_at,
                       int64_t ends_at, int64_t now);
/* silences_set with in->id = id; returns the rc, the new id in out_id, the error in *err. */
int sil_update(struct silences *st, const char *id, const char *spec, int64_t starts_at,
               int64_t ends_at, int64_t now, char out_id[37], char **err);
/* The error text silences_set gives for spec, or NULL on success. Caller frees. */
char *sil_create_err(struct silences *st, const char *spec, int64_t starts_at, int64_t ends_at,
                     int64_t now);
void labels_build(struct labelset *ls, const char *spec); /* `a=b,c=d` */

#endif
