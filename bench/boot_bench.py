#!/usr/bin/env python3
"""Boot Debian's Linux (the `make images` OpenSBI, kernel and initramfs, rvjit.autorun) on rvjit
and on qemu-system-riscv64 in the same run, one after the other, and time each console
milestone from the emulator's start:

    OpenSBI banner ("OpenSBI v"), "Linux version", "Run /init", the initramfs marker,
    "load-modules: done", and power-off (the process's exit)

--kvm boots the KVM host instead (`make images`' kvm-initramfs, -smp 4 -m 2G unless --smp is
given): Linux loads kvm.ko and Debian's qemu-system-riscv64 starts two KVM guests; the
milestones are the host's /init starting them, each guest's marker as the host sees it, the
host's final line, and power-off.

rvjit boots "cold" with empty caches (a fresh RVJIT_CACHE_DIR: no translations, no compiled
code), then "warm" (the second boot on those caches), then "steady": a boot after settling
boots, run until one compiles almost nothing (at most --settle): the compile worker has then
caught up with the ~10,000 regions a boot asks for, and they come from one code pack.
--no-warm: cold only.  Reported with them are rvjit's own counters (RVJIT_STATS): guest
instructions, blocks translated and the time spent translating, translations and regions
found in the on-disk caches, regions compiled and the compile time, blocks run per tier, and
exits to Python by reason.

    python bench/boot_bench.py [--kvm] [--smp N] [--reps N] [--settle N] [--json out.json]
                               [--no-qemu | --no-rvjit] [--no-warm]
    make bench-boot ARGS="--kvm --smp 4"

Lines are timestamped as they arrive on the pipe (both emulators' consoles are line-flushed
serial output, so this is within milliseconds of when the guest wrote them).  Exit status 1 if
an emulator did not reach power-off with exit 0.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
sys.path.insert(0, REPO_ROOT)

from rvjit.images import bootrun, disk, initramfs, kvmhost  # noqa: E402

# A settling boot that spends less CPU than this compiling means the code cache has caught up.
SETTLED_COMPILE_SECONDS = 0.5
BOOT_MILESTONES = [("opensbi", "OpenSBI v"), ("linux", "Linux version"),
                   ("run_init", "Run /init")]
STAT_KEYS = ["guest_insns", "mips", "blocks_translated", "translate_seconds", "xlate_cache_hits",
             "blocks_compiled", "regions_compiled", "regions_tiered_up", "compile_seconds",
             "compile_batches", "code_cache_hits", "code_pack_hits", "code_load_seconds",
             "interp_blocks", "native_blocks", "python_exits", "exits_by_reason", "tb_flushes"]


@dataclass(frozen=True, slots=True)
class Scenario:
    title: str
    initrd: str                         # the manifest's key for the initramfs
    milestones: list[tuple[str, str]]   # (key, console text); the last one must be reached
    labels: dict[str, str]              # row labels where the text is not one
    default_smp: int

    def argv(self, emulator: list[str], images, smp: int, workdir: str, name: str) -> list[str]:
        if self.initrd == "kvm-initramfs":
            return bootrun.kvm_host_argv(emulator, images, smp=smp)
        img = disk.make_ext4(os.path.join(workdir, f"{name}-disk.img"), 16)
        return bootrun.boot_argv(emulator, images, smp=smp, disk=img)


LINUX = Scenario("Linux boot", "initramfs",
                 [*BOOT_MILESTONES, ("marker", initramfs.MARKER),
                  ("modules", "load-modules: done")],
                 {"modules": "load-modules: done"}, 1)
KVM = Scenario("Linux KVM host with two guests", "kvm-initramfs",
               [*BOOT_MILESTONES, ("host_marker", kvmhost.HOST_MARKER),
                *[(f"guest{n}", kvmhost.guest_seen(n)) for n in kvmhost.GUESTS],
                ("final", kvmhost.FINAL_LINE)],
               {"host_marker": "host starts guests", "final": "both guests ran",
                **{f"guest{n}": f"guest {n} marker" for n in kvmhost.GUESTS}}, 4)


def one_boot(scenario: Scenario, name: str, emulator: list[str], images, smp: int,
             timeout: float, workdir: str, verbose: bool,
             extra_env: dict | None = None) -> dict:
    argv = scenario.argv(emulator, images, smp, workdir, name)
    env = dict(os.environ, PYTHONPATH=REPO_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.update(extra_env or {})
    stats_path = os.path.join(workdir, f"{name}-stats.json")
    if name.startswith("rvjit"):
        env["RVJIT_STATS"] = stats_path
    echo = (lambda line: print(f"  {name}| {line}", flush=True)) if verbose else None
    con = bootrun.run_console(argv, timeout, env=env, echo=echo)
    times = {key: con.first(needle) for key, needle in scenario.milestones}
    times["poweroff"] = None if con.timed_out else con.elapsed
    out = {"argv": argv, "exit_code": con.exit_code, "timed_out": con.timed_out,
           "milestones": times}
    if not con.timed_out and (con.exit_code != 0 or times[scenario.milestones[-1][0]] is None):
        out["tail"] = con.tail(20)
    if os.path.exists(stats_path):
        with open(stats_path) as f:
            out["stats"] = json.load(f)
        os.unlink(stats_path)
    return out


def prebuild_runtime(cache: str) -> None:
    """Build the native runtime into a fresh cache directory before a cold boot is timed: it
    is built once per rvjit version, not per boot."""
    env = dict(os.environ, RVJIT_CACHE_DIR=cache,
               PYTHONPATH=REPO_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    subprocess.run([sys.executable, "-c", "from rvjit.native.build import load; load()"],
                   env=env, check=True)


def median_run(scenario: Scenario, runs: list[dict]) -> dict:
    """The milestones' medians over repetitions (stats from the median power-off run)."""
    keys = [k for k, _ in scenario.milestones] + ["poweroff"]
    med = {}
    for k in keys:
        vals = [r["milestones"][k] for r in runs if r["milestones"][k] is not None]
        med[k] = statistics.median(vals) if vals else None
    ok = [r for r in runs if r["milestones"]["poweroff"] is not None] or runs
    pick = sorted(ok, key=lambda r: r["milestones"]["poweroff"] or 0)[len(ok) // 2]
    return {"milestones": med, "exit_code": pick["exit_code"], "stats": pick.get("stats"),
            "runs": runs}


def fmt(t: float | None) -> str:
    return "-" if t is None else f"{t:.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kvm", action="store_true",
                    help="the KVM host with two guests instead of the plain Linux boot")
    ap.add_argument("--smp", type=int, default=None,
                    help="harts for both emulators (default 1; 4 with --kvm)")
    ap.add_argument("--reps", type=int, default=1, help="boots per emulator (median reported)")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per boot")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--no-qemu", action="store_true", help="rvjit only")
    ap.add_argument("--no-rvjit", action="store_true", help="qemu-system-riscv64 only")
    ap.add_argument("--no-warm", action="store_true",
                    help="cold rvjit boots only (no warm or steady boots)")
    ap.add_argument("--settle", type=int, default=12,
                    help="at most this many unreported boots between the warm and the steady "
                         "boot: they stop once a boot compiles (almost) nothing (default 12)")
    ap.add_argument("-v", "--verbose", action="store_true", help="echo the consoles")
    args = ap.parse_args(argv)
    scenario = KVM if args.kvm else LINUX
    smp = args.smp or scenario.default_smp

    images = bootrun.find_images(initrd=scenario.initrd)
    if isinstance(images, str):
        print(f"boot_bench: {images}", file=sys.stderr)
        return 1
    emulators = {} if args.no_rvjit else {"rvjit-cold": bootrun.rvjit_cmd()}
    if not args.no_warm and not args.no_rvjit:
        emulators["rvjit-warm"] = bootrun.rvjit_cmd()
        emulators["rvjit-steady"] = bootrun.rvjit_cmd()
    qemu = None if args.no_qemu else bootrun.qemu_cmd()
    if qemu:
        emulators["qemu"] = qemu
    elif not args.no_qemu:
        print("boot_bench: qemu-system-riscv64 not found; rvjit only", file=sys.stderr)

    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="rvjit-boot-bench-") as work:
        for name, cmd in emulators.items():
            runs = []
            for rep in range(args.reps):
                extra = {}
                if name.startswith("rvjit"):
                    # cold: fresh caches (translations, code) for each repetition; warm: the
                    # second boot on the cold boot's caches; steady: a boot after `settle`
                    # more, when the code cache has caught up with what the boot asks for.
                    cache = os.path.join(work, f"code-cache-{rep}")
                    extra["RVJIT_CACHE_DIR"] = cache
                    if not os.path.isdir(cache):
                        prebuild_runtime(cache)
                    if name == "rvjit-steady":
                        for k in range(args.settle):
                            print(f"settling boot {k + 1} (at most {args.settle}) ...",
                                  flush=True)
                            st = one_boot(scenario, f"{name}-settle", cmd, images, smp,
                                          args.timeout, work, False, extra).get("stats", {})
                            if st.get("compile_seconds", 0.0) < SETTLED_COMPILE_SECONDS:
                                break
                print(f"booting on {name} (-smp {smp}, run {rep + 1}/{args.reps}) ...",
                      flush=True)
                runs.append(one_boot(scenario, name, cmd, images, smp, args.timeout, work,
                                     args.verbose, extra))
            results[name] = median_run(scenario, runs)

    rows = [k for k, _ in scenario.milestones] + ["poweroff"]
    labels = {**dict(scenario.milestones), **scenario.labels, "poweroff": "power-off (exit)"}
    rv = [n for n in results if n.startswith("rvjit")]
    print(f"\n{scenario.title}, -smp {smp}, seconds from start (median of {args.reps}); "
          "ratio = rvjit time / qemu time")
    head = f"{'milestone':22}" + "".join(f" {n:>10}" for n in results)
    if "qemu" in results:
        head += "".join(f" {n[6:] + '/qemu':>10}" for n in rv)
    print(head + "\n" + "-" * len(head))
    ratios: dict[str, dict] = {n: {} for n in rv}
    for k in rows:
        line = f"{labels[k]:22}" + "".join(f" {fmt(res['milestones'][k]):>10}"
                                           for res in results.values())
        q = results.get("qemu", {}).get("milestones", {}).get(k)
        for n in rv if "qemu" in results else []:
            r = results[n]["milestones"][k]
            ratio = r / q if (r is not None and q) else None
            ratios[n][k] = ratio
            line += f" {'-' if ratio is None else f'{ratio:.1f}x':>10}"
        print(line)
    for name, res in results.items():
        print(f"{name} exit code: {res['exit_code']}")
        for r in res["runs"]:
            if "tail" in r:
                print("  " + r["tail"].replace("\n", "\n  "))
    for n in rv:
        st = results[n].get("stats")
        if st:
            print(f"\n{n} counters (RVJIT_STATS):")
            for k in STAT_KEYS:
                if k in st:
                    v = st[k]
                    if isinstance(v, dict):
                        v = ", ".join(f"{a}={b:,}" for a, b in v.items())
                        print(f"  {k:20} {v}")
                    else:
                        print(f"  {k:20} {v:,.2f}" if isinstance(v, float) else
                              f"  {k:20} {v:,}")

    if args.json:
        doc = {"host": platform.node(), "python": platform.python_version(),
               "scenario": scenario.title, "smp": smp, "reps": args.reps,
               "milestones": dict(scenario.milestones), "ratio": ratios, "results": results}
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
        print(f"\nwrote {args.json}")
    last = scenario.milestones[-1][0]
    bad = [n for n, res in results.items() if res["exit_code"] != 0
           or res["milestones"]["poweroff"] is None or res["milestones"][last] is None]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
