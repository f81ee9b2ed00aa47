#!/usr/bin/env python3
"""Turns bench/soak.sh's results into the soak section of a results file (and the plot).

The section sits between the markers below; it replaces an earlier one or is appended. Each
metric passes when its end value (mean of the last W samples under load) is within 10 % of its
value after warm-up (mean of the first W samples under load after the warm-up), W = 3 when there
are enough samples. With --check (quick mode) it fails only when the soak produced no numbers:
no samples, a metric never read, a kind of traffic that never ran, or no config reload applied.
With --plot FILE it draws the samples (needs matplotlib).
"""
import argparse
import json
import os
import sys

BEGIN, END = "<!-- soak:begin -->", "<!-- soak:end -->"
METRICS = [  # key, label, unit
    ("rss_mb", "RSS", "MB"),
    ("heap_live_mb", "live heap after GC", "MB"),
    ("threads", "threads", ""),
    ("fds", "file descriptors", ""),
    ("upstream_conns", "upstream connections (ESTABLISHED to the mock)", ""),
]
TOLERANCE = 0.10


def mean(xs):
    return sum(xs) / len(xs) if xs else None


def fmt(v, nd=1):
    if v is None:
        return "–"
    if isinstance(v, int):
        return f"{v:,}"
    return f"{v:,.{nd}f}"


def slope_per_10min(load, key):
    """Least-squares slope of the samples under load, per 10 minutes (None with < 3 samples)."""
    if len(load) < 3:
        return None
    xs, ys = [s["t_s"] for s in load], [s[key] for s in load]
    mx, my = mean(xs), mean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx * 600 if sxx else None


