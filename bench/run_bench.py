#!/usr/bin/env python3
"""Run the bench kernels under qemu-system-riscv64 and rvjit, in the same run.

    python bench/run_bench.py [--kernels a,b] [--json out.json]

Each kernel prints one line
    BENCH name=<k> ticks=<mtime delta> instret=<minstret delta> check=<hex>
and exits through the sifive_test finisher (exit code 1 = checksum failure).

The guest instruction count of the timed section is taken from rvjit's
instret (exact there; QEMU's minstret without -icount is host ticks).  If
rvjit gives no count, QEMU is re-run with `-icount shift=0`, which makes
minstret an instruction count (slower, so that run is not timed).
MIPS = insns / (ticks / 1e7) / 1e6, ticks being each emulator's own mtime delta.

Exit status: 1 if any kernel failed its checksum (or the two emulators
disagree on it); 0 otherwise, even if an emulator is missing or crashed
(use --strict to fail on those too).
"""

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
KERNEL_DIR = os.path.join(BENCH_DIR, "kernels")
DEFAULT_OUT = os.path.join(REPO_ROOT, "build", "bench")
DEFAULT_KERNELS = ["crc32", "sieve", "matmul", "qsort", "hash", "stream", "pagewalk", "hyp"]
# Extra CPU options a kernel needs, passed alike to QEMU and rvjit (hyp runs a guest under
# the Hypervisor extension).
KERNEL_CPU_ARGS = {"hyp": ["-cpu", "rv64,h=true"]}
MTIME_HZ = 10_000_000

BENCH_RE = re.compile(
    r"BENCH name=(?P<name>\S+) ticks=(?P<ticks>\d+) instret=(?P<instret>\d+)"
    r" check=(?P<check>0x[0-9a-fA-F]+)(?: accesses=(?P<accesses>\d+))?")
FAIL_RE = re.compile(r"BENCH-FAIL .*")
TRAP_RE = re.compile(r"BENCH-TRAP .*")

STAT_KEYS = ["guest_insns", "blocks_translated", "translate_seconds",
             "blocks_compiled", "compile_seconds", "compile_batches",
             "interp_blocks", "native_blocks", "python_exits",
             "exits_per_minsn", "tlb_hits", "tlb_misses", "run_seconds"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def machine_args(elf):
    name = os.path.splitext(os.path.basename(elf))[0]
    return ["-machine", "virt", *KERNEL_CPU_ARGS.get(name, []),
            "-bios", "none", "-nographic", "-kernel", elf]


def run_cmd(cmd, timeout, env=None, cwd=None):
    """Run cmd in its own process group; return a dict describing the run."""
    res = {"cmd": cmd, "rc": None, "stdout": "", "stderr": "",
           "timeout": False, "missing": False, "wall_seconds": None}
    t0 = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env, cwd=cwd, start_new_session=True)
    except FileNotFoundError as e:
        res["missing"] = True
        res["stderr"] = str(e)
        return res
    except OSError as e:
        res["stderr"] = "cannot start: %s" % e
        return res
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        res["timeout"] = True
        _kill_group(proc)
        out, err = proc.communicate()
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    res["wall_seconds"] = time.monotonic() - t0
    res["rc"] = proc.returncode
    res["stdout"] = out.decode("utf-8", "replace")
    res["stderr"] = err.decode("utf-8", "replace")
    return res


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            proc.kill()
        except ProcessLookupError:
            pass


def last_line(text):
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    return lines[-1] if lines else ""


def parse_run(kernel, res, label):
    """Classify a run: status is ok / checksum / missing / timeout / error."""
    r = {"status": "error", "error": None, "rc": res["rc"],
         "wall_seconds": res["wall_seconds"]}
    out = res["stdout"].replace("\r", "")
    m = None
    for mm in BENCH_RE.finditer(out):
        if mm.group("name") == kernel:
            m = mm
    if m:
        r["ticks"] = int(m.group("ticks"))
        r["instret_raw"] = int(m.group("instret"))
        r["check"] = m.group("check").lower()
        r["seconds"] = r["ticks"] / MTIME_HZ
        if m.group("accesses"):
            r["accesses"] = int(m.group("accesses"))
    fail = FAIL_RE.search(out)
    trap = TRAP_RE.search(out)
    if res["missing"]:
        r["status"] = "missing"
        r["error"] = "%s not found (%s)" % (label, res["stderr"])
    elif res["timeout"]:
        r["status"] = "timeout"
        r["error"] = "%s timed out after %.0f s" % (label, res["wall_seconds"])
    elif fail:
        r["status"] = "checksum"
        r["error"] = "%s: checksum FAILED: %s" % (label, fail.group(0).strip())
    elif trap:
        r["error"] = "%s: guest trapped: %s" % (label, trap.group(0).strip())
    elif m and res["rc"] == 0:
        r["status"] = "ok"
    elif m:
        r["error"] = "%s: BENCH line printed but exit code %s" % (label, res["rc"])
    elif res["rc"] is None:
        r["error"] = "%s: %s" % (label, res["stderr"].strip())
    else:
        why = last_line(res["stderr"]) or last_line(out) or "no output"
        if "No module named" in why and "rvjit" in why:
            r["status"] = "missing"
            r["error"] = "%s not available (%s)" % (label, why)
        else:
            r["error"] = "%s: exit code %s, no BENCH line (%s)" % (
                label, res["rc"], why[:200])
    return r


