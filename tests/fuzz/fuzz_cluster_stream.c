/*
 * fuzz_cluster_stream: libFuzzer target for ml_stream_decode, the reader of
 * memberlist's TCP stream messages (push/pull with node states, reliable
 * user messages, fallback ping/ack, err; plain or compressed).  A message
 * that decodes must decode the same way from any longer buffer, "need more"
 * must hold for every shorter prefix checked, and a push/pull or user
 * message must re-encode to something that decodes again.
 */
#include <stdlib.h>

#include "cluster/cluster.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keeps runs fast: the cap's handling is exercised, not the size. */
#define FUZZ_MAX_PLAIN 4096

static void reencode(const struct ml_stream_msg *m)
{
    struct strbuf sb = STRBUF_INIT;
    if (m->type == ML_PUSH_PULL)
        ml_push_pull_encode(&sb, m->push_pull.join, m->push_pull.nodes, m->push_pull.n_nodes,
                            m->push_pull.user_state.p, m->push_pull.user_state.len);
    else if (m->type == ML_USER)
        ml_user_stream_encode(&sb, m->user.p, m->user.len);
    else
        return;
    struct ml_stream_msg back;
    size_t used;
    char *err = NULL;
    if (ml_stream_decode((const uint8_t *)sb.buf, sb.len, FUZZ_MAX_PLAIN, &back, &used, &err) != 1 ||
        used != sb.len || back.type != m->type)
        abort();
    if (m->type == ML_PUSH_PULL && back.push_pull.n_nodes != m->push_pull.n_nodes)
        abort();
    ml_stream_msg_free(&back);
    strbuf_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ml_stream_msg m;
    size_t used = 0;
    char *err = NULL;
    int rc = ml_stream_decode(data, size, FUZZ_MAX_PLAIN, &m, &used, &err);
    if (rc < 0) {
        if (!err || !*err)
            abort();
        free(err);
        return 0;
    }
    if (rc == 0)
        return 0;
    if (used == 0 || used > size)
        abort();
    reencode(&m);
    ml_stream_msg_free(&m);
    /* The same message from exactly its bytes; a prefix is never complete. */
    if (ml_stream_decode(data, used, FUZZ_MAX_PLAIN, &m, &used, &err) != 1)
        abort();
    ml_stream_msg_free(&m);
    size_t short_len = used / 2;
    if (ml_stream_decode(data, short_len, FUZZ_MAX_PLAIN, &m, &used, &err) == 1)
        abort();
    free(err);
    ml_stream_msg_free(&m);
    return 0;
}
