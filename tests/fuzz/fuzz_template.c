/*
 * fuzz_template: libFuzzer target for template/'s Go text/template lexer and
 * parser (template_set_parse) under the 0.28 function set, and for executing
 * what parses on a small fixed alert group as text and as HTML.  Inputs that
 * could call templates recursively or loop ("template", "block", "range")
 * are only parsed: Go has the same unbounded cost there and it is config the
 * operator writes, so such timeouts would not be findings.
 */
#include "fuzz_common.h"
#include "template/template.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    struct template_set *set = template_set_new(TEMPLATE_COMPAT_0_28);
    char *err = NULL;
    if (template_set_parse(set, "fuzz", text, &err) != 0) {
        free(err);
        goto out;
    }
    if (strstr(text, "template") || strstr(text, "block") || strstr(text, "range"))
        goto out;

    struct template_alert al;
    memset(&al, 0, sizeof al);
    al.status = "firing";
    labelset_set(&al.labels, "alertname", "Fuzz");
    labelset_set(&al.labels, "severity", "page");
    labelset_set(&al.annotations, "summary", "<b>fuzz</b> & \"x\"");
    al.starts_at = INT64_C(1680307200) * NS_PER_SEC;
    al.ends_at = TIME_ZERO;
    al.generator_url = "http://example.com/graph?g0.expr=up";
    al.fingerprint = "0123456789abcdef";
    struct template_data d;
    memset(&d, 0, sizeof d);
    d.receiver = "team\\-x";
    d.status = "firing";
    d.alerts = &al;
    d.n_alerts = 1;
    labelset_set(&d.group_labels, "alertname", "Fuzz");
    labelset_copy(&d.common_labels, &al.labels);
    labelset_copy(&d.common_annotations, &al.annotations);
    d.external_url = "http://am.example.com";

    struct strbuf out = STRBUF_INIT;
    if (template_execute(set, "fuzz", &d, &out, &err) != 0)
        free(err);
    strbuf_reset(&out);
    err = NULL;
    if (template_execute_html(set, "fuzz", &d, &out, &err) != 0)
        free(err);
    strbuf_free(&out);
    labelset_free(&al.labels);
    labelset_free(&al.annotations);
    labelset_free(&d.group_labels);
    labelset_free(&d.common_labels);
    labelset_free(&d.common_annotations);
out:
    template_set_free(set);
    free(text);
    return 0;
}
