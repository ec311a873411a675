"""Cost of the LLVM tier per region, phase by phase, on the regions a real boot asks for.

    # 1. record the regions a boot requests (they are not compiled: the boot runs interpreted)
    python bench/llvm_compile_bench.py capture regions.pkl -- <rvjit command-line arguments>
    # 2. time lowering, serialisation, parsing, optimisation and code generation on a sample
    python bench/llvm_compile_bench.py measure regions.pkl [--sample 300] [--batch 1,8,32]

Run it from the repository root with PYTHONPATH=. (the script's own directory comes first on
sys.path).  Times are CPU seconds of this process (time.process_time), so a busy machine
inflates them less than wall-clock numbers.
"""
from __future__ import annotations

import argparse
import atexit
import marshal
import pickle
import random
import sys
import time


def capture(out: str, argv: list[str]) -> int:
    from rvjit import cli
    from rvjit.backend import jit
    from rvjit.backend.region_source import region_ir

    regions: list = []

    def request(self, blocks, done, key=None) -> bool:
        blocks = region_ir(blocks)
        if blocks is not None:
            regions.append(blocks)
        return True

    jit.Codegen.request = request

    @atexit.register
    def _save() -> None:
        with open(out, "wb") as f:
            pickle.dump(regions, f, protocol=5)
        print(f"saved {len(regions)} regions to {out}", file=sys.stderr)

    return cli.main(argv)


def _cpu(fn, *args):
    t0 = time.process_time()
    r = fn(*args)
    return r, time.process_time() - t0


def _merge(texts: list[str]) -> str:
    """Regions' texts as one module: each declares what it calls, once for the module."""
    if len(texts) == 1:
        return texts[0]
    seen: set[str] = set()
    out = []
    for ln in "".join(texts).splitlines(keepends=True):
        if ln.startswith("declare "):
            if ln in seen:
                continue
            seen.add(ln)
        out.append(ln)
    return "".join(out)


def measure(path: str, sample: int, batches: list[int], configs: list[str]) -> None:
    import llvmlite.binding as llvm

    from rvjit.backend import objcompile
    from rvjit.backend.llvm_lower import lower_region, module_prelude
    from rvjit.backend.region_source import decode_members, encode_members

    with open(path, "rb") as f:
        regions = pickle.load(f)
    rng = random.Random(1)
    regs = rng.sample(regions, min(sample, len(regions)))
    n = len(regs)
    ninsns = sum(len(b.insns) for r in regs for b in r)
    print(f"{n} regions, {sum(map(len, regs))} blocks, {ninsns} IR ops")

    def per(x: float) -> str:
        return f"{x / n * 1e3:7.3f} ms/region"

    _, t = _cpu(lambda: [pickle.dumps(r, protocol=5) for r in regs])
    print(f"pickle blocks           {per(t)}")
    pk = [pickle.dumps(r, protocol=5) for r in regs]
    _, t = _cpu(lambda: [pickle.loads(p) for p in pk])
    print(f"unpickle blocks         {per(t)}   ({sum(map(len, pk)) / n:.0f} bytes)")
    enc, t = _cpu(lambda: [encode_members(r) for r in regs])
    size = sum(len(marshal.dumps(e)) for e in enc) / n
    print(f"encode (compact)        {per(t)}   ({size:.0f} bytes)")
    _, t = _cpu(lambda: [decode_members(e) for e in enc])
    print(f"decode (compact)        {per(t)}")
    texts, t = _cpu(lambda: [lower_region(f"r{i}", r) for i, r in enumerate(regs)])
    print(f"lower to text           {per(t)}   ({sum(map(len, texts)) / n:.0f} chars)")
    prelude = module_prelude()
    for cfg in configs:
        for bs in batches:
            tparse = tver = topt = tcg = 0.0
            size = 0
            for k in range(0, n, bs):
                text = prelude + _merge(texts[k:k + bs])
                tm = objcompile.target_machine(cfg)
                mod, t = _cpu(llvm.parse_assembly, text)
                tparse += t
                _, t = _cpu(mod.verify)
                tver += t
                _, t = _cpu(objcompile.optimise, mod, tm, cfg)
                topt += t
                obj, t = _cpu(tm.emit_object, mod)
                tcg += t
                size += len(obj)
            print(f"{cfg:>10} batch {bs:3}: parse {per(tparse)}  verify {per(tver)}  "
                  f"opt {per(topt)}  "
                  f"codegen {per(tcg)}  total {per(tparse + topt + tcg)}  "
                  f"obj {size / n:.0f} B")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("capture")
    c.add_argument("out")
    c.add_argument("argv", nargs=argparse.REMAINDER)
    m = sub.add_parser("measure")
    m.add_argument("regions")
    m.add_argument("--sample", type=int, default=300)
    m.add_argument("--batch", default="1,16")
    m.add_argument("--configs", default="none:0,sroa:0,cheap:0,O1:1,O2:2")
    a = ap.parse_args()
    if a.cmd == "capture":
        argv = a.argv[1:] if a.argv[:1] == ["--"] else a.argv
        return capture(a.out, argv)
    measure(a.regions, a.sample, [int(x) for x in a.batch.split(",")], a.configs.split(","))
    return 0


if __name__ == "__main__":
    sys.exit(main())
