#!/usr/bin/env python3
"""Summarises one JFR recording of the gateway under one load, as a markdown section.

    bench/jfr_profile.py --jfr F.jfr --title "OpenAI-compatible unary, peak" --load LOAD.json

Where the time goes, by the recording's own events (`jfr print`, JDK 17+):
- CPU self time by layer: each execution sample is charged to the innermost frame that belongs
  to a layer (the gateway's dispatch, the upstream HTTP client, grpc-java, Netty, Jackson, ...);
  a sample with only JDK frames is "JDK only";
- the gateway's own methods by inclusive time (share of samples with the method on the stack);
- allocation by site (the innermost gateway frame of each allocation sample, by weight);
- the JIT while the load ran (compilations and their total time, deoptimizations): a hot path
  still being compiled inflates every CPU figure measured beside it;
- GC pauses (count, longest).
LOAD.json is the load generator's result line for the same window (requests and CPU per request).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
from typing import Dict, List, Tuple

# The first rule that matches a frame names its layer (order matters: gateway packages first).
LAYERS: List[Tuple[str, Tuple[str, ...]]] = [
    ("access log / logging", ("observability.AccessLog", "LogFormatter", "AsyncLogHandler",
                              "java.util.logging")),
    ("metrics (Micrometer)", ("io.micrometer", "observability.GatewayMeters")),
    ("upstream HTTP client (gateway)", ("providergateway.provider.http.",)),
    ("providers' codecs (gateway)", ("providergateway.provider.",)),
    ("dispatch, resilience, auth, API (gateway)", ("providergateway.", "io.github.resilience4j")),
    ("JSON (Jackson)", ("com.fasterxml.jackson",)),
    ("protobuf", ("com.google.protobuf",)),
    ("gRPC (grpc-java)", ("io.grpc.",)),
    ("Netty I/O and codecs", ("io.netty.",)),
]
FRAME = re.compile(r"^\s+([\w.$<>]+)\(", re.M)


WINDOW: Tuple[str, str] = ("", "")  # [begin, end) as UTC times of day, HH:MM:SS


def events(jfr: str, kinds: str, depth: int = 64) -> List[str]:
    """The events of the kinds in the window: a dump holds whole chunks, often more than asked."""
    out = subprocess.run(["jfr", "print", "--stack-depth", str(depth), "--events", kinds, jfr],
                         check=True, capture_output=True, text=True,
                         env={**os.environ, "TZ": "UTC"}).stdout
    found = re.split(r"^jdk\.\w+ \{", out, flags=re.M)[1:]
    if not WINDOW[0]:
        return found
    return [e for e in found if WINDOW[0] <= field(e, "startTime")[:8] < WINDOW[1]]


def layer_of(frames: List[str]) -> str:
    for f in frames:
        for name, keys in LAYERS:
            if any(k in f for k in keys):
                return name
    return "JDK only"


def millis(text: str) -> float:
    m = re.match(r"([\d.,]+)\s*(\w+)", text.strip())
    if not m:
        return 0.0
    v = float(m.group(1).replace(",", ""))
    return v * {"s": 1000.0, "ms": 1.0, "us": 0.001, "ns": 1e-6}.get(m.group(2), 1.0)


def size_bytes(text: str) -> float:
    m = re.match(r"([\d.,]+)\s*(\w+)", text.strip())
    if not m:
        return 0.0
    v = float(m.group(1).replace(",", ""))
    return v * {"bytes": 1, "byte": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}.get(m.group(2), 1)


def field(event: str, name: str) -> str:
    m = re.search(r"^\s*" + name + r" = (.*)$", event, re.M)
    return m.group(1).strip().strip('"') if m else ""


def short(method: str) -> str:
    return method.replace("dev.providergateway.", "")


def table(lines: List[str], caption: str, what: str, rows: List[Tuple[str, float]],
          whole: float) -> None:
    """Appends a captioned two-column table: each row's share of `whole`."""
    lines += [caption, "", f"| {what} | share |", "|---|---|"]
    lines += [f"| {name} | {100 * v / max(whole, 1):.1f} % |" for name, v in rows]
    lines.append("")