def load_stats(path):
    if not os.path.exists(path):
        return None, "stats file not written"
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        return None, "stats file unreadable: %s" % e
    if not isinstance(data, dict):
        return None, "stats file is not a JSON object"
    return data, None


def num(d, key):
    v = d.get(key) if d else None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return v


def derive_stats(stats, insns):
    """Per-block and per-insn figures from rvjit's cost-model dump."""
    out = {}
    bt, ts = num(stats, "blocks_translated"), num(stats, "translate_seconds")
    bc, cs = num(stats, "blocks_compiled"), num(stats, "compile_seconds")
    out["blocks_translated"] = bt
    out["translate_us_per_block"] = ts / bt * 1e6 if bt and ts is not None else None
    out["compile_us_per_block"] = cs / bc * 1e6 if bc and cs is not None else None
    epm = num(stats, "exits_per_minsn")
    if epm is None:
        exits = num(stats, "python_exits")
        total = num(stats, "guest_insns")
        if exits is not None and total:
            epm = exits / total * 1e6
    out["exits_per_minsn"] = epm
    return out


def build(out_dir, kernels, reps=None):
    cmd = ["make", "-C", KERNEL_DIR, "OUT=" + out_dir]
    if reps is not None:
        cmd.append("REPS=%d" % reps)
    cmd += [os.path.join(out_dir, k + ".elf") for k in kernels]
    log("building: " + " ".join(shlex.quote(c) for c in cmd))
    res = run_cmd(cmd, timeout=600)
    if res["missing"] or res["rc"] != 0:
        log(res["stdout"] + res["stderr"])
        log("error: kernel build failed")
        return False
    return True


def list_kernels():
    res = run_cmd(["make", "-s", "-C", KERNEL_DIR, "list"], timeout=60)
    if res["rc"] == 0 and res["stdout"].split():
        return res["stdout"].split()
    return list(DEFAULT_KERNELS)


def qemu_version(qemu):
    res = run_cmd([qemu, "--version"], timeout=30)
    if res["missing"] or res["rc"] != 0:
        return None
    return res["stdout"].splitlines()[0].strip() if res["stdout"] else "unknown"


