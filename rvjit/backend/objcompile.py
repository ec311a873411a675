"""LLVM IR text -> a relocatable object file.  Runs in compile worker processes (and in the main
process when compiling synchronously); it touches no emulator state.

A tier "passes:level" names how hard LLVM works: the IR passes ("none", "sroa", "cheap" =
SROA + instcombine + simplifycfg, or LLVM's default pipeline "O1"/"O2"/"O3") and the codegen
optimisation level (0 selects fast instruction selection and the fast register allocator).
bench/llvm_compile_bench.py measures each on the regions of a boot.
"""
from __future__ import annotations

import llvmlite.binding as llvm

_PASSES = {"none": (), "sroa": ("sroa",), "cheap": ("sroa", "instruction_combine", "simplify_cfg"),
           "cheapgvn": ("sroa", "instruction_combine", "simplify_cfg", "new_gvn")}
_tms: dict[int, llvm.TargetMachine] = {}


def _split(tier: str) -> tuple[str, int]:
    passes, cg = tier.split(":")
    return passes, int(cg)


def target_machine(tier: str) -> llvm.TargetMachine:
    opt = _split(tier)[1]
    tm = _tms.get(opt)
    if tm is None:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        target = llvm.Target.from_default_triple()
        tm = _tms[opt] = target.create_target_machine(
            cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten(),
            # Absolute 64-bit addresses for every symbol (helpers, the entry counter): MCJIT
            # places code, data and the helpers' library anywhere, often >2 GiB apart, where
            # the small model's 32-bit PC-relative references cannot reach.
            opt=opt, reloc="static", codemodel="large")
    return tm


def optimise(mod: llvm.ModuleRef, tm: llvm.TargetMachine, tier: str) -> None:
    passes = _split(tier)[0]
    if passes in _PASSES:
        if not _PASSES[passes]:
            return
        fpm = llvm.create_new_function_pass_manager()
        for p in _PASSES[passes]:
            getattr(fpm, f"add_{p}_pass")()
        pb = llvm.create_pass_builder(tm, llvm.create_pipeline_tuning_options(speed_level=1))
        for fn in mod.functions:
            if not fn.is_declaration:
                fpm.run(fn, pb)
        return
    # A fresh pipeline per module: reusing one across modules aborted llvmlite 0.46-0.50.
    pto = llvm.create_pipeline_tuning_options(speed_level=int(passes[1]))
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(mod, pb)


def runs_passes(tier: str) -> bool:
    """Whether the tier runs IR passes (and so can inline and clean up what lowering left)."""
    return _split(tier)[0] != "none"


def compile_to_object(text: str, tier: str, verify: bool = True) -> bytes:
    """`verify`: run LLVM's IR verifier first (~5% of a first-tier compile).  The compile
    workers skip it for the lowering's own output, which the tests verify."""
    tm = target_machine(tier)
    mod = llvm.parse_assembly(text)
    mod.triple = tm.triple
    mod.data_layout = str(tm.target_data)
    if verify:
        mod.verify()
    optimise(mod, tm, tier)
    return tm.emit_object(mod)


def host_key() -> str:
    """What compiled code depends on besides its IR: LLVM, llvmlite and the host CPU."""
    import llvmlite
    llvm.initialize_native_target()
    return "|".join([llvmlite.__version__, ".".join(map(str, llvm.llvm_version_info)),
                     llvm.get_process_triple(), llvm.get_host_cpu_name(),
                     llvm.get_host_cpu_features().flatten()])

