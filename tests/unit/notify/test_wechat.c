/* WeChat is not built: 0.25 GETs <api_url>gettoken?corpid=..&corpsecret=..
 * and POSTs message/send?access_token=<the token it got>, and a message's
 * requests are fixed when it is built (docs/architecture.md says what the
 * contract would need).  wechat_basic.json keeps 0.25's two requests for
 * whoever builds it. */
#include "integ_fixture.h"

#include <criterion/criterion.h>
#include <stdlib.h>

Test(wechat, not_supported_and_0_25_needs_the_token_reply_first)
{
    struct integ_fixture f;
    integ_load(&f, "wechat_basic", "wechat_basic", 0);
    const struct notify_integration *in = integ_find(&f, NOTIFY_WECHAT, 0);
    cr_assert(!in->supported);
    struct notify_message m;
    bool retry = true;
    char *err = NULL;
    cr_assert_eq(notify_build(in, f.tmpl, &f.group, &m, &retry, &err), -1);
    cr_assert(!retry);
    cr_assert_str_eq(err, "wechat: integration not supported yet by chorus");
    free(err);

    json_t *token = integ_request(&f, "/wechat_basic/gettoken?", 0);
    json_t *send = integ_request(&f, "/wechat_basic/message/send?", 0);
    cr_assert_not_null(token);
    cr_assert_not_null(send);
    cr_assert_str_eq(json_string_value(json_object_get(token, "method")), "GET");
    cr_assert_str_eq(json_string_value(json_object_get(send, "path")),
                     "/wechat_basic/message/send?access_token=tok-1");
    integ_free(&f);
}