def fmt(v, spec, none="-"):
    return none if v is None else format(v, spec)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kernels", help="comma-separated subset (default: all)")
    ap.add_argument("--json", metavar="FILE", help="write all numbers here")
    ap.add_argument("--qemu", default=os.environ.get("QEMU", "qemu-system-riscv64"),
                    help="QEMU binary (default: $QEMU or qemu-system-riscv64)")
    ap.add_argument("--rvjit-cmd", default=None,
                    help="command that starts rvjit (default: '%s -m rvjit')"
                    % os.path.basename(sys.executable))
    ap.add_argument("--out", default=DEFAULT_OUT, help="kernel build directory")
    ap.add_argument("--no-build", action="store_true", help="skip make")
    ap.add_argument("--reps", type=int, default=None,
                    help="override every kernel's timed repetition count "
                    "(rebuilds; checksums are unaffected)")
    ap.add_argument("--timeout", type=float, default=600.0,
                    help="per-emulator-run timeout in seconds (default 600)")
    ap.add_argument("--icount", action="store_true",
                    help="always also run QEMU -icount to cross-check rvjit's instret")
    ap.add_argument("--no-icount", action="store_true",
                    help="never run QEMU -icount (no insn count without rvjit)")
    ap.add_argument("--skip-qemu", action="store_true")
    ap.add_argument("--skip-rvjit", action="store_true")
    ap.add_argument("--strict", action="store_true",
                    help="also exit non-zero if an emulator is missing or fails")
    args = ap.parse_args(argv)

    all_kernels = list_kernels()
    if args.kernels:
        kernels = [k.strip() for k in args.kernels.split(",") if k.strip()]
        unknown = [k for k in kernels if k not in all_kernels]
        if unknown:
            ap.error("unknown kernel(s): %s (have: %s)"
                     % (", ".join(unknown), ", ".join(all_kernels)))
    else:
        kernels = all_kernels

    out_dir = os.path.abspath(args.out)
    if not args.no_build and not build(out_dir, kernels, args.reps):
        return 2

    qver = None if args.skip_qemu else qemu_version(args.qemu)
    have_qemu = qver is not None
    if not args.skip_qemu and not have_qemu:
        log("NOTE: QEMU (%s) not found or not runnable: printing rvjit only"
            % args.qemu)

    rvjit_cmd = (shlex.split(args.rvjit_cmd) if args.rvjit_cmd
                 else [sys.executable, "-m", "rvjit"])
    env = dict(os.environ)
    pp = [REPO_ROOT] + ([os.path.join(REPO_ROOT, "src")]
                        if os.path.isdir(os.path.join(REPO_ROOT, "src")) else [])
    if env.get("PYTHONPATH"):
        pp.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(pp)

    results = {}
    stats_dir = tempfile.mkdtemp(prefix="rvjit-bench-")
    try:
        for k in kernels:
            results[k] = run_kernel(k, out_dir, args, have_qemu, rvjit_cmd,
                                    env, stats_dir)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        shutil.rmtree(stats_dir, ignore_errors=True)

    print_report(kernels, results, have_qemu, args)

    checksum_failed = [k for k in kernels if results[k]["checksum_failed"]]
    any_error = [k for k in kernels if results[k]["errors"]]

    if args.json:
        doc = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "host": {"machine": platform.machine(), "node": platform.node(),
                     "python": platform.python_version()},
            "qemu": {"binary": args.qemu, "version": qver},
            "rvjit_cmd": rvjit_cmd,
            "mtime_hz": MTIME_HZ,
            "reps_override": args.reps,
            "kernels": results,
            "checksum_failed": checksum_failed,
        }
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=2, sort_keys=True)
            f.write("\n")
        log("wrote %s" % args.json)

    if checksum_failed:
        return 1
    if args.strict and any_error:
        return 1
    return 0


def run_kernel(k, out_dir, args, have_qemu, rvjit_cmd, env, stats_dir):
    elf = os.path.join(out_dir, k + ".elf")
    r = {"elf": elf, "errors": [], "checksum_failed": False}

    # (a) QEMU, timed.
    if args.skip_qemu:
        q = {"status": "skipped", "error": None}
    elif not have_qemu:
        q = {"status": "missing", "error": "QEMU not available"}
    else:
        log("[%s] qemu ..." % k)
        res = run_cmd([args.qemu] + machine_args(elf), args.timeout)
        q = parse_run(k, res, "qemu")
        log("[%s] qemu %s (%.1f s wall)" % (k, q["status"], res["wall_seconds"] or 0))
    r["qemu"] = q

    # (b) rvjit, timed, with its cost-model dump.
    if args.skip_rvjit:
        j = {"status": "skipped", "error": None}
    else:
        stats_path = os.path.join(stats_dir, "%s.stats.json" % k)
        if os.path.exists(stats_path):
            os.unlink(stats_path)
        renv = dict(env, RVJIT_STATS=stats_path)
        log("[%s] rvjit ..." % k)
        res = run_cmd(rvjit_cmd + machine_args(elf), args.timeout,
                      env=renv, cwd=REPO_ROOT)
        j = parse_run(k, res, "rvjit")
        log("[%s] rvjit %s (%.1f s wall)" % (k, j["status"], res["wall_seconds"] or 0))
        stats, why = load_stats(stats_path)
        j["stats"] = stats
        if why and j["status"] not in ("missing",):
            j["stats_note"] = why
    r["rvjit"] = j

    # Instruction count of the timed section.
    insns, source = None, None
    if j.get("instret_raw") is not None:
        insns, source = j["instret_raw"], "rvjit"
    want_icount = have_qemu and not args.no_icount and (
        args.icount or insns is None)
    if want_icount:
        log("[%s] qemu -icount (instruction count) ..." % k)
        res = run_cmd([args.qemu, "-icount", "shift=0"] + machine_args(elf),
                      args.timeout)
        ic = parse_run(k, res, "qemu -icount")
        r["qemu_icount"] = {kk: ic.get(kk) for kk in
                            ("status", "error", "instret_raw", "check", "wall_seconds")}
        if ic.get("instret_raw") is not None:
            if insns is None:
                insns, source = ic["instret_raw"], "qemu-icount"
            else:
                r["instret_diff_rvjit_minus_icount"] = insns - ic["instret_raw"]
        if ic["status"] == "checksum":
            r["checksum_failed"] = True
            r["errors"].append(ic["error"])
    r["insns"], r["insns_source"] = insns, source

    for side in (q, j):
        if side.get("status") == "checksum":
            r["checksum_failed"] = True
        if side.get("error"):
            r["errors"].append(side["error"])
    if q.get("check") and j.get("check") and q["check"] != j["check"]:
        r["checksum_failed"] = True
        r["errors"].append("checksum mismatch: qemu %s, rvjit %s"
                           % (q["check"], j["check"]))

    for side in (q, j):
        t = side.get("ticks")
        side["mips"] = (insns / (t / MTIME_HZ) / 1e6
                        if insns is not None and t else None)
    r["ratio_rvjit_over_qemu"] = (j["mips"] / q["mips"]
                                  if j.get("mips") and q.get("mips") else None)
    r["rvjit_derived"] = derive_stats(j.get("stats"), insns)
    # Software-TLB hit rate: the kernel counts its timed accesses; every TLB fill rvjit made
    # (the whole run: an upper bound on the timed section's misses) counts as a miss.
    acc, fills = j.get("accesses"), num(j.get("stats") or {}, "tlb_misses")
    r["rvjit_derived"]["tlb_hit_rate"] = (max(0.0, 1 - fills / acc)
                                          if acc and fills is not None else None)
    return r


