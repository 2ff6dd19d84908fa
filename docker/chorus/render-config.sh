#!/bin/sh
# The demo image's entrypoint: renders the alertmanager.yml template with the
# receivers switched on by environment variables, then runs chorus on it.
#
#   render-config.sh [CHORUS_FLAGS...]
#       renders $CHORUS_CONFIG_TEMPLATE (default /etc/chorus/alertmanager.yml)
#       to $CHORUS_CONFIG (default /tmp/chorus/alertmanager.yml, mode 0600)
#       and execs: chorus --config.file=$CHORUS_CONFIG CHORUS_FLAGS...
#   render-config.sh --render TEMPLATE OUTPUT
#       only renders (used by the tests)
#
# Why render at all: Alertmanager's config format (and so chorus's) has no
# environment expansion, and secrets such as a Slack webhook URL should not be
# committed.  The template is itself a valid config (mail only); a line that
# starts with "#slack#" is switched on when SLACK_WEBHOOK_URL is set, one that
# starts with "#telegram#" when TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID are.
# @NAME@ on switched-on lines is replaced by the variable's value.  A reload
# (SIGHUP, POST /-/reload) re-reads the rendered file; restart the container
# to pick up changed variables.
set -eu

die() { echo "render-config: $*" >&2; exit 1; }

# A value goes between single quotes in YAML: refuse what would break out.
check_value() {
    case $2 in
    *"'"* | *'
'*) die "$1 must not contain a single quote or a newline" ;;
    esac
}

render() {
    template=$1 output=$2
    [ -r "$template" ] || die "cannot read template $template"
    on=""
    if [ -n "${SLACK_WEBHOOK_URL:-}" ]; then
        check_value SLACK_WEBHOOK_URL "$SLACK_WEBHOOK_URL"
        case $SLACK_WEBHOOK_URL in
        http://* | https://*) ;;
        *) die "SLACK_WEBHOOK_URL must be an http(s) URL" ;;
        esac
        on="$on slack"
    fi
    if [ -n "${TELEGRAM_BOT_TOKEN:-}" ] || [ -n "${TELEGRAM_CHAT_ID:-}" ]; then
        [ -n "${TELEGRAM_BOT_TOKEN:-}" ] && [ -n "${TELEGRAM_CHAT_ID:-}" ] ||
            die "set both TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID (or neither)"
        check_value TELEGRAM_BOT_TOKEN "$TELEGRAM_BOT_TOKEN"
        case $TELEGRAM_CHAT_ID in
        '' | -*[!0-9]* | [!-]*[!0-9]* | -) die "TELEGRAM_CHAT_ID must be a number" ;;
        esac
        on="$on telegram"
    fi
    umask 077
    mkdir -p "$(dirname "$output")"
    # awk's index/substr, not sub(): values may hold & and \ literally.
    ON="$on" awk '
        function replace(line, key, value,   at) {
            while ((at = index(line, "@" key "@")) > 0)
                line = substr(line, 1, at - 1) value substr(line, at + length(key) + 2)
            return line
        }
        BEGIN { n = split(ENVIRON["ON"], names, " "); for (i = 1; i <= n; i++) enabled[names[i]] = 1 }
        /^#(slack|telegram)#/ {
            tag = substr($0, 2, index(substr($0, 2), "#") - 1)
            if (!(tag in enabled)) { print; next }
            line = substr($0, length(tag) + 3)
            line = replace(line, "SLACK_WEBHOOK_URL", ENVIRON["SLACK_WEBHOOK_URL"])
            line = replace(line, "TELEGRAM_BOT_TOKEN", ENVIRON["TELEGRAM_BOT_TOKEN"])
            line = replace(line, "TELEGRAM_CHAT_ID", ENVIRON["TELEGRAM_CHAT_ID"])
            print line
            next
        }
        { print }
    ' "$template" >"$output.tmp"
    mv "$output.tmp" "$output"
    echo "render-config: $output from $template; receivers switched on:${on:- none beyond mail}" >&2
}

if [ "${1:-}" = --render ]; then
    [ $# -eq 3 ] || die "usage: $0 --render TEMPLATE OUTPUT"
    render "$2" "$3"
    exit 0
fi

config=${CHORUS_CONFIG:-/tmp/chorus/alertmanager.yml}
render "${CHORUS_CONFIG_TEMPLATE:-/etc/chorus/alertmanager.yml}" "$config"
exec "${CHORUS_BIN:-chorus}" --config.file="$config" "$@"
