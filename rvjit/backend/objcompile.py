"""LLVM IR text -> a relocatable object file.  Runs in compile worker processes (and in the main
process when compiling synchronously); it touches no emulator state."""
from __future__ import annotations

import llvmlite.binding as llvm

_tm = None


def _target_machine(opt_level: int):
    global _tm
    if _tm is None:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        target = llvm.Target.from_default_triple()
        _tm = target.create_target_machine(cpu=llvm.get_host_cpu_name(),
                                           features=llvm.get_host_cpu_features().flatten(),
                                           opt=opt_level, reloc="pic", codemodel="small")
    return _tm


def compile_to_object(text: str, opt_level: int) -> bytes:
    tm = _target_machine(opt_level)
    mod = llvm.parse_assembly(text)
    mod.triple = tm.triple
    mod.data_layout = str(tm.target_data)
    mod.verify()
    if opt_level:
        # A fresh pipeline per module: reusing one across modules aborted llvmlite 0.46-0.50.
        pto = llvm.create_pipeline_tuning_options(speed_level=opt_level)
        pb = llvm.create_pass_builder(tm, pto)
        pb.getModulePassManager().run(mod, pb)
    return tm.emit_object(mod)


def host_key() -> str:
    """What compiled code depends on besides its IR: LLVM, llvmlite and the host CPU."""
    import llvmlite
    llvm.initialize_native_target()
    return "|".join([llvmlite.__version__, ".".join(map(str, llvm.llvm_version_info)),
                     llvm.get_process_triple(), llvm.get_host_cpu_name(),
                     llvm.get_host_cpu_features().flatten()])
