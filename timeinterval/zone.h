/*
 * Private to timeinterval/: IANA zones read from TZif files, the way Go's
 * time package loads and consults them, so a wall clock computed here is
 * the one 0.25's t.In(location) gives.
 */
#ifndef CHORUS_TIMEINTERVAL_ZONE_H
#define CHORUS_TIMEINTERVAL_ZONE_H

#include <stddef.h>
#include <stdint.h>

struct zone;

/* The zone of that name, loaded once and kept for the process's life: "UTC"
 * (or "") is UTC, "Local" the zone of TZ / /etc/localtime, anything else a
 * TZif file under $ZONEINFO or the system's zoneinfo directories.  NULL
 * when it cannot be loaded.  Thread-safe. */
const struct zone *zone_get(const char *name);

/* The UTC offset in seconds at a Unix second. */
int32_t zone_offset_at(const struct zone *z, int64_t unix_sec);

/* The weekday (0 = sunday) of a day counted from 1970-01-01. */
int zone_weekday(int64_t days);

/* A TZif image parsed on its own (no cache): for tests and for zone_get.
 * NULL when malformed. */
struct zone *zone_parse_tzif(const uint8_t *data, size_t len);
void zone_free(struct zone *z);

#endif
