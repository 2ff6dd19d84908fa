/* Shared fixtures for the inhibitor unit tests: configs holding only
 * inhibit rules, alerts built from name/value lists, and a fixed clock. */
#ifndef CHORUS_TEST_INHIBIT_HELPERS_H
#define CHORUS_TEST_INHIBIT_HELPERS_H

#include "inhibit/inhibit.h"
#include "util/util.h"

#define SEC NS_PER_SEC
#define MIN (60 * NS_PER_SEC)
/* 2026-11-24T12:00:00Z: a round "now" far from TIME_ZERO. */
#define T0 (INT64_C(1795521600) * NS_PER_SEC)

/* Loads a minimal config whose inhibit_rules are the given YAML sequence
 * (the lines that follow "inhibit_rules:"); fails the test on error. */
struct config *tconfig(const char *rules_yaml);
/* A label set from name, value, ..., NULL. */
struct labelset tlabels(const char *name, ...);
/* An alert started a minute before T0, ending at `ends` (TIME_ZERO: unset),
 * with labels from name, value, ..., NULL and its fingerprint filled. */
struct alert talert(int64_t ends, ...);

#endif
