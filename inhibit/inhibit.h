/*
 * inhibit: Alertmanager 0.25's inhibitor.  Decides whether a label set is
 * muted by some firing alert under the config's inhibit_rules.
 *
 * Each rule caches a copy of every observed alert that matches its source
 * matchers, keyed by fingerprint (a re-post replaces the copy).  mutes() walks
 * the rules in config order.  A rule applies when the target matches all its
 * target matchers.  It then looks for a cached source that is not resolved at
 * `now` and has the target's value for every `equal` label (absent counts as
 * "").  When the target also matches the rule's source matchers, sources that
 * match the target matchers are skipped, so an alert matching both sides
 * inhibits neither itself nor another two-sided alert.  The first hit wins.
 * Within one rule sources are tried in the order they were first cached.
 *
 * Sources are indexed by a hash of their `equal` values, so a lookup examines
 * only sources that share the target's values (and the rare hash collision,
 * which is verified away).  Resolved sources stay cached, and are skipped,
 * until inhibitor_gc() drops them; 0.25 does this every 15 minutes.
 *
 * The inhibitor keeps pointers to the config's rules, so the config must
 * outlive it.  On reload, build a new inhibitor and re-feed it the store.
 * It is not thread-safe; time is always a parameter.
 */
#ifndef CHORUS_INHIBIT_H
#define CHORUS_INHIBIT_H

#include "alerts/alerts.h"
#include "config/config.h"
#include "labels/labels.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct inhibitor;

/* A NULL config gives an inhibitor with no rules, which never mutes. */
struct inhibitor *inhibitor_new(const struct config *c);
void inhibitor_free(struct inhibitor *ih);

/* Feed every stored alert here after each alert_store_put().  The alert is
 * copied (labels, times and fingerprint; not annotations) into each rule
 * whose source matchers it matches.  a->fingerprint must be that of
 * a->labels, as the store keeps it. */
void inhibitor_observe(struct inhibitor *ih, const struct alert *a);
/* Observes every alert in the store: what to do with a fresh inhibitor
 * after a reload. */
void inhibitor_observe_store(struct inhibitor *ih, const struct alert_store *s);

/* True when some rule mutes the target.  *source_fp (when not NULL) is then
 * set to the fingerprint of the inhibiting alert. */
bool inhibitor_mutes(const struct inhibitor *ih, const struct labelset *target, int64_t now,
                     uint64_t *source_fp);
/* The same, and it adds to *examined the number of cached sources it
 * looked at.  This lets tests and benchmarks check that the equal index
 * does its job. */
bool inhibitor_mutes_count(const struct inhibitor *ih, const struct labelset *target,
                           int64_t now, uint64_t *source_fp, size_t *examined);

/* Drops sources resolved at `now` from every rule's cache.  Returns how many
 * cache entries were dropped (one alert cached by two rules counts twice). */
size_t inhibitor_gc(struct inhibitor *ih, int64_t now);
/* Cached entries over all rules, for tests and metrics. */
size_t inhibitor_source_count(const struct inhibitor *ih);

#endif
