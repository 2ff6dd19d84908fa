#!/usr/bin/env python3
"""bench/template_amtool.py: the render times of bench/template_bench, for
scale, from Alertmanager 0.25's amtool.

  bench/template_amtool.py BUILD_DIR [ROUNDS]

Writes the same alert group as template_bench (template_bench --json) and runs
`amtool template render` ROUNDS times (default 30) for each of: a trivial text
template, the ten Slack default fields in one text, a trivial html template
and email.default.html.  Each amtool process starts, parses Alertmanager's
default templates (Debian installs them in /usr/share/prometheus/alertmanager;
its amtool has none built in) and the data, then renders: the trivial
templates measure all of that, so a render costs the difference.  Rounds
alternate the cases; printed are the median and minimum of wall time and of
the process's CPU time (user + system).
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

AM_DEFAULTS = os.environ.get("AM_DEFAULTS", "/usr/share/prometheus/alertmanager")
SLACK_FIELDS = ("title username fallback callbackid pretext titlelink iconemoji iconurl "
                "text footer").split()


def main():
    build = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    with tempfile.NamedTemporaryFile("w", suffix=".json") as data:
        subprocess.run([os.path.join(build, "template_bench"), "--alerts", "100", "--json"],
                       stdout=data, check=True)
        data.flush()
        common = ["amtool", "template", "render",
                  "--template.glob=" + os.path.join(AM_DEFAULTS, "default.tmpl"),
                  "--template.glob=" + os.path.join(AM_DEFAULTS, "email.tmpl"),
                  "--template.data=" + data.name]
        slack = "".join('{{ template "slack.default.%s" . }}' % f for f in SLACK_FIELDS)
        cases = {
            "trivial text": ["--template.text={{ .Status }}"],
            "slack fields": ["--template.text=" + slack],
            "trivial html": ["--template.type=html", "--template.text={{ .Status }}"],
            "email html": ["--template.type=html",
                           '--template.text={{ template "email.default.html" . }}'],
        }
        wall = {k: [] for k in cases}
        cpu = {k: [] for k in cases}
        for _ in range(rounds):
            for name, args in cases.items():
                start = time.perf_counter()
                proc = subprocess.Popen(common + args, stdout=subprocess.DEVNULL)
                _, status, usage = os.wait4(proc.pid, 0)
                if os.waitstatus_to_exitcode(status) != 0:
                    sys.exit("amtool failed for " + name)
                wall[name].append((time.perf_counter() - start) * 1000)
                cpu[name].append((usage.ru_utime + usage.ru_stime) * 1000)
    for name in cases:
        print("%-13s wall median %6.1f ms min %6.1f ms | cpu median %6.1f ms min %6.1f ms" % (
            name, statistics.median(wall[name]), min(wall[name]),
            statistics.median(cpu[name]), min(cpu[name])))


if __name__ == "__main__":
    main()
