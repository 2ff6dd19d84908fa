/*
 * alerts: what the store and the markers share inside the module.  Both maps
 * are keyed by the 8 bytes of the fingerprint; markers live apart from the
 * alerts because the silencer and inhibitor may mark a fingerprint the store
 * does not (or no longer) hold, as Alertmanager's marker does.
 */
#ifndef CHORUS_ALERTS_INTERNAL_H
#define CHORUS_ALERTS_INTERNAL_H

#include "alerts/alerts.h"
#include "util/util.h"

struct alert_store {
    struct hmap alerts;  /* fingerprint -> struct alert * */
    struct hmap markers; /* fingerprint -> struct alert_status * */
};

void alerts__marker_delete(struct alert_store *s, uint64_t fp);
void alerts__markers_free(struct alert_store *s);

#endif
