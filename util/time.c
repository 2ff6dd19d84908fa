/*
 * Wall-clock time as int64 nanoseconds since the Unix epoch, and the textual
 * forms Alertmanager's API and payloads use.  The calendar arithmetic is done
 * here (proleptic Gregorian, UTC) rather than through timegm/gmtime so the
 * results never depend on the process's TZ.
 */
#include "util/util.h"

#include <stdio.h>
#include <time.h>

int64_t time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

int64_t time_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* H. Hinnant's algorithms. */
int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void time_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Years beyond 9999 cannot occur in int64 ns; the bound keeps -Wformat happy. */
static void copy_bounded(char *out, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, src, n);
    out[n] = '\0';
}

struct civil {
    int64_t year;
    unsigned month, day, hour, min, sec;
    int64_t nsec;
};

static void civil_from_time(int64_t t, struct civil *c)
{
    int64_t secs = t / NS_PER_SEC, nsec = t % NS_PER_SEC;
    if (nsec < 0) {
        nsec += NS_PER_SEC;
        secs--;
    }
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    time_civil_from_days(days, &c->year, &c->month, &c->day);
    c->hour = (unsigned)(rem / 3600);
    c->min = (unsigned)(rem / 60 % 60);
    c->sec = (unsigned)(rem % 60);
    c->nsec = nsec;
}

void time_format_api(int64_t t, char out[32])
{
    char tmp[64];
    if (t == TIME_ZERO) {
        strcpy(out, "0001-01-01T00:00:00.000Z");
        return;
    }
    struct civil c;
    civil_from_time(t, &c);
    snprintf(tmp, sizeof tmp, "%04lld-%02u-%02uT%02u:%02u:%02u.%03lldZ", (long long)c.year,
             c.month % 13, c.day % 32, c.hour % 24, c.min % 60, c.sec % 60,
             (long long)(c.nsec / NS_PER_MS));
    copy_bounded(out, 32, tmp);
}

void time_format_rfc3339nano(int64_t t, char out[40])
{
    char tmp[96];
    if (t == TIME_ZERO) {
        strcpy(out, "0001-01-01T00:00:00Z");
        return;
    }
    struct civil c;
    civil_from_time(t, &c);
    int n = snprintf(tmp, sizeof tmp, "%04lld-%02u-%02uT%02u:%02u:%02u", (long long)c.year,
                     c.month % 13, c.day % 32, c.hour % 24, c.min % 60, c.sec % 60);
    if (c.nsec) {
        char frac[11];
        snprintf(frac, sizeof frac, ".%09lld", (long long)c.nsec);
        size_t l = strlen(frac);
        while (frac[l - 1] == '0')
            frac[--l] = '\0';
        n += snprintf(tmp + n, sizeof tmp - (size_t)n, "%s", frac);
    }
    snprintf(tmp + n, sizeof tmp - (size_t)n, "Z");
    copy_bounded(out, 40, tmp);
}

static int digits(const char **p, int count, int *out)
{
    int v = 0;
    for (int i = 0; i < count; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += count;
    *out = v;
    return 0;
}

static int expect(const char **p, char c)
{
    if (**p != c)
        return -1;
    (*p)++;
    return 0;
}

static const int days_in_month[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

int time_parse_rfc3339(const char *s, int64_t *out)
{
    const char *p = s;
    int year, mon, day, hour, min, sec;
    if (digits(&p, 4, &year) || expect(&p, '-') || digits(&p, 2, &mon) || expect(&p, '-') ||
        digits(&p, 2, &day))
        return -1;
    if (*p != 'T' && *p != 't')
        return -1;
    p++;
    if (digits(&p, 2, &hour) || expect(&p, ':') || digits(&p, 2, &min) || expect(&p, ':') ||
        digits(&p, 2, &sec))
        return -1;
    if (mon < 1 || mon > 12 || day < 1 || day > days_in_month[mon - 1] || hour > 23 || min > 59 ||
        sec > 59)
        return -1;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (mon == 2 && day == 29 && !leap)
        return -1;
    int64_t nsec = 0;
    if (*p == '.' || *p == ',') {
        p++;
        int n = 0;
        while (*p >= '0' && *p <= '9') {
            if (n < 9)
                nsec = nsec * 10 + (*p - '0');
            n++;
            p++;
        }
        if (n == 0)
            return -1;
        for (; n < 9; n++)
            nsec *= 10;
    }
    int64_t offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        p++;
        if (digits(&p, 2, &oh) || expect(&p, ':') || digits(&p, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset = sign * ((int64_t)oh * 3600 + om * 60);
    }
    /* A bare local time ("2006-01-02T15:04:05") is read as UTC. */
    if (*p != '\0')
        return -1;
    if (year == 1 && mon == 1 && day == 1 && hour == 0 && min == 0 && sec == 0 && nsec == 0 &&
        offset == 0) {
        *out = TIME_ZERO;
        return 0;
    }
    int64_t secs = time_days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 +
                   hour * 3600 + min * 60 + sec - offset;
    /* int64 nanoseconds cover 1677-09-21 .. 2262-04-11. */
    if (secs < INT64_C(-9223372035) || secs > INT64_C(9223372035))
        return -2;
    *out = secs * NS_PER_SEC + nsec;
    return 0;
}
