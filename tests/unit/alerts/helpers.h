/* Shared fixtures for the alerts unit tests: alerts built from name/value
 * lists and a fixed clock. */
#ifndef CHORUS_TEST_ALERTS_HELPERS_H
#define CHORUS_TEST_ALERTS_HELPERS_H

#include "alerts/alerts.h"
#include "util/util.h"

#define SEC NS_PER_SEC
#define MIN (60 * NS_PER_SEC)
/* 2026-11-24T12:00:00Z: a round "now" far from TIME_ZERO. */
#define T0 (INT64_C(1795521600) * NS_PER_SEC)

/* An alert with the given labels (name, value, ..., NULL) and times. */
struct alert test_alert(int64_t starts, int64_t ends, int64_t updated, ...);
/* Frees the previous error and returns alert_validate's message or NULL. */
const char *test_validate(const struct alert *a);

#endif
