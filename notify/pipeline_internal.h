/*
 * The pipeline's private types: one pipeline_flush per notify_flush call,
 * one pipeline_branch per integration of the receiver (0.25's fan-out).
 * Every uv handle here is closed before its memory is freed, and a flush
 * calls its done only once all of its handles are closed.
 */
#ifndef CHORUS_NOTIFY_PIPELINE_INTERNAL_H
#define CHORUS_NOTIFY_PIPELINE_INTERNAL_H

#include "nflog/nflog.h"
#include "notify/notify.h"

struct pipeline_flush;

enum branch_state {
    BRANCH_WAITING,   /* peer wait or backoff timer armed */
    BRANCH_SENDING,   /* an outbound call in flight */
    BRANCH_DONE,
};

struct pipeline_branch {
    struct pipeline_flush *flush;
    struct notify_integration in;
    char *label;     /* "webhook[0]" */
    uv_timer_t timer; /* peer wait, then backoff */
    enum branch_state state;
    struct outbound_call *call;
    struct notify_message msg;
    bool have_msg;
    size_t then_next; /* the next of msg.then to send after a success */
    struct nflog_hashes firing, resolved;
    struct alert *sent; /* shallow copies of the flush's alerts this branch sends */
    size_t n_sent;
    unsigned attempts;
    int64_t backoff;       /* the next backoff's base interval, ns */
    int64_t next_attempt;  /* monotonic: the backoff runs from an attempt's start */
    int64_t attempt_start; /* monotonic */
    char *last_err;
    char *final_err; /* why the branch failed, logged with the flush */
    bool ok;
};

struct pipeline_flush {
    struct notify_env *env;
    struct notify_generation gen;
    const struct dispatch_flush *f;
    void (*done)(void *arg, bool ok);
    void *arg;
    const struct config_receiver *receiver;
    struct alert *kept; /* shallow copies of f->alerts that passed the mute stages */
    size_t n_kept;
    int64_t deadline; /* wall clock: f->deadline plus the peer wait */
    struct pipeline_branch *branches;
    size_t n_branches, pending;
    uv_timer_t finish; /* defers done when no branch runs */
    size_t open_handles;
    bool ok, canceled;
    struct pipeline_flush *prev, *next; /* env->running */
};

/* pipeline_branch.c */
void pipeline_branch_start(struct pipeline_branch *b, int64_t wait);
void pipeline_branch_cancel(struct pipeline_branch *b);
void pipeline_branch_free(struct pipeline_branch *b);
/* pipeline.c: a branch reports its end (b->ok, b->final_err set). */
void pipeline_branch_finished(struct pipeline_branch *b);

#endif
