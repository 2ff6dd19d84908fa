/*
 * timeinterval: whether an instant falls inside one of alertmanager.yml's
 * named time intervals, as 0.25's pkg/timeinterval decides it for the
 * pipeline's TimeActive and TimeMute stages.
 *
 * A named interval contains an instant when any of its specs does; a spec
 * when every field it sets does (times as [start, end) minutes of the day,
 * weekdays, days_of_month with negative days counted from the month's end,
 * months, years), all evaluated on the wall clock of the spec's location.
 * Locations are IANA zones read from the system's zoneinfo (TZif files),
 * cached after the first use; "Local" is the process's zone; unset is UTC.
 * Pure apart from reading zone files; the instant is always a parameter.
 */
#ifndef CHORUS_TIMEINTERVAL_H
#define CHORUS_TIMEINTERVAL_H

#include "config/config.h"

#include <stdbool.h>
#include <stdint.h>

/* now: ns since the epoch. */
bool timeinterval_contains(const struct config_time_interval *ti, int64_t now);
bool timeinterval_spec_contains(const struct config_time_spec *spec, int64_t now);

/* The UTC offset, in seconds, of an IANA zone at an instant; 0 and false
 * when the zone cannot be read (the caller then evaluates in UTC, and config
 * loading has already rejected unknown zones). */
bool timeinterval_zone_offset(const char *zone, int64_t now, int32_t *offset);

#endif
