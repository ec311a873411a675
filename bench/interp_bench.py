#!/usr/bin/env python3
"""The interpreter tier alone: guest MIPS per bench kernel with RVJIT_HOT=0, and the cost of
encode() (IR -> IROp records) per block.

    python bench/interp_bench.py [--kernels a,b] [--reps N] [--json out.json]
    python bench/interp_bench.py --boot-blocks FILE     # encode() over a Linux boot's blocks

Each kernel (built with `make -C bench/kernels REPS=<KERNEL_REPS[k]>` into build/bench-interp) runs
`--reps` times, each in a fresh subprocess; a run's figure is guest instructions / CPU seconds
(time.process_time around the machine's run, translation included: a few ms), so other load on
the machine matters less than with wall-clock time.  The medians are printed, with their
geometric mean.  The encode figure re-encodes every block the kernels translated (their IR kept
from the run) and gives the median CPU microseconds per block.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
OUT_DIR = os.path.join(REPO_ROOT, "build", "bench-interp")
KERNELS = ["crc32", "sieve", "matmul", "qsort", "hash", "stream", "nbody", "pagewalk", "hyp"]
CPU_ARGS = {"hyp": ["-cpu", "rv64,h=true"]}
# Each kernel's REPS, for some 25-50 million guest instructions (~0.3 s at 100 MIPS).
KERNEL_REPS = {"crc32": 40, "sieve": 1, "matmul": 4, "qsort": 3, "hash": 40, "stream": 6,
               "nbody": 40, "pagewalk": 20, "hyp": 40}


def child(elf: str, cpu_args: list[str]) -> dict:
    """Run one kernel in this process with the interpreter tier only; report CPU figures."""
    os.environ["RVJIT_HOT"] = "0"
    sys.path.insert(0, REPO_ROOT)
    from rvjit.backend.interp_encode import encode
    from rvjit.cli import build_config, parse_args
    from rvjit.machine.virt import VirtMachine

    cfg = build_config(parse_args(["-machine", "virt", *cpu_args, "-bios", "none",
                                   "-nographic", "-kernel", elf]))
    m = VirtMachine(cfg)
    m.load_images()
    c0 = time.process_time()
    res = m.run()
    cpu = time.process_time() - c0
    st = m.engine.stats
    irs = [e.ir for e in m.engine.tbs.values() if e.ir is not None]  # None: records only
    ffi = m.engine.ffi
    # encode(): repeat over every block until ~0.3 s of CPU, 5 times; median us/block.
    per_block = [float("nan")]
    for _ in range(5 if irs else 0):
        n, e0 = 0, time.process_time()
        while time.process_time() - e0 < 0.3:
            for ir in irs:
                encode(ffi, ir.insns, ir.ntemps)
            n += len(irs)
        per_block.append((time.process_time() - e0) / n * 1e6)
    return {"exit_code": res.exit_code, "guest_insns": res.guest_insns, "cpu_seconds": cpu,
            "translate_seconds": st.blocks_translated and st.translate_seconds,
            "blocks": st.blocks_translated, "encode_us": statistics.median(per_block),
            "interp_blocks": res.stats["interp_blocks"]}


def boot_blocks(minsns: int, path: str) -> None:
    """Boot Linux for about `minsns` million instructions (interpreter only) and pickle the IR
    of every block it translated to `path`: a realistic set of blocks for timing encode()."""
    import pickle
    os.environ["RVJIT_HOT"] = "0"
    sys.path.insert(0, REPO_ROOT)
    from rvjit.cli import build_config, parse_args
    from rvjit.images import bootrun
    from rvjit.machine.virt import VirtMachine

    cfg = build_config(parse_args(bootrun.boot_argv([], bootrun.find_images())))
    cfg.max_insns = minsns * 1_000_000
    cfg.console_input = False
    m = VirtMachine(cfg)
    m.load_images()
    m.run()
    with open(path, "wb") as f:
        pickle.dump([(e.ir.insns, e.ir.ntemps) for e in m.engine.tbs.values()], f)


def encode_time(path: str) -> dict:
    """Median CPU microseconds per block of encode() over the pickled blocks at `path`."""
    import pickle
    sys.path.insert(0, REPO_ROOT)
    from rvjit.backend.interp_encode import encode
    from rvjit.native.build import load
    ffi, _ = load()
    with open(path, "rb") as f:
        blocks = pickle.load(f)
    per_block = []
    for _ in range(7):
        e0 = time.process_time()
        for insns, ntemps in blocks:
            encode(ffi, insns, ntemps)
        per_block.append((time.process_time() - e0) / len(blocks) * 1e6)
    return {"blocks": len(blocks), "insns": sum(len(b[0]) for b in blocks),
            "encode_us": statistics.median(per_block)}


def run_child(elf: str, cpu_args: list[str]) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", elf, *cpu_args]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=900)
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("INTERP-BENCH "):
            return json.loads(line[len("INTERP-BENCH "):])
    raise RuntimeError(f"{elf}: no result (rc {p.returncode})\n{p.stderr[-2000:]}")


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        r = child(sys.argv[2], sys.argv[3:])
        print("INTERP-BENCH " + json.dumps(r), flush=True)
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernels", default=",".join(KERNELS))
    ap.add_argument("--reps", type=int, default=3, help="runs per kernel (median)")
    ap.add_argument("--json", default=None)
    ap.add_argument("--boot-blocks", metavar="FILE", default=None,
                    help="time encode() over the blocks of a Linux boot pickled in FILE "
                    "(made first if missing, booting for --boot-minsns million insns)")
    ap.add_argument("--boot-minsns", type=int, default=300)
    args = ap.parse_args()
    if args.boot_blocks:
        if not os.path.exists(args.boot_blocks):
            boot_blocks(args.boot_minsns, args.boot_blocks)
        r = encode_time(args.boot_blocks)
        print(f"encode over {r['blocks']} boot blocks ({r['insns']} IR ops): "
              f"{r['encode_us']:.1f} us/block")
        return 0
    kernels = [k for k in args.kernels.split(",") if k]
    rows, out = [], {}
    for k in kernels:
        reps = KERNEL_REPS.get(k, 4)
        outdir = os.path.join(OUT_DIR, f"reps{reps}")
        subprocess.run(["make", "-s", "-C", os.path.join(BENCH_DIR, "kernels"), f"OUT={outdir}",
                        f"REPS={reps}", os.path.join(outdir, f"{k}.elf")], check=True,
                       stdout=subprocess.DEVNULL)
        elf = os.path.join(outdir, f"{k}.elf")
        runs = [run_child(elf, CPU_ARGS.get(k, [])) for _ in range(args.reps)]
        mips = [r["guest_insns"] / r["cpu_seconds"] / 1e6 for r in runs]
        enc = statistics.median(r["encode_us"] for r in runs)
        out[k] = {"runs": runs, "mips": statistics.median(mips), "encode_us": enc}
        rows.append((k, runs[0]["guest_insns"] / 1e6, statistics.median(mips), min(mips),
                     max(mips), runs[0]["blocks"], enc, runs[0]["exit_code"]))
        print(f"{k:9s} {rows[-1][1]:8.1f} Minsn  {rows[-1][2]:7.1f} MIPS "
              f"(min {rows[-1][3]:.1f}, max {rows[-1][4]:.1f})  {rows[-1][5]:4d} blocks  "
              f"encode {enc:6.1f} us/block  exit {rows[-1][7]}", flush=True)
    geo = math.exp(sum(math.log(r[2]) for r in rows) / len(rows))
    enc_all = (sum(r[6] * r[5] for r in rows) / sum(r[5] for r in rows))
    print(f"geomean interpreter MIPS {geo:.1f}; encode {enc_all:.1f} us/block "
          f"(block-weighted mean of the kernels' medians)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"kernels": out, "geomean_mips": geo, "encode_us": enc_all}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
