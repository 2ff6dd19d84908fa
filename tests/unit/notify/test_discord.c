/* Discord webhook payloads against what Alertmanager 0.25 sent. */
#include "integ_fixture.h"

#include <criterion/criterion.h>

Test(discord, long_texts_unicode_html)
{
    integ_check_scenario("discord_basic", "discord_basic", NOTIFY_DISCORD, "/discord_basic/discord",
                         0);
}

Test(discord, red_when_firing_green_when_resolved)
{
    integ_check_scenario("resolve", "resolve", NOTIFY_DISCORD, "/resolve/discord", 0);
    integ_check_scenario("resolve", "resolve", NOTIFY_DISCORD, "/resolve/discord", 1);
}
