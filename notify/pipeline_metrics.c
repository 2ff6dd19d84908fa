/*
 * The pipeline's histogram layouts, alone in this file so that /metrics can
 * read them without linking the pipeline itself.
 */
#include "notify/notify.h"

const double NOTIFY_LATENCY_BUCKETS[5] = {1, 5, 10, 15, 20};
/* client_golang's prometheus.DefBuckets, which 0.25's nflog uses. */
const double NOTIFY_NFLOG_QUERY_BUCKETS[11] = {.005, .01, .025, .05, .1, .25,
                                               .5,   1,   2.5,  5,   10};
