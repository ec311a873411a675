#!/usr/bin/env python3
"""Time the Python frontend: guest code -> IR (translate_block, the decoder, the trans_ functions,
IRBuilder), on a corpus of real blocks, and check that the IR it makes has not changed.

The corpus is the code of the `make images` boot: the Linux kernel Image (a flat binary loaded at
physical 0x80200000) translated with S-mode TB flags, and OpenSBI's fw_dynamic.bin (at
0x80000000) with M-mode flags.  Blocks are taken by sweeping windows spread evenly over each
image's text: a window starts at an instruction-aligned offset and each next block starts where
the previous one ended, as straight-line code is laid out.  Instructions are fetched through the
engine's fetcher (Engine._fetcher) over a guest RAM region holding the image, with virtual =
physical addresses, so the fetch path a boot uses is part of what is timed.

    python bench/translate_bench.py                    # us/block, CPU time, median of 5 runs
    python bench/translate_bench.py --reps 9 --profile # and a cProfile of one run
    python bench/translate_bench.py --save ref.json    # record every block's IR digest
    python bench/translate_bench.py --check ref.json   # compare against a recording
    python bench/translate_bench.py --stage encode     # translate + interp_encode.encode
    python bench/translate_bench.py --stage engine     # Engine._translate: all a cold boot does
                                                       # per new block (records, TB, cache entry)
    python bench/translate_bench.py --gc-off ...       # the cyclic GC off, as during a boot
    python bench/translate_bench.py --save-records r.json / --check-records r.json
                                                       # digests of every block's IROp records

--save-records/--check-records record what interp_encode.encode makes of each block's IR (the
records must stay byte-identical for the same IR), and --check-records also checks that
interp_encode.translate_records (the engine's path, no IR) makes the same bytes, op count,
temporaries and successors.

--save/--check record, per block, a digest of a canonical text form of its IR (every field of
every Insn, constants and temporaries told apart, plus the BlockIR fields), a digest of
pickle.dumps of its insns and one of a two-block "region" pickled as the compiled-code cache key
does (backend/jit.py region_key).  The canonical text must match for the IR to be unchanged; the
pickles must match for compiled-code cache keys to stay the same.  To compare two commits, run
--save on the old one and --check on the new one, e.g.

    mkdir /tmp/old && git archive <old commit> rvjit | tar -x -C /tmp/old
    mkdir /tmp/old/bench && cp bench/translate_bench.py /tmp/old/bench/
    ln -s $PWD/build /tmp/old/
    python /tmp/old/bench/translate_bench.py --save /tmp/ref.json    # (the bench imports rvjit
    python bench/translate_bench.py --check /tmp/ref.json            #  from its own tree)

(the bench fetches through the tree's own Engine._fetcher, so it runs on older trees too).
Exit status 1 on any mismatch; the first few differing blocks are printed.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import json
import mmap
import os
import pickle
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(BENCH_DIR))

from rvjit.cpu.state import TBFLAG_FS_SHIFT, TBFLAG_MMU_SHIFT, TBFLAG_VIRT  # noqa: E402
from rvjit.exec.engine import Engine  # noqa: E402
from rvjit.frontend.translate import BlockIR, FetchFault, translate_block  # noqa: E402
from rvjit.images import bootrun  # noqa: E402
from rvjit.softmmu.physmem import GuestMemory, RamRegion  # noqa: E402

KERNEL_BASE = 0x8020_0000
OPENSBI_BASE = 0x8000_0000
# The kernel Image's text (found by translating: outside it almost every block is illegal).
KERNEL_TEXT = (0x2000, 0xB0_0000)
OPENSBI_TEXT = (0x0, 0x2_8000)
FLAGS_S = 1 | (1 << TBFLAG_MMU_SHIFT)                         # S-mode, FS off (kernel code)
FLAGS_M = 3 | (3 << TBFLAG_MMU_SHIFT) | (1 << TBFLAG_FS_SHIFT)  # M-mode, FS Initial
FLAGS_VS = 1 | TBFLAG_VIRT | (2 << TBFLAG_MMU_SHIFT)           # VS-mode
FLAGS_U = 0                                                     # U-mode, FS off
FS_DIRTY = 3 << TBFLAG_FS_SHIFT


def native():
    """(ffi, lib) of the native runtime (the encoder needs its ffi)."""
    from rvjit.native.build import load
    return load()


class Image:
    """Code in guest RAM, a fetcher over it as the engine would fetch, and where to sweep."""

    def __init__(self, data: bytes, base: int, flags: tuple[int, ...],
                 sweeps: list[tuple[int, int, int]]) -> None:
        self.base, self.flags = base, flags
        self.sweeps = sweeps            # (start address, end address, at most this many blocks)
        size = (len(data) + 0xFFFF) & ~0xFFFF
        buf = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        buf[:len(data)] = data
        mem = GuestMemory(None, None, None)
        mem.ram.append(RamRegion("ram", base, size, buf))

        def fetch_paddr(cpu, vaddr: int) -> int:
            if not base <= vaddr < base + size:
                raise FetchFault(1, vaddr)      # instruction access fault
            return vaddr
        self.engine = SimpleNamespace(memory=mem, fetch_paddr=fetch_paddr)

    def fetcher(self):
        return Engine._fetcher(self.engine, None)

    def real_engine(self, xcache_dir: str | None):
        """An Engine over a RtMachine holding this image's RAM, fetching as `fetcher` does,
        with a translation cache in `xcache_dir` (never saved)."""
        from rvjit.exec.xlate_cache import TranslationCache
        ffi, lib = native()
        rt = ffi.gc(lib.rt_machine_new(), lib.rt_machine_free)
        mem = GuestMemory(ffi, lib, rt)
        r = mem.add_ram("ram", self.base, len(self.engine.memory.ram[0].buf))
        r.buf[:] = self.engine.memory.ram[0].buf[:]
        eng = Engine(ffi, lib, rt, mem, hot_threshold=0, compile_workers=0,
                     disk_cache=xcache_dir is not None)
        if xcache_dir is not None:
            eng.xcache = TranslationCache(Path(xcache_dir))
        eng.fetch_paddr = self.engine.fetch_paddr
        return eng


def windows(base: int, text: tuple[int, int], n: int, per_window: int) -> list:
    lo, hi = text
    step = (hi - lo) // n
    return [(base + ((lo + k * step) & ~3), base + hi, per_window) for k in range(n)]


def timing_corpus(scale: float) -> list[Image]:
    imgs = bootrun.find_images()
    if isinstance(imgs, str):
        sys.exit(imgs)
    return [Image(open(imgs.kernel, "rb").read(), KERNEL_BASE, (FLAGS_S,),
                  windows(KERNEL_BASE, KERNEL_TEXT, int(200 * scale), 60)),
            Image(open(imgs.bios, "rb").read(), OPENSBI_BASE, (FLAGS_M,),
                  windows(OPENSBI_BASE, OPENSBI_TEXT, int(40 * scale), 50))]


def coverage_corpus() -> list[Image]:
    """For --save/--check only: more flag sets (FP on, V=1, U-mode) and the guest test programs
    (build/guest, `make guest`) swept whole, so that every translator is exercised."""
    from elftools.elf.elffile import ELFFile
    out = []
    imgs = bootrun.find_images()
    flags_all = (FLAGS_S | FS_DIRTY, FLAGS_VS | FS_DIRTY, FLAGS_M | FS_DIRTY, FLAGS_U)
    out.append(Image(open(imgs.kernel, "rb").read(), KERNEL_BASE, flags_all[:2],
                     windows(KERNEL_BASE, KERNEL_TEXT, 100, 40)))
    root = os.path.join(os.path.dirname(BENCH_DIR), "build")
    for dirpath, _, names in sorted(os.walk(root)):
        for name in sorted(names):
            if not name.endswith(".elf"):
                continue
            elf = ELFFile(open(os.path.join(dirpath, name), "rb"))
            for seg in elf.iter_segments():
                if seg["p_type"] == "PT_LOAD" and seg["p_flags"] & 1 and seg["p_filesz"]:
                    addr = seg["p_paddr"]
                    out.append(Image(seg.data(), addr, flags_all,
                                     [(addr, addr + seg["p_filesz"], 1 << 30)]))
    return out


def run(imgs: list[Image], keep: list[BlockIR] | None = None, freeze: bool = False,
        stage: str = "translate") -> int:
    """Translate the corpus once; returns the number of blocks.  `freeze`: gc.freeze() after
    each block (what an engine that froze its IR out of the cyclic GC would see).  `stage`:
    "translate" (translate_block only), "encode" (and interp_encode.encode) or "engine" (a
    fresh Engine per image and flag set, each block through Engine._translate: the IR, its
    records, the TB bookkeeping and the translation cache's entry)."""
    if stage == "engine":
        return run_engine(imgs, keep)
    if stage == "encode":
        from rvjit.backend.interp_encode import encode
        ffi = native()[0]
    n = 0
    for img in imgs:
        for flags in img.flags:
            for start, end, count in img.sweeps:
                pc = start
                for _ in range(count):
                    if pc >= end:
                        break
                    ir = translate_block(img.fetcher(), pc, flags)
                    if stage == "encode":
                        ops = encode(ffi, ir.insns, ir.ntemps)
                        if keep is not None:
                            keep.append(ops)
                    if keep is not None:
                        keep.append(ir)
                    if freeze:
                        gc.freeze()
                    n += 1
                    pc += ir.size
    return n


def run_engine(imgs: list[Image], keep: list | None) -> int:
    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        for img in imgs:
            for flags in img.flags:
                eng = img.real_engine(tmp)
                for start, end, count in img.sweeps:
                    pc = start
                    for _ in range(count):
                        if pc >= end:
                            break
                        key = (pc, pc, flags)
                        ent = eng.tbs.get(key) or eng._translate(None, key)
                        n += 1
                        pc += len(ent.code)
                if keep is not None:
                    keep.append(eng)
    return n


def record_digests(imgs: list[Image]) -> list[list]:
    """Per block: pc, flags, digest of its IROp records as interp_encode.encode makes them."""
    from rvjit.backend.interp_encode import encode
    ffi = native()[0]
    out = []
    try:
        from rvjit.backend.interp_encode import translate_records
    except ImportError:         # an older tree
        translate_records = None
    for img in imgs:
        blocks: list[BlockIR] = []
        run([img], blocks)
        for ir in blocks:
            ops = encode(ffi, ir.insns, ir.ntemps)
            data = bytes(ffi.buffer(ops))
            out.append([ir.pc, ir.flags, hashlib.sha256(data).hexdigest()[:24]])
            if translate_records is not None:
                r = translate_records(ffi, img.fetcher(), ir.pc, ir.flags)
                if (r.data, r.nops, r.ntemps, r.ninsns, r.code, r.successors) != \
                        (data, len(ir.insns), ir.ntemps, ir.ninsns, ir.guest_bytes,
                         ir.successors):
                    out[-1].append("translate_records differs")
    return out


def run_blocks(imgs: list[Image]) -> list[BlockIR]:
    blocks: list[BlockIR] = []
    run(imgs, blocks)
    return blocks


def canonical(ir: BlockIR) -> str:
    """Every field of the block and its insns, constants (#) and temporaries (t) told apart."""
    def opnd(x) -> str:
        return f"#{x:#x}" if isinstance(x, int) else f"t{x.n}"
    lines = [f"block pc={ir.pc:#x} flags={ir.flags:#x} ntemps={ir.ntemps} ninsns={ir.ninsns} "
             f"size={ir.size} bytes={ir.guest_bytes.hex()} succ={list(map(hex, ir.successors))}"]
    for i in ir.insns:
        dst = "-" if i.dst is None else opnd(i.dst)
        lines.append(f"{int(i.op)} {type(i.op).__name__}.{i.op.name} {dst} "
                     f"[{','.join(map(opnd, i.args))}] size={i.size} signed={i.signed!r} "
                     f"reg={i.reg} label={i.label} helper={i.helper!r} pc={i.pc:#x} "
                     f"icount={i.icount}")
    return "\n".join(lines)


def digests(blocks: list[BlockIR]) -> list[list]:
    """Per block: pc, flags, digest of the canonical text, of pickle.dumps(insns), and of the
    pickle of it and the next block as backend/jit.py region_key pickles a region (this also
    sees objects shared between blocks, which a region's pickle records)."""
    out = []
    for k, ir in enumerate(blocks):
        text = hashlib.sha256(canonical(ir).encode()).hexdigest()[:24]
        pkl = hashlib.sha256(pickle.dumps(ir.insns, protocol=5)).hexdigest()[:24]
        pair = [(b.pc, b.flags, b.insns) for b in blocks[k:k + 2]]
        region = hashlib.sha256(pickle.dumps(pair, protocol=5)).hexdigest()[:24]
        out.append([ir.pc, ir.flags, text, pkl, region])
    return out


def check(imgs: list[Image], ref_path: str) -> int:
    blocks: list[BlockIR] = []
    run(imgs, blocks)
    ref = json.load(open(ref_path))["blocks"]
    cur = digests(blocks)
    bad = [k for k in range(max(len(ref), len(cur)))
           if k >= len(ref) or k >= len(cur) or ref[k] != cur[k]]
    for k in bad[:5]:
        r = ref[k] if k < len(ref) else None
        print(f"block {k}: reference {r}  now {cur[k] if k < len(cur) else None}")
        if k < len(blocks):
            print(canonical(blocks[k]))
    both = [k for k in bad if k < len(ref) and k < len(cur)]
    print(f"checked {len(cur)} blocks against {len(ref)}: {len(bad)} differ; canonical text "
          f"{sum(ref[k][2] != cur[k][2] for k in both)}, block pickle "
          f"{sum(ref[k][3] != cur[k][3] for k in both)}, region pickle "
          f"{sum(ref[k][4:] != cur[k][4:] for k in both)}")
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=5, help="timed runs (median reported)")
    ap.add_argument("--scale", type=float, default=1.0, help="corpus size factor")
    ap.add_argument("--profile", action="store_true", help="cProfile one run")
    ap.add_argument("--no-keep", action="store_true",
                    help="drop each block's IR at once (by default all are kept alive, as the "
                         "engine keeps them, so the cyclic GC's cost is part of the time)")
    ap.add_argument("--gc-off", action="store_true",
                    help="the cyclic GC off while timing (as a boot runs: machine/virt.py)")
    ap.add_argument("--gc-freeze", action="store_true", help="gc.freeze() after each block")
    ap.add_argument("--save", metavar="FILE", help="record the IR digests of every block")
    ap.add_argument("--check", metavar="FILE", help="compare IR digests with a recording")
    ap.add_argument("--stage", choices=("translate", "encode", "engine"), default="translate",
                    help="how much of a block's translation path to time")
    ap.add_argument("--save-records", metavar="FILE",
                    help="record digests of every block's interpreter records")
    ap.add_argument("--check-records", metavar="FILE",
                    help="compare record digests with a recording")
    opts = ap.parse_args()
    imgs = timing_corpus(opts.scale)
    if opts.save or opts.check or opts.save_records or opts.check_records:
        imgs += coverage_corpus()
    if opts.save_records:
        json.dump({"records": record_digests(imgs)}, open(opts.save_records, "w"))
        print(f"saved record digests to {opts.save_records}")
        return 0
    if opts.check_records:
        ref = json.load(open(opts.check_records))["records"]
        cur = record_digests(imgs)
        bad = [k for k in range(max(len(ref), len(cur)))
               if k >= len(ref) or k >= len(cur) or ref[k] != cur[k]]
        for k in bad[:5]:
            print(f"block {k}: reference {ref[k] if k < len(ref) else None}  "
                  f"now {cur[k] if k < len(cur) else None}")
        print(f"checked {len(cur)} blocks' records against {len(ref)}: {len(bad)} differ")
        return 1 if bad else 0
    if opts.save:
        blocks: list[BlockIR] = []
        run(imgs, blocks)
        json.dump({"blocks": digests(blocks)}, open(opts.save, "w"))
        print(f"saved {len(blocks)} block digests to {opts.save}")
        return 0
    if opts.check:
        return check(imgs, opts.check)
    run(imgs, stage=opts.stage)     # warm-up: imports, the decoder's per-word cache
    times = []
    for _ in range(opts.reps):
        keep: list[BlockIR] = []    # the engine keeps every block's IR alive, so do we
        gc.collect()
        if opts.gc_off:
            gc.disable()
        t0 = time.process_time()
        n = run(imgs, None if opts.no_keep else keep, opts.gc_freeze, opts.stage)
        times.append(time.process_time() - t0)
        gc.enable()
        del keep
        gc.unfreeze()
    insns = sum(b.ninsns for b in run_blocks(imgs))
    med = statistics.median(times)
    print(f"{n} blocks, {insns} guest insns; CPU s per run: "
          + " ".join(f"{t:.3f}" for t in times))
    print(f"median {med * 1e6 / n:.1f} us/block  ({med * 1e9 / insns:.0f} ns/insn)")
    if opts.profile:
        prof = cProfile.Profile()
        if opts.gc_off:
            gc.disable()
        prof.enable()
        run(imgs, stage=opts.stage)
        prof.disable()
        gc.enable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