def summarise(jfr: str, title: str, load: Dict) -> str:
    lines = [f"### {title}", ""]
    if load:
        rps = load.get("requests", 0) / max(load.get("duration_s", 1), 1e-9)
        gw = load.get("gateway") or {}
        lines.append(f"Load: `{load.get('name') or load.get('mode')}`, {rps:,.0f} req/s, gateway CPU "
                     f"{gw.get('cpu_us_per_req', 0):.1f} µs per request "
                     f"({gw.get('cpu_util', 0):.2f} cores).")
        lines.append("")

    samples = events(jfr, "jdk.ExecutionSample")
    by_layer: collections.Counter = collections.Counter()
    inclusive: collections.Counter = collections.Counter()
    n = 0
    for e in samples:
        frames = FRAME.findall(e)
        if not frames:
            continue
        n += 1
        by_layer[layer_of(frames)] += 1
        for f in set(frames):
            if f.startswith("dev.providergateway.") and ".v1." not in f:
                inclusive[f] += 1
    table(lines, f"CPU by layer ({n:,} execution samples, self time charged to the innermost frame "
          "of a layer):", "layer", [(k, c) for k, c in by_layer.most_common()], n)
    table(lines, "The gateway's methods by inclusive time (share of samples with the method on the "
          "stack; nested methods overlap):", "method",
          [(f"`{short(f)}`", c) for f, c in inclusive.most_common(12)], n)

    allocs = events(jfr, "jdk.ObjectAllocationSample", 24)
    by_site: collections.Counter = collections.Counter()
    total = 0.0
    for e in allocs:
        w = size_bytes(field(e, "weight"))
        frames = FRAME.findall(e)
        site = next((f for f in frames if f.startswith("dev.providergateway.")
                     and ".v1." not in f), None)
        if site is None:
            site = "(no gateway frame) " + layer_of(frames)
        total += w
        by_site[site] += w
    table(lines, f"Allocation by site ({total / 1e6:,.0f} MB sampled; the innermost gateway frame "
          "of each sample):", "site", [(f"`{short(k)}`", w) for k, w in by_site.most_common(10)],
          total)

    comps = events(jfr, "jdk.Compilation", 1)
    deopts = events(jfr, "jdk.Deoptimization", 1)
    spent = sorted(((millis(field(c, "duration")), field(c, "method")) for c in comps), reverse=True)
    longest = ", ".join(f"`{short(m.split('(')[0])}` {ms:,.0f} ms" for ms, m in spent[:3])
    lines.append(f"JIT during the window: {len(comps)} compilations taking "
                 f"{sum(ms for ms, _ in spent):,.0f} ms of compiler time"
                 f"{' (longest: ' + longest + ')' if spent else ''}; {len(deopts)} deoptimizations.")
    gcs = events(jfr, "jdk.GarbageCollection", 1)
    pauses = [millis(field(g, "longestPause")) for g in gcs]
    lines.append(f"GC during the window: {len(gcs)} collections, longest pause "
                 f"{max(pauses) if pauses else 0:.1f} ms.")
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--jfr", required=True)
    p.add_argument("--title", required=True)
    p.add_argument("--load", help="the load generator's JSON result for the same window")
    p.add_argument("--begin", help="keep only events from this UTC time (ISO 8601, as date -u +%%FT%%TZ)")
    p.add_argument("--end", help="... to this one")
    a = p.parse_args()
    global WINDOW
    if a.begin and a.end:
        WINDOW = (a.begin[11:19], a.end[11:19])
    load = {}
    if a.load:
        with open(a.load) as f:
            load = json.loads(f.read().strip().splitlines()[-1])
    print(summarise(a.jfr, a.title, load))
    return 0


if __name__ == "__main__":
    sys.exit(main())
