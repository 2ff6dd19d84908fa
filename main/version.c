/*
 * --version output and the start-up log's version fields, in the shape of
 * Prometheus' version package so scripts that read Alertmanager's version
 * block read chorus's too.
 */
#include "main/daemon.h"
#include "util/util.h"

#include <stdio.h>

#ifndef CHORUS_VERSION
#define CHORUS_VERSION "0.0.0"
#endif
#ifndef CHORUS_REVISION
#define CHORUS_REVISION "unknown"
#endif
#define CHORUS_BRANCH "unknown"
#define CHORUS_BUILD_USER "unknown"

#if defined(__x86_64__)
#define CHORUS_ARCH "amd64"
#elif defined(__aarch64__)
#define CHORUS_ARCH "arm64"
#elif defined(__i386__)
#define CHORUS_ARCH "386"
#elif defined(__arm__)
#define CHORUS_ARCH "arm"
#else
#define CHORUS_ARCH "unknown"
#endif
#define CHORUS_PLATFORM "linux/" CHORUS_ARCH

#if defined(__clang__)
#define CHORUS_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define CHORUS_COMPILER "gcc " __VERSION__
#else
#define CHORUS_COMPILER "unknown"
#endif

/* __DATE__ ("Nov 25 2026") and __TIME__ as Prometheus' "20261125-07:30:00". */
static void build_date(char out[32])
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char *d = __DATE__;
    int month = 0;
    for (int i = 0; i < 12; i++)
        if (strncmp(d, months + 3 * i, 3) == 0)
            month = i + 1;
    int day = (d[4] == ' ' ? 0 : d[4] - '0') * 10 + (d[5] - '0');
    snprintf(out, 32, "%.4s%02d%02d-%s", d + 7, month, day, __TIME__);
}

void version_print(const char *prog)
{
    char date[32];
    build_date(date);
    printf("%s, version %s (branch: %s, revision: %s)\n", prog, CHORUS_VERSION, CHORUS_BRANCH,
           CHORUS_REVISION);
    printf("  build user:       %s\n", CHORUS_BUILD_USER);
    printf("  build date:       %s\n", date);
    printf("  compiler:         %s\n", CHORUS_COMPILER);
    printf("  platform:         %s\n", CHORUS_PLATFORM);
}

char *version_info(void)
{
    return xasprintf("(version=%s, branch=%s, revision=%s)", CHORUS_VERSION, CHORUS_BRANCH,
                     CHORUS_REVISION);
}

char *version_build_context(void)
{
    char date[32];
    build_date(date);
    return xasprintf("(compiler=%s, platform=%s, user=%s, date=%s)", CHORUS_COMPILER,
                     CHORUS_PLATFORM, CHORUS_BUILD_USER, date);
}
