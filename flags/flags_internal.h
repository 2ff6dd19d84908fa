/*
 * flags: the flag table shared by the parser and the help printer (private
 * to flags/).
 */
#ifndef CHORUS_FLAGS_INTERNAL_H
#define CHORUS_FLAGS_INTERNAL_H

#include "flags/flags.h"

#include <stddef.h>

enum flag_kind {
    FLAG_STRING,     /* last value wins; may not be repeated */
    FLAG_STRINGS,    /* cumulative */
    FLAG_DURATION,   /* Go duration */
    FLAG_INT,        /* kingpin parses it as a float */
    FLAG_BOOL,       /* --x / --no-x */
    FLAG_LOG_LEVEL,  /* promlog's checked enum */
    FLAG_LOG_FORMAT,
    FLAG_HELP,       /* -h, --help, --help-long */
    FLAG_VERSION,
};

struct flag_def {
    const char *name;
    enum flag_kind kind;
    char short_name;    /* 0 when none */
    const char *def;    /* kingpin Default(); NULL when none */
    size_t offset;      /* of the value in struct flags */
    size_t count_offset; /* FLAG_STRINGS: of the count */
    const char *help;   /* wrapped as kingpin wraps it at 80 columns */
    bool hidden;        /* accepted but not listed by --help */
};

extern const struct flag_def flag_defs[];
extern const size_t flag_defs_count;

const struct flag_def *flag_lookup(const char *name, size_t len);

#endif
