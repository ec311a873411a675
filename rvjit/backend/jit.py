"""The LLVM code generator: one object per process, modules compiled in batches with the new
pass manager, native helpers bound by name."""
from __future__ import annotations

import time

import llvmlite.binding as llvm

from rvjit.backend.llvm_lower import lower_region, module_prelude
from rvjit.frontend.translate import BlockIR
from rvjit.ir.helpers import HELPERS

OPT_LEVEL = 2


class Codegen:
    def __init__(self, ffi, lib, opt_level: int = OPT_LEVEL) -> None:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        target = llvm.Target.from_default_triple()
        self.tm = target.create_target_machine(opt=opt_level, jit=True, codemodel="default")
        self.opt_level = opt_level
        # One MCJIT engine for the process: it takes ownership of the target machine, so a
        # second engine on the same target machine would free it twice.
        self.engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), self.tm)
        self.modules: list = []
        self.prelude = module_prelude()
        self.nfuncs = 0
        self.compile_seconds = 0.0
        self.batches = 0
        for name in ["rt_load_slow", "rt_store_slow"] + [h.cname for h in HELPERS.values()]:
            addr = int(ffi.cast("uintptr_t", ffi.addressof(lib, name)))
            llvm.add_symbol(name, addr)

    def compile(self, regions: list[list[BlockIR]]) -> list[int]:
        """Compile each region to a function; returns their native addresses."""
        t0 = time.perf_counter()
        names = []
        parts = [self.prelude]
        for blocks in regions:
            self.nfuncs += 1
            name = f"r{self.nfuncs}"
            names.append(name)
            parts.append(lower_region(name, blocks))
        text = "\n".join(parts)
        mod = llvm.parse_assembly(text)
        mod.verify()
        if self.opt_level:
            pto = llvm.create_pipeline_tuning_options(speed_level=self.opt_level)
            pb = llvm.create_pass_builder(self.tm, pto)
            pb.getModulePassManager().run(mod, pb)
        self.engine.add_module(mod)
        self.engine.finalize_object()
        self.modules.append(mod)
        addrs = [self.engine.get_function_address(n) for n in names]
        self.compile_seconds += time.perf_counter() - t0
        self.batches += 1
        return addrs

    def drop_all(self) -> None:
        """Forget compiled code (after every reference to it has been dropped)."""
        for mod in self.modules:
            self.engine.remove_module(mod)
        self.modules.clear()
