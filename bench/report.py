#!/usr/bin/env python3
"""Turns bench/run.sh's JSON lines into the markdown of bench/RESULTS.md (stdout).

With --check (the quick mode), it also fails unless every scenario ran and produced numbers; it
never judges speed there.
"""
import json
import sys


def load(path):
    rows = {}
    jmh = []
    for line in open(path):
        line = line.strip()
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        if r.get("name") == "s7.jmh":
            jmh.append(r)
        else:
            rows[r.get("name", "")] = r
    return rows, jmh


def f(v, nd=2):
    if v is None or v == "":
        return "–"
    if isinstance(v, (int,)) or (isinstance(v, float) and v >= 1000):
        return f"{v:,.0f}"
    return f"{v:.{nd}f}"


def pct(r, p, key="percentiles"):
    return (r or {}).get(key, {}).get(p)


def sub(a, b):
    return None if a is None or b is None else a - b


def proc(r, name, key):
    return ((r or {}).get(name) or {}).get(key)


class Measured:
    """A target row whose measured value comes from two sides of the same run: a ratio
    (num / den = v x) or a difference (a - b = v unit), each side shown with its own unit."""

    def __init__(self, name, goal, ok, left, right, op="/", unit="", sides_unit="", nd=1):
        self.name, self.goal, self.ok, self.op = name, goal, ok, op
        self.left, self.right, self.unit, self.sides_unit, self.nd = left, right, unit, sides_unit, nd
        l, r = left[1], right[1]
        if l is None or r is None or (op == "/" and not r):
            self.value = None
        else:
            self.value = l / r if op == "/" else l - r

    def shown(self):
        su = f" {self.sides_unit}" if self.sides_unit else ""
        l, r = self.left, self.right
        lhs = f"{l[0]} {f(l[1], self.nd)}{su}"
        rhs = f"{r[0]} {f(r[1], self.nd)}{su}"
        if self.value is None:
            return f"{lhs} {'/' if self.op == '/' else '−'} {rhs}"
        if self.op == "/":
            return f"{lhs} / {rhs} = **{self.value:.2f}x**"
        return f"{lhs} − {rhs} = **{f(self.value)} {self.unit}**"


def gc_pauses(log, start_ms, end_ms, name):
    """The JSON line for the GC pauses that `-Xlog:gc:file=LOG:timemillis,uptimemillis` wrote
    between two epoch-millisecond times: count, max, p99 and total pause time in ms."""
    import re
    pat = re.compile(r"^\[(\d+)ms\]\[\d+ms\] GC\(\d+\) (Pause .*?) (\d+(?:\.\d+)?)ms$")
    pauses, kinds = [], {}
    try:
        for line in open(log):
            m = pat.match(line.strip())
            if m and int(start_ms) <= int(m.group(1)) <= int(end_ms):
                ms = float(m.group(3))
                pauses.append(ms)
                kind = re.sub(r" \(.*", "", m.group(2))
                kinds[kind] = kinds.get(kind, 0) + 1
        found = True
    except OSError:
        found = False
    pauses.sort()
    p99 = pauses[min(len(pauses) - 1, int(len(pauses) * 0.99))] if pauses else 0.0
    return json.dumps({"name": name, "log_found": found, "from_ms": int(start_ms), "to_ms": int(end_ms),
                       "window_s": (int(end_ms) - int(start_ms)) / 1000, "pauses": len(pauses),
                       "max_ms": pauses[-1] if pauses else 0.0, "p99_ms": p99, "total_ms": round(sum(pauses), 3),
                       "over_5ms": sum(1 for p in pauses if p > 5), "kinds": kinds})


def held_rate(rows, rates, want=5000):
    """The open-loop rate for the CPU ratio: `want` if it ran, else the highest rate that both the
    gateway and the bare health call held (achieved at least 95 % of it)."""
    if want in rates:
        return want
    held = [r for r in rates
            if all(((rows.get(f"{n}.{r}") or {}).get("throughput") or 0) >= 0.95 * r for n in ("s1.gateway", "s2.health"))]
    return max(held) if held else (rates[-1] if rates else None)