def print_report(kernels, results, have_qemu, args):
    hdr = ["kernel", "insns(M)", "QEMU MIPS", "rvjit MIPS", "rvjit/QEMU",
           "blocks", "xlate us/blk", "compile us/blk", "exits/Minsn", "TLB hit %"]
    rows = []
    for k in kernels:
        r = results[k]
        d = r["rvjit_derived"]
        ins = r["insns"]
        ins_s = fmt(ins / 1e6 if ins is not None else None, ".1f")
        if r["insns_source"] == "qemu-icount":
            ins_s += "*"
        rows.append([
            k, ins_s,
            fmt(r["qemu"].get("mips"), ".0f"),
            fmt(r["rvjit"].get("mips"), ".1f"),
            fmt(r["ratio_rvjit_over_qemu"], ".3f"),
            fmt(d.get("blocks_translated"), "d") if isinstance(
                d.get("blocks_translated"), int) else fmt(d.get("blocks_translated"), ".0f"),
            fmt(d.get("translate_us_per_block"), ".1f"),
            fmt(d.get("compile_us_per_block"), ".0f"),
            fmt(d.get("exits_per_minsn"), ".2f"),
            fmt(d["tlb_hit_rate"] * 100 if d.get("tlb_hit_rate") is not None else None,
                ".1f"),
        ])
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h)
              for i, h in enumerate(hdr)]

    def line(cells):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    print()
    if not have_qemu and not args.skip_qemu:
        print("NOTE: QEMU not available -- rvjit figures only.")
    print(line(hdr))
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row))
    if any(results[k]["insns_source"] == "qemu-icount" for k in kernels):
        print("* insns from QEMU -icount shift=0 (rvjit gave no instret)")

    # Timing detail, rvjit stats, cross-checks.
    detail = []
    for k in kernels:
        r = results[k]
        parts = []
        for side in ("qemu", "rvjit"):
            s = r[side]
            if s.get("seconds") is not None:
                parts.append("%s %.3f s guest / %.1f s wall"
                             % (side, s["seconds"], s.get("wall_seconds") or 0))
        if "instret_diff_rvjit_minus_icount" in r:
            parts.append("instret rvjit-icount=%+d" % r["instret_diff_rvjit_minus_icount"])
        if parts:
            detail.append("  %-8s %s" % (k, "; ".join(parts)))
        stats = r["rvjit"].get("stats")
        if stats:
            keys = [x for x in STAT_KEYS if x in stats] + sorted(
                x for x in stats if x not in STAT_KEYS)
            detail.append("  %-8s rvjit stats: %s" % (k, " ".join(
                "%s=%s" % (x, _short(stats[x])) for x in keys)))
        elif r["rvjit"].get("stats_note") and r["rvjit"].get("status") == "ok":
            detail.append("  %-8s rvjit stats: (%s)" % (k, r["rvjit"]["stats_note"]))
    if detail:
        print()
        print("\n".join(detail))

    errs = [(k, e) for k in kernels for e in results[k]["errors"]]
    if errs:
        print()
        for k, e in errs:
            print("ERROR %s: %s" % (k, e))
    failed = [k for k in kernels if results[k]["checksum_failed"]]
    print()
    print("checksums: %s" % ("FAILED: " + ", ".join(failed) if failed else "all ok"))


def _short(v):
    if isinstance(v, float):
        return "%.6g" % v
    s = json.dumps(v) if not isinstance(v, (int, str)) else str(v)
    return s if len(s) <= 60 else s[:57] + "..."


if __name__ == "__main__":
    sys.exit(main())