def verdicts(samples):
    load = [s for s in samples if s["phase"] == "load"]
    w = min(3, max(1, len(load) // 3))
    base, end = load[:w], load[-w:]
    out = []
    for key, label, unit in METRICS:
        b, e = mean([s[key] for s in base]), mean([s[key] for s in end])
        if b is None or e is None:
            out.append((key, label, unit, b, e, None, None))
            continue
        change = (e - b) / b if b else (0.0 if e == 0 else float("inf"))
        out.append((key, label, unit, b, e, change, abs(change) <= TOLERANCE))
    return out, w, base, end


def spread(samples, key):
    load = [s[key] for s in samples if s["phase"] == "load"]
    return (min(load), max(load)) if load else (None, None)


def plot(samples, warmup_s, path, bases=None):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(METRICS), 1, figsize=(7, 8), sharex=True, dpi=80)
    mins = [s["t_s"] / 60 for s in samples]
    for ax, (key, label, unit) in zip(axes, METRICS):
        ax.plot(mins, [s[key] for s in samples], marker=".", linewidth=1)
        ax.axvline(warmup_s / 60, color="grey", linestyle="--", linewidth=0.8)
        if bases and bases.get(key):
            b = bases[key]
            ax.axhspan(b * (1 - TOLERANCE), b * (1 + TOLERANCE), color="green", alpha=0.12, linewidth=0)
        ax.set_ylabel(f"{label.split(' (')[0]}" + (f"\n({unit})" if unit else ""), fontsize=8)
        ax.set_ylim(bottom=0)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("minutes (dashed: end of warm-up; band: ±10 % of the value after warm-up; "
                        "last point: idle after the load)", fontsize=8)
    fig.suptitle("Gateway resources during the soak (sampled after a forced full GC)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=80)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--soak", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--mock-before", required=True)
    ap.add_argument("--mock-after", required=True)
    ap.add_argument("--splice", required=True, help="the markdown file whose soak section is written")
    ap.add_argument("--plot", help="PNG to draw (needs matplotlib)")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()

    r = json.load(open(a.soak))
    meta = json.load(open(a.meta))
    mb, ma = json.load(open(a.mock_before)), json.load(open(a.mock_after))
    samples = r["samples"]
    quick = meta.get("quick")
    res, w, base, end = verdicts(samples)

    plotted = None
    if a.plot:
        try:
            plot(samples, r["warmup_s"], a.plot, {key: b for key, _, _, b, _, _, _ in res})
            plotted = a.plot
        except Exception as e:  # the numbers matter more than the picture
            print(f"soak_report: no plot: {e}", file=sys.stderr)

    out = []
    o = out.append
    o(BEGIN)
    o("## Soak: mixed traffic, faults and reloads" + (" (quick mode: 2 minutes, harness check)" if quick else ""))
    o("")
    o(f"Produced by `{meta['command']}` on {meta['date']} at commit `{meta['git']}`: {meta['nproc']} cores, "
      f"{meta['mem_gib']} GiB, {meta['java']}{', gateway flags ' + meta['java_opts'] if meta.get('java_opts') else ', default JVM flags'}. "
      f"Load average (1/5/15 min) {meta['loadavg_start']} at the start, {' '.join(meta['loadavg_end'])} at the end. "
      f"{r['duration_s'] / 60:.3g} minutes of traffic, warm-up {r['warmup_s'] / 60:.3g} min, a sample every {r['sample_every_s']:g} s "
      f"(each after `jcmd PID GC.run`: the heap is the live heap), the config file rewritten (temp file + rename) "
      f"every {r['reload_every_s'] / 60:.3g} min. The last row is taken after the load stopped "
      "and in-flight calls ended (idle), and is not judged.")
    o("")
    if quick:
        o("Quick mode only checks that the soak ran every kind of traffic and produced numbers; two minutes "
          "are too short for the 10 % criterion, which is reported below but never fails CI.")
        o("")
    o("### Verdict")
    o("")
    times = lambda ss: ", ".join("%.0f" % s["t_s"] for s in ss)
    o(f"Each metric's end value (mean of the last {w} samples under load, t = {times(end)} s) against its value "
      f"after warm-up (mean of the first {w} samples after it, t = {times(base)} s); pass within ±10 %.")
    o("")
    o("| metric | after warm-up | end | change | verdict | min–max under load | trend under load (least squares) | idle after the load |")
    o("|---|---|---|---|---|---|---|---|")
    load = [s for s in samples if s["phase"] == "load"]
    idle = [s for s in samples if s["phase"] == "idle"]
    for key, label, unit, b, e, change, ok in res:
        u = f" {unit}" if unit else ""
        lo, hi = spread(samples, key)
        if unit and lo is not None:  # MB: JSON may hold 189 for 189.0
            lo, hi = float(lo), float(hi)
        sl = slope_per_10min(load, key)
        o(f"| {label} | {fmt(b)}{u} | {fmt(e)}{u} | {'–' if change is None else f'{change * 100:+.1f} %'} | "
          f"{'–' if ok is None else ('pass' if ok else '**FAIL**')} | {fmt(lo)}–{fmt(hi)}{u} | "
          f"{'–' if sl is None else f'{sl:+.2f}{u} per 10 min'} | {fmt(idle[-1][key]) + u if idle else '–'} |")
    o("")
    o("The verdict compares means of a few samples because single samples under load swing with the calls in "
      "flight (upstream connections and descriptors follow them); the spread and the trend are shown for that reason "
      "and are not judged.")
    o("")
    if plotted:
        o(f"![gateway resources during the soak]({os.path.relpath(plotted, os.path.dirname(os.path.abspath(a.splice)))})")
        o("")
    o("### Samples")
    o("")
    o("| t (s) | phase | RSS (MB) | live heap (MB) | threads | fds | upstream conns | calls in flight | calls done | reloads |")
    o("|---|---|---|---|---|---|---|---|---|---|")
    for s in samples:
        o(f"| {s['t_s']:.0f} | {s['phase']} | {s['rss_mb']:.1f} | {s['heap_live_mb']:.1f} | {s['threads']} | {s['fds']} | "
          f"{s['upstream_conns']} | {s['in_flight']} | {s['calls']:,} | {s['reloads']} |")
    o("")
    o("### Traffic")
    o("")
    o("Each kind is open loop at its rate (at most 64 of a kind in flight; a start past that is counted as skipped), "
      "each on its own provider entry pointing at the mock, so a faulty kind's circuit breaker never blocks the "
      "others. Outcomes are gRPC status codes as the client saw them (`client-cancelled`: the client cancelled on purpose).")
    o("")
    o("| kind | rate (/s) | provider | model (mock knobs) | deadline | calls | skipped | outcomes |")
    o("|---|---|---|---|---|---|---|---|")
    kinds = r["kinds"]
    for m in r["mix"]:
        k = kinds.get(m["kind"], {})
        outs = ", ".join(f"{c} {n:,}" for c, n in sorted(k.get("outcomes", {}).items(), key=lambda x: -x[1]))
        o(f"| {m['kind']} | {m['rate']:g} | {m['provider']} | `{m['model']}` | {m['deadline_s']:g} s | "
          f"{k.get('calls', 0):,} | {k.get('skipped', 0):,} | {outs or '–'} |")
    t = kinds.get("converse.turn", {})
    outs = ", ".join(f"{c} {n:,}" for c, n in sorted(t.get("outcomes", {}).items(), key=lambda x: -x[1]))
    o(f"| converse.turn (turns of the conversations above) | | | | | {t.get('calls', 0):,} | | {outs or '–'} |")
    o("")
    o("Mock knobs: `t` tokens, `i` ms between streamed tokens, `l` ms before answering, `e` % answered 500, `q` % "
      "answered 429 (`Retry-After: 1`), `s` stall after N tokens, `d` drop the connection after N tokens. A "
      "conversation is two turns with history, a long turn cancelled with CancelTurn after its first chunk, one more "
      "turn, then either a clean close or a long turn abandoned by cancelling the whole call.")
    o("")
    d = {k: ma.get(k, 0) - mb.get(k, 0) for k in ("requests", "errors", "rate_limited", "stalled", "disconnected", "stream_tokens")}
    o(f"The mock served {d['requests']:,} requests in the run: {d['errors']:,} answered 500, {d['rate_limited']:,} answered 429, "
      f"{d['stalled']:,} stalled, {d['disconnected']:,} connections dropped mid-response, {d['stream_tokens']:,} streamed tokens; "
      f"{ma.get('active_streams', 0)} streams were still open on it at the end. Config reloads: {r['reloads']} files written, "
      f"{r['reloads_seen']} seen applied through ListProviders (the new route listed). Lines of the gateway log "
      "containing " + ", ".join(f"`{k}`: {v:,}" for k, v in meta["gateway_log"].items()) + ".")
    o(END)
    section = "\n".join(out) + "\n"

    text = open(a.splice).read() if os.path.exists(a.splice) else ""
    if BEGIN in text and END in text:
        pre, rest = text.split(BEGIN, 1)
        post = rest.split(END, 1)[1].lstrip("\n")
        text = pre + section + ("\n" + post if post else "")
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section
    open(a.splice, "w").write(text)
    print(section, file=sys.stderr)

    if a.check:
        problems = []
        if len([s for s in samples if s["phase"] == "load"]) < 2:
            problems.append("fewer than 2 samples under load")
        for key, label, unit, b, e, change, ok in res:
            if key != "upstream_conns" and not b:
                problems.append(f"{label}: never read")
        for m in r["mix"]:
            if not kinds.get(m["kind"], {}).get("calls"):
                problems.append(f"{m['kind']}: no calls")
        if not t.get("calls"):
            problems.append("converse.turn: no turns")
        if not r["reloads_seen"]:
            problems.append("no config reload was applied")
        if problems:
            print("soak_report: the soak check failed:\n  " + "\n  ".join(problems), file=sys.stderr)
            sys.exit(1)
        print("soak_report: the soak ran every kind of traffic and produced numbers "
              "(the 10 % criterion is not checked in quick mode)", file=sys.stderr)


if __name__ == "__main__":
    main()