def ratio_targets(rows, rates):
    """Issue 22's targets: each a ratio (or difference) of two numbers measured in this run."""
    t = []
    cpu = lambda name: proc(rows.get(name), "gateway", "cpu_us_per_req")
    t.append(Measured("OpenAI-compatible unary CPU/req at peak vs bare health call at peak", "≤ 3x", lambda v: v <= 3,
                      ("OpenAI", cpu("s1.gateway.peak")), ("bare", cpu("s2.health.peak")), sides_unit="µs"))
    r = held_rate(rows, rates)
    if r is not None:
        t.append(Measured(f"OpenAI-compatible unary CPU/req vs bare health call at {r:,} req/s open loop", "≤ 2x", lambda v: v <= 2,
                          ("OpenAI", cpu(f"s1.gateway.{r}")), ("bare", cpu(f"s2.health.{r}")), sides_unit="µs"))
    thr = lambda name: (rows.get(name) or {}).get("throughput")
    t.append(Measured("OpenAI-compatible peak vs the mock's direct peak", "≥ 0.55x", lambda v: v >= 0.55,
                      ("gateway", thr("s1.gateway.peak")), ("direct", thr("s1.direct.peak")), sides_unit="req/s", nd=0))
    t.append(Measured("echo CPU/req vs bare health call (peak)", "≤ 1.35x", lambda v: v <= 1.35,
                      ("echo", cpu("s2.echo.peak")), ("bare", cpu("s2.health.peak")), sides_unit="µs"))
    tok = lambda name: (rows.get(name) or {}).get("tokens_per_s")
    t.append(Measured("stream tokens/s relayed at peak vs direct", "≥ 0.25x (25 %)", lambda v: v >= 0.25,
                      ("gateway", tok("s3.gateway.peak")), ("direct", tok("s3.direct.peak")), sides_unit="tokens/s", nd=0))
    ttft = lambda name: pct(rows.get(name), "p99", "ttft")
    t.append(Measured("TTFT overhead p99 (paced stream)", "≤ 0.3 ms", lambda v: v <= 0.3,
                      ("gateway", ttft("s3.gateway.paced")), ("direct", ttft("s3.direct.paced")), op="-", unit="ms", sides_unit="ms", nd=2))
    for p, goal in (("p99", 0.3), ("p999", 0.6)):
        label = "p99.9" if p == "p999" else p
        t.append(Measured(f"added latency {label} at 1,000 req/s", f"≤ {goal} ms", lambda v, g=goal: v <= g,
                          ("gateway", pct(rows.get("s1.gateway.1000"), p)), ("direct", pct(rows.get("s1.direct.1000"), p)),
                          op="-", unit="ms", sides_unit="ms", nd=2))
    holds = sorted(int(k.split(".")[2]) for k in rows if k.startswith("s4.hold.") and k.split(".")[2].isdigit())
    for n in sorted({10000 if 10000 in holds else (holds[-1] if holds else 10000)} | ({50000} & set(holds))):
        gw = (rows.get(f"s4.hold.{n}") or {}).get("gateway") or {}
        grown = sub(gw.get("rss_open_mb"), gw.get("rss_before_mb"))
        est = (rows.get(f"s4.hold.{n}") or {}).get("established")
        m = Measured(f"held stream RSS at {n:,} streams", "reported (≤ 12 KB/stream at 10,000)" if n == 50000 else "≤ 12 KB/stream",
                     lambda v: v <= 12, ("RSS growth", None if grown is None else grown * 1024), ("streams", est),
                     sides_unit="", nd=0)
        # The run's own KB/stream figure when it has one (it may subtract a baseline differently).
        if gw.get("kb_per_stream") is not None:
            m.value = gw.get("kb_per_stream")
        m.shown = (lambda m=m, gw=gw: f"RSS {f(gw.get('rss_before_mb'), 0)} → {f(gw.get('rss_open_mb'), 0)} MB over "
                   f"{f(m.right[1], 0)} streams = **{f(m.value, 1)} KB/stream**" if m.value is not None else "–")
        t.append(m)
    gc = rows.get("s1.gc.peak") or {}
    gcm = Measured("GC pauses during the scenario 1 peak run", "none over 5 ms", lambda v: v <= 5,
                   ("max", gc.get("max_ms") if gc.get("log_found") else None), ("p99", gc.get("p99_ms")), op="-")
    gcm.value = gc.get("max_ms") if gc.get("log_found") else None
    gcm.shown = lambda: (f"{gc.get('pauses')} pauses: max {f(gc.get('max_ms'))} ms, p99 {f(gc.get('p99_ms'))} ms, "
                         f"{gc.get('over_5ms')} over 5 ms" if gcm.value is not None else "–")
    t.append(gcm)
    return t


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "--gc-pauses":
        print(gc_pauses(*sys.argv[2:]))
        return
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    check = "--check" in sys.argv
    rows, jmh = load(args[0])
    meta, end = rows.get("meta", {}), rows.get("meta.end", {})
    out = []
    w = out.append
    quick = meta.get("quick")
    w("# Benchmark results" + (" (quick mode: harness check, numbers meaningless)" if quick else ""))
    w("")
    w(f"Produced by `{meta.get('command', 'bench/run.sh')}` on {meta.get('date')} at commit `{meta.get('git')}`: "
      f"{meta.get('nproc')} cores, {meta.get('mem_gib')} GiB, {meta.get('java')}, {meta.get('go')}. "
      f"Load average (1/5/15 min) {meta.get('loadavg_start')} at the start, {end.get('loadavg_end')} at the end. "
      "The load generator, the mock upstream and the gateway share the machine's cores; latencies are "
      "exact percentiles of every request in the measured window, counted from the request's scheduled "
      "start in open-loop runs. Compare numbers within this run; see bench/README.md for the method.")
    w("")
    targets = []

    # ---- 1 ----
    w("## 1. Unary Chat through an OpenAI-compatible provider (mock upstream, 16 tokens)")
    w("")
    w("Added latency = gateway (gRPC client → gateway → HTTP mock) minus direct (HTTP client → mock), same rate, same run. Milliseconds.")
    w("")
    w("| rate (req/s) | direct p50 / p99 / p99.9 | gateway p50 / p99 / p99.9 | **added p50 / p99 / p99.9** | achieved req/s | errors + dropped | gateway CPU µs/req |")
    w("|---|---|---|---|---|---|---|")
    rates = sorted({int(k.split(".")[2]) for k in rows if k.startswith("s1.gateway.") and k.split(".")[2].isdigit()})
    for rate in rates:
        d, g = rows.get(f"s1.direct.{rate}"), rows.get(f"s1.gateway.{rate}")
        trip = lambda r: " / ".join(f(pct(r, p)) for p in ("p50", "p99", "p999"))
        added = " / ".join(f(sub(pct(g, p), pct(d, p))) for p in ("p50", "p99", "p999"))
        w(f"| {rate:,} | {trip(d)} | {trip(g)} | **{added}** | {f((g or {}).get('throughput'))} | "
          f"{(g or {}).get('errors', 0) + (g or {}).get('dropped', 0)} | {f(proc(g, 'gateway', 'cpu_us_per_req'), 1)} |")
    for name in ("s1.gateway-anthropic.%d" % rates[0] if rates else "",):
        g, d = rows.get(name), rows.get(name.replace("gateway", "direct"))
        if g:
            w(f"| {rates[0]:,} (Anthropic provider) | {' / '.join(f(pct(d, p)) for p in ('p50', 'p99', 'p999'))} | "
              f"{' / '.join(f(pct(g, p)) for p in ('p50', 'p99', 'p999'))} | **{' / '.join(f(sub(pct(g, p), pct(d, p))) for p in ('p50', 'p99', 'p999'))}** | "
              f"{f(g.get('throughput'))} | {g.get('errors', 0) + g.get('dropped', 0)} | {f(proc(g, 'gateway', 'cpu_us_per_req'), 1)} |")
    w("")
    dp, gp = rows.get("s1.direct.peak"), rows.get("s1.gateway.peak")
    w("| peak (closed loop, %s in flight) | req/s | p50 / p99 ms | gateway CPU µs/req | mock CPU (cores) | load generator CPU (cores) |" % (gp or {}).get("concurrency", "?"))
    w("|---|---|---|---|---|---|")
    for label, r in (("mock alone (direct)", dp), ("through the gateway", gp), ("through the gateway, Anthropic provider", rows.get("s1.gateway-anthropic.peak"))):
        if r:
            w(f"| {label} | {f(r.get('throughput'))} | {f(pct(r, 'p50'))} / {f(pct(r, 'p99'))} | {f(proc(r, 'gateway', 'cpu_us_per_req'), 1)} | "
              f"{f(proc(r, 'mock', 'cpu_util'))} | {f(r.get('loadgen_cpu'))} |")
    w("")
    top = rows.get(f"s1.gateway.{rates[-1]}") if rates else None
    topd = rows.get(f"s1.direct.{rates[-1]}") if rates else None
    # Issue 22's ratio targets (the table at the end) replace the absolute CPU, peak and p99 goals.
    if top:
        targets.append((f"added latency p50 at {rates[-1]:,} req/s", "≤ 0.3 ms", sub(pct(top, "p50"), pct(topd, "p50")), lambda v: v <= 0.3, "ms"))

    # ---- 1b ----
    if "s1base.gateway.peak" in rows:
        base = meta.get("baseline", "?")
        w(f"### Before / after: this commit against the gateway built at `{base}`, same mock, same run")
        w("")
        w("| run | rate (req/s) | added p50 / p99 / p99.9 ms | achieved req/s | gateway CPU µs/req |")
        w("|---|---|---|---|---|")
        runs = ((f"before (`{base}`)", "s1base"), ("after (this commit)", "s1"))
        for rate in rates:
            for label, pre in runs:
                g, d = rows.get(f"{pre}.gateway.{rate}"), rows.get(f"{pre}.direct.{rate}")
                w(f"| {label} | {rate:,} | {' / '.join(f(sub(pct(g, p), pct(d, p))) for p in ('p50', 'p99', 'p999'))} | "
                  f"{f((g or {}).get('throughput'))} | {f(proc(g, 'gateway', 'cpu_us_per_req'), 1)} |")
        for label, pre in runs:
            g = rows.get(f"{pre}.gateway.peak")
            w(f"| {label} | peak | p50 {f(pct(g, 'p50'))} / p99 {f(pct(g, 'p99'))} (absolute) | {f((g or {}).get('throughput'))} | {f(proc(g, 'gateway', 'cpu_us_per_req'), 1)} |")
        for label, pre in ((f"before (`{base}`)", "s3base"), ("after (this commit)", "s3")):
            g, d = rows.get(f"{pre}.gateway.paced"), rows.get("s3.direct.paced")
            pk = rows.get(f"{pre}.gateway.peak")
            w(f"| {label} | streams | TTFT overhead p50 / p99: {f(sub(pct(g, 'p50', 'ttft'), pct(d, 'p50', 'ttft')))} / "
              f"{f(sub(pct(g, 'p99', 'ttft'), pct(d, 'p99', 'ttft')))} | peak {f((pk or {}).get('tokens_per_s'))} tokens/s | "
              f"{f(proc(pk, 'gateway', 'cpu_us_per_token'), 1)} µs/token |")
        w("")

    # ---- 2 ----
    w("## 2. Unary Chat through the echo provider (the gateway's own cost)")
    w("")
    w("Baseline: `grpc.health.v1.Health/Check` on the same server, the cheapest unary call grpc-java serves. Milliseconds.")
    w("")
    w("| rate (req/s) | bare gRPC p50 / p99 / p99.9 | echo p50 / p99 / p99.9 | **added p50 / p99 / p99.9** | gRPC CPU µs/req | echo CPU µs/req |")
    w("|---|---|---|---|---|---|")
    erates = sorted({int(k.split(".")[2]) for k in rows if k.startswith("s2.echo.") and k.split(".")[2].isdigit()})
    for rate in erates:
        h, e = rows.get(f"s2.health.{rate}"), rows.get(f"s2.echo.{rate}")
        w(f"| {rate:,} | {' / '.join(f(pct(h, p)) for p in ('p50', 'p99', 'p999'))} | {' / '.join(f(pct(e, p)) for p in ('p50', 'p99', 'p999'))} | "
          f"**{' / '.join(f(sub(pct(e, p), pct(h, p))) for p in ('p50', 'p99', 'p999'))}** | {f(proc(h, 'gateway', 'cpu_us_per_req'), 1)} | {f(proc(e, 'gateway', 'cpu_us_per_req'), 1)} |")
    hp, ep = rows.get("s2.health.peak"), rows.get("s2.echo.peak")
    w("")
    w(f"Peak (closed loop): bare gRPC {f((hp or {}).get('throughput'))} req/s ({f(proc(hp, 'gateway', 'cpu_us_per_req'), 1)} µs CPU each), "
      f"echo {f((ep or {}).get('throughput'))} req/s ({f(proc(ep, 'gateway', 'cpu_us_per_req'), 1)} µs CPU each).")
    w("")

    # ---- 3 ----
    w("## 3. Streaming")
    w("")
    w("Time to first token (TTFT) counts from the call's start to the first content; overhead = gateway minus direct. Milliseconds.")
    w("")
    w("| stream | direct TTFT p50 / p99 | gateway TTFT p50 / p99 | **TTFT overhead p50 / p99** | tokens/s relayed | gateway CPU µs/token | errors |")
    w("|---|---|---|---|---|---|---|")
    for kind, label in (("burst", "64 tokens, unpaced"), ("paced", "32 tokens, 5 ms apart"), ("peak", "256 tokens, closed loop")):
        d, g = rows.get(f"s3.direct.{kind}"), rows.get(f"s3.gateway.{kind}")
        if not g:
            continue
        w(f"| {label} ({f(g.get('rate') or g.get('concurrency'), 0)} {'streams/s' if g.get('rate') else 'in flight'}) | "
          f"{f(pct(d, 'p50', 'ttft'))} / {f(pct(d, 'p99', 'ttft'))} | {f(pct(g, 'p50', 'ttft'))} / {f(pct(g, 'p99', 'ttft'))} | "
          f"**{f(sub(pct(g, 'p50', 'ttft'), pct(d, 'p50', 'ttft')))} / {f(sub(pct(g, 'p99', 'ttft'), pct(d, 'p99', 'ttft')))}** | "
          f"{f(g.get('tokens_per_s'))} (direct {f((d or {}).get('tokens_per_s'))}) | {f(proc(g, 'gateway', 'cpu_us_per_token'), 1)} | {g.get('errors', 0)} |")
    w("")
    g = rows.get("s3.gateway.peak")
    if g:
        targets.append(("CPU per streamed token (peak run)", "≤ 10 µs", proc(g, "gateway", "cpu_us_per_token"), lambda v: v <= 10, "µs"))

    # ---- 4 ----
    w("## 4. Concurrent long-lived streams")
    w("")
    w("Each stream gets a token every 2 s (every 200 ms in quick mode); resident memory (RSS) of the gateway process, in MB.")
    w("")
    w("| streams | established | failed | RSS before / all open / end of hold | **KB per stream** | gateway CPU (cores) while holding | mock RSS |")
    w("|---|---|---|---|---|---|---|")
    holds = sorted(int(k.split(".")[2]) for k in rows if k.startswith("s4.hold."))
    skipped = [n for n in holds if rows[f"s4.hold.{n}"].get("skipped")]
    holds = [n for n in holds if n not in skipped]
    for n in holds:
        r = rows[f"s4.hold.{n}"]
        gw = r.get("gateway", {})
        w(f"| {n:,} | {r.get('established')} | {r.get('failed')} | {f(gw.get('rss_before_mb'), 0)} / {f(gw.get('rss_open_mb'), 0)} / {f(gw.get('rss_end_mb'), 0)} | "
          f"**{f(gw.get('kb_per_stream'), 1)}** | {f(gw.get('cpu_util'))} | {f(r.get('mock', {}).get('rss_end_mb'), 0)} |")
        if n == 10000:
            targets.append(("RSS per held stream at 10,000", "≤ 12 KB", gw.get("kb_per_stream"), lambda v: v <= 12, "KB"))
        if n == max(holds):
            targets.append((f"RSS with {n:,} concurrent streams", "≤ 1,024 MB", gw.get("rss_end_mb"), lambda v: v <= 1024, "MB"))
    for n in skipped:
        w(f"| {n:,} | not run: {rows[f's4.hold.{n}']['skipped']} | | | | | |")
    if any(n > 10000 for n in holds):
        w("")
        w("Runs over 10,000 streams run alone in a private network namespace (bench/hold-netns.sh: its own mock and "
          "fresh gateway, the ephemeral port range widened and the open-file limit raised for that run only).")
    s = rows.get("s4.slowreader")
    if s:
        heap = s.get("live_heap_mb", [])
        w("")
        w(f"Slow readers: {s.get('streams')} streams whose upstream writes as fast as it can while the client reads one chunk per "
          f"{f((s.get('read_delay_s') or 0.02) * 1000, 0)} ms, held {f(s.get('hold_s'), 0)} s. Live heap after a full GC at 3 s, "
          f"half-way and the end: **{' / '.join(f(h, 1) for h in heap)} MB**; gateway RSS {f(s.get('gateway', {}).get('rss_open_mb'), 0)} → "
          f"{f(s.get('gateway', {}).get('rss_end_mb'), 0)} MB (a full GC lets G1 return memory). The mock wrote {f(s.get('mock_tokens_written'))} "
          f"tokens in the whole run and the clients read {f(s.get('tokens'))} in the hold window; the mock's writes block once the "
          "loopback sockets' kernel buffers (TCP autotuning, a few MB per connection) are full, so the excess waits there, not in the heap.")
    w("")

    # ---- 5 ----
    w("## 5. Cold start and idle memory")
    w("")
    w("Process start (`java ... -jar provider-gateway.jar`, built-in defaults) to the first SERVING health answer; RSS after idling.")
    w("")
    w("| JVM flags | start median (min) s | idle RSS MB |")
    w("|---|---|---|")
    for k in ("s5.default", "s5.serialgc", "s5.lean", "s5.cds", "s5.cds-lean"):
        r = rows.get(k)
        if r:
            flags = r.get("cmd", "").split(" -jar ")[0].replace("java", "", 1).strip() or "(none)"
            w(f"| `{flags}` | {f(r.get('start_s_median'))} ({f(r.get('start_s_min'))}) | {f(r.get('idle_rss_mb'), 0)} |")
    w("")
    r = rows.get("s5.default")
    if r:
        targets.append(("cold start (default flags)", "≤ 1 s", r.get("start_s_median"), lambda v: v <= 1, "s"))
        targets.append(("idle RSS (default flags)", "≤ 150 MB", r.get("idle_rss_mb"), lambda v: v <= 150, "MB"))
    best = min((rows[k] for k in ("s5.cds-lean", "s5.cds", "s5.lean") if k in rows), key=lambda r: r.get("start_s_median", 99), default=None)
    if best:
        flags = best.get("cmd", "").split(" -jar ")[0].replace("java", "", 1).strip()
        targets.append((f"cold start / idle RSS with `{flags}`", "≤ 1 s / ≤ 150 MB",
                        (best.get("start_s_median"), best.get("idle_rss_mb")), lambda v: v[0] <= 1 and v[1] <= 150, "s / MB"))

    # ---- 6 ----
    peers = [(label, key) for label, key in (("LiteLLM", "litellm"), ("Portkey", "portkey")) if f"s6.{key}.c10" in rows]
    door = "s6.http.c10" in rows
    if peers or door:
        w("## 6. Side by side with " + " and ".join([label for label, _ in peers] or ["no peers (quick run)"]))
        w("")
        ls, le = rows.get("s6.litellm.start", {}), rows.get("s6.litellm.end", {})
        ps, pe = rows.get("s6.portkey.start", {}), rows.get("s6.portkey.end", {})
        about = []
        if "s6.litellm.c10" in rows:
            about.append(f"LiteLLM proxy {ls.get('version')} (PyPI `litellm[proxy]`, one worker, as it starts by default)")
        if "s6.portkey.c10" in rows:
            about.append(f"the Portkey AI gateway {ps.get('version')} (npm `@portkey-ai/gateway`, its Node server `--headless`, "
                         "routed with `x-portkey-provider: openai` and `x-portkey-custom-host`)")
        about = " and ".join(about)
        if about:
            w(f"{about[0].upper()}{about[1:]} against the same mock, driven over HTTP "
              "by the same load generator; the gateway over gRPC and, through its OpenAI-compatible door "
              "(`POST /v1/chat/completions`), over HTTP exactly like the peers. Added latency is against the direct-to-mock run at the same rate.")
        else:
            w("The gateway over gRPC and through its OpenAI-compatible HTTP door, driven by the same load generator "
              "against the same mock; added latency is against the direct-to-mock run at the same rate.")
        w("")
        w("| | added p50 / p99 ms at 50 req/s | peak req/s at concurrency 10 | p50 / p99 ms at concurrency 10 | CPU µs/req | RSS MB | start s |")
        w("|---|---|---|---|---|---|---|")
        d50 = rows.get("s6.direct.r50")
        table = []
        if "s6.litellm.c10" in rows:
            table.append(("LiteLLM", rows.get("s6.litellm.r50"), rows.get("s6.litellm.c10"), "litellm", le.get("rss_mb"), ls.get("start_s")))
        if "s6.portkey.c10" in rows:
            table.append(("Portkey", rows.get("s6.portkey.r50"), rows.get("s6.portkey.c10"), "portkey", pe.get("rss_mb"), ps.get("start_s")))
        table += [
            ("provider-gateway, HTTP door", rows.get("s6.http.r50"), rows.get("s6.http.c10"), "gateway", None, None),
            ("provider-gateway, gRPC", rows.get("s6.gateway.r50"), rows.get("s6.gateway.c10"), "gateway", le.get("gateway_rss_mb"), (rows.get("s5.default") or {}).get("start_s_median")),
            ("mock alone", d50, rows.get("s6.direct.c10"), "mock", None, None),
        ]
        for label, r50, rc, pname, rss, start in table:
            w(f"| {label} | {f(sub(pct(r50, 'p50'), pct(d50, 'p50')))} / {f(sub(pct(r50, 'p99'), pct(d50, 'p99')))} | {f((rc or {}).get('throughput'))} | "
              f"{f(pct(rc, 'p50'))} / {f(pct(rc, 'p99'))} | {f(proc(rc, pname, 'cpu_us_per_req'), 0)} | {f(rss, 0)} | {f(start)} |")
        gt = (rows.get("s6.gateway.c10") or {}).get("throughput")
        w("")
        for label, key in peers:
            pt = (rows.get(f"s6.{key}.c10") or {}).get("throughput")
            if pt and gt:
                w(f"Throughput ratio at concurrency 10: **{gt / pt:.1f}x** {label}'s; at peak (section 1): **{(gp or {}).get('throughput', 0) / pt:.1f}x**.")
                w("")
                if key == "litellm":
                    targets.append(("throughput vs LiteLLM (concurrency 10)", "≥ 10x", gt / pt, lambda v: v >= 10, "x"))
        ht = (rows.get("s6.http.c10") or {}).get("throughput")
        for label, key, goal in (("LiteLLM", "litellm", 50), ("Portkey", "portkey", 5)):
            pt = (rows.get(f"s6.{key}.c10") or {}).get("throughput")
            if pt and ht:
                w(f"HTTP door throughput at concurrency 10: **{ht / pt:.1f}x** {label}'s.")
                w("")
                targets.append((f"HTTP door throughput vs {label} (concurrency 10)", f"≥ {goal}x", ht / pt,
                                lambda v, g=goal: v >= g, "x"))
        for r in rates:
            h, d = rows.get(f"s6.http.{r}"), rows.get(f"s1.direct.{r}")
            added = sub(pct(h, "p99"), pct(d, "p99"))
            if added is not None:
                w(f"HTTP door at {r} req/s (open loop): p50 / p99 {f(pct(h, 'p50'))} / {f(pct(h, 'p99'))} ms, "
                  f"added p50 / p99 {f(sub(pct(h, 'p50'), pct(d, 'p50')))} / {f(added)} ms against the mock alone.")
                w("")
                if r == 1000:
                    targets.append(("HTTP door added p99 at 1,000 req/s", "≤ 1 ms", added, lambda v: v <= 1, "ms"))
        hc, gc = proc(rows.get("s6.http.c10"), "gateway", "cpu_us_per_req"), proc(rows.get("s6.gateway.c10"), "gateway", "cpu_us_per_req")
        if hc and gc:
            w(f"Gateway CPU per request at concurrency 10: HTTP door {f(hc, 0)} µs, gRPC {f(gc, 0)} µs ({(hc / gc - 1) * 100:+.0f} %).")
            w("")
            targets.append(("HTTP door CPU per request vs gRPC", "≤ +10 %", (hc / gc - 1) * 100, lambda v: v <= 10, "%"))

    # ---- 7 ----
    if jmh:
        w("## 7. JMH: the per-chunk hot path")
        w("")
        w("| benchmark | ns/op | ± |")
        w("|---|---|---|")
        for b in jmh:
            err = b.get("error")
            w(f"| `{b['benchmark'].replace('dev.providergateway.', '')}` | {f(b['ns_per_op'], 0)} | {f(err, 0) if isinstance(err, (int, float)) and err == err else '–'} |")
        w("")

    # ---- GC ----
    gc = rows.get("s1.gc.peak")
    if gc:
        w("## GC pauses during scenario 1's peak run")
        w("")
        w("From the gateway's unified GC log (`-Xlog:gc:file=...:timemillis,uptimemillis`, bench/.work/logs/gc.log): "
          "every stop-the-world pause that started inside the `s1.gateway.peak` run, its warm-up included.")
        w("")
        w("| window s | pauses | max ms | p99 ms | total ms | over 5 ms | by kind |")
        w("|---|---|---|---|---|---|---|")
        kinds = ", ".join(f"{k}: {n}" for k, n in sorted((gc.get("kinds") or {}).items())) or "–"
        w(f"| {f(gc.get('window_s'), 1)} | {gc.get('pauses')} | {f(gc.get('max_ms'))} | {f(gc.get('p99_ms'))} | {f(gc.get('total_ms'))} | "
          f"{gc.get('over_5ms')} | {kinds} |")
        w("")
        if not gc.get("log_found"):
            w("The GC log was not found: the pauses were not measured.")
            w("")

    # ---- issue 22's targets: ratios within this run, each with its two measured sides ----
    targets = ratio_targets(rows, rates) + targets

    # ---- targets ----
    w("## Targets")
    w("")
    w("Ratios and differences are taken within this run; each row shows both measured sides.")
    w("")
    w("| target | goal | measured | |")
    w("|---|---|---|---|")
    for t in targets:
        if isinstance(t, Measured):
            verdict = "not measured" if t.value is None else ("met" if t.ok(t.value) else "**missed**")
            w(f"| {t.name} | {t.goal} | {t.shown()} | {verdict} |")
            continue
        name, goal, v, ok, unit = t
        if v is None or (isinstance(v, tuple) and None in v):
            w(f"| {name} | {goal} | – | not measured |")
            continue
        shown = " / ".join(f(x) for x in v) if isinstance(v, tuple) else f(v)
        w(f"| {name} | {goal} | {shown} {unit} | {'met' if ok(v) else '**missed**'} |")
    w("")
    s8 = rows.get("s8.state")
    if s8:
        w("## Shared state: key-limit admission with Redis on loopback (scenario 8)")
        w("")
        w(f"An admission as the gateway makes it (the budget total from the ledger's mirror, then "
          f"`KeyRateLimits.admit` for a key with a request and a token limit: one Lua script, one round trip) "
          f"open loop at {s8.get('rate')}/s, from each admission's scheduled start to its decision; "
          f"in-process state and Redis measured one after the other in the same JVM. "
          f"Load average during the run: {s8.get('loadavg') or '–'} (2 cores, shared).")
        w("")
        w("| state | p50 (us) | p99 (us) | p99.9 (us) |")
        w("|---|---|---|---|")
        w(f"| in-process | {f(s8.get('local_p50_us'), 1)} | {f(s8.get('local_p99_us'), 1)} | {f(s8.get('local_p999_us'), 1)} |")
        w(f"| Redis (loopback) | {f(s8.get('redis_p50_us'), 1)} | {f(s8.get('redis_p99_us'), 1)} | {f(s8.get('redis_p999_us'), 1)} |")
        w(f"| added by Redis | {f(s8.get('added_p50_us'), 1)} | {f(s8.get('added_p99_us'), 1)} | {f(s8.get('added_p999_us'), 1)} |")
        w("")
        w("| target | goal | measured | |")
        w("|---|---|---|---|")
        for label, key, goal_us in (("added p50", "added_p50_us", 300), ("added p99", "added_p99_us", 1000)):
            v = s8.get(key)
            if v is None:
                w(f"| {label} | <= {goal_us / 1000:g} ms | – | not measured |")
            else:
                w(f"| {label} | <= {goal_us / 1000:g} ms | {f(v / 1000, 3)} ms | {'met' if v <= goal_us else '**missed**'} |")
        w("")
        if s8.get("outages"):
            w(f"During the Redis runs the store was judged down {s8['outages']} time(s) (3 answers in a row later than "
              "`state.timeout`, 5 ms here): those admissions were decided locally, as in production, and are in the numbers.")
            w("")
        if not s8.get("redis_up"):
            w("Redis was not reachable for the whole run: the numbers include local fallbacks.")
            w("")
    print("\n".join(out))

    if check:
        problems = []
        need = ["meta", "s6.http.c10", "s6.http.r50", "s1.gateway.peak", "s1.direct.peak", "s2.echo.peak", "s2.health.peak", "s3.gateway.burst",
                "s3.gateway.paced", "s3.gateway.peak", "s4.slowreader"]
        need += [f"s1.gateway.{r}" for r in rates] + [f"s1.direct.{r}" for r in rates] + [f"s2.echo.{r}" for r in erates]
        for n in need:
            r = rows.get(n)
            if r is None:
                problems.append(f"{n}: missing")
            elif "requests" in r and not r["requests"]:
                problems.append(f"{n}: no successful requests ({r.get('last_error')})")
            elif n.startswith("s3") and not r.get("tokens"):
                problems.append(f"{n}: no tokens")
        if not rates or not erates:
            problems.append("scenario 1 or 2: no rates ran")
        if not holds or any(rows[f"s4.hold.{n}"].get("established", 0) < n for n in holds):
            problems.append("s4.hold: not every stream was established")
        if "s5.default" not in rows:
            problems.append("s5.default: missing")
        for n in ("s6.litellm.c10", "s6.litellm.r50", "s6.portkey.c10", "s6.portkey.r50"):  # peers: full runs only
            if n in rows and not rows[n].get("requests"):
                problems.append(f"{n}: no successful requests ({rows[n].get('last_error')})")
        if not (rows.get("s1.gc.peak") or {}).get("log_found"):
            problems.append("s1.gc.peak: no GC log for the peak window")
        if s8 is not None and not s8.get("requests"):
            problems.append("s8.state: no admissions")
        if not jmh and "--no-jmh" not in meta.get("command", ""):
            problems.append("s7.jmh: no results")
        if problems:
            print("report: the harness check failed:\n  " + "\n  ".join(problems), file=sys.stderr)
            sys.exit(1)
        print("report: every scenario ran and produced numbers", file=sys.stderr)


if __name__ == "__main__":
    main()
