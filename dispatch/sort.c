/*
 * The order of alerts inside a group and a notification (0.25's
 * types.AlertSlice under sort.Stable): by `job`, then `instance`, an alert
 * carrying the label before one lacking it, then label-set order.  Stable,
 * so a merge sort: qsort makes no such promise.
 */
#include "dispatch/dispatch.h"
#include "util/util.h"

#include <stdlib.h>

static const char *const override_keys[] = {"job", "instance"};

static int alert_order(const struct alert *a, const struct alert *b)
{
    for (size_t i = 0; i < ARRAY_SIZE(override_keys); i++) {
        const char *va = labelset_get(&a->labels, override_keys[i]);
        const char *vb = labelset_get(&b->labels, override_keys[i]);
        if (!va && !vb)
            continue;
        if (!va)
            return 1;
        if (!vb)
            return -1;
        int c = strcmp(va, vb);
        if (c)
            return c;
    }
    return labelset_compare(&a->labels, &b->labels);
}

/* Merges the sorted runs src[lo, mid) and src[mid, hi) into dst, taking
 * from the left run on ties to stay stable. */
static void merge_runs(const struct alert **dst, const struct alert **src, size_t lo,
                       size_t mid, size_t hi)
{
    size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi)
        dst[k++] = alert_order(src[j], src[i]) < 0 ? src[j++] : src[i++];
    while (i < mid)
        dst[k++] = src[i++];
    while (j < hi)
        dst[k++] = src[j++];
}

void dispatch_alerts_sort(const struct alert **alerts, size_t n)
{
    if (n < 2)
        return;
    const struct alert **tmp = xmalloc(n * sizeof *tmp);
    const struct alert **src = alerts, **dst = tmp;
    /* Bottom-up: runs of width 1, 2, 4... ping-ponging between buffers. */
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            merge_runs(dst, src, lo, mid, hi);
        }
        const struct alert **t = src;
        src = dst;
        dst = t;
    }
    if (src != alerts)
        memcpy(alerts, src, n * sizeof *alerts);
    free(tmp);
}
