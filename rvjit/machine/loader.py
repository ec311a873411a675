"""Loading guest images into RAM: ELF files (through pyelftools) and raw binaries.  Every
problem with an image is a LoadError with one line that names it."""
from __future__ import annotations

import os
import stat

EM_RISCV = 243
MAX_IMAGE = 64 << 30        # the largest guest RAM (cli.parse_size): no larger image can load


class LoadError(Exception):
    pass


def read_file(path: str, what: str) -> bytes:
    try:
        # (QEMU sizes an image with lseek: a pipe or a device such as /dev/zero is refused;
        # checked before open(), which waits for a writer on a named pipe)
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(st.st_mode):
            raise LoadError(f"{what} '{path}' is not a regular file")
        if st.st_size > MAX_IMAGE:
            raise LoadError(f"{what} '{path}' ({st.st_size} bytes) is larger than any "
                            "guest RAM")
        with open(path, "rb") as f:
            return f.read()
    except MemoryError:
        raise LoadError(f"{what} '{path}' is too large to read into host memory") from None
    except FileNotFoundError:
        raise LoadError(f"{what} '{path}' does not exist") from None
    except IsADirectoryError:
        raise LoadError(f"{what} '{path}' is a directory") from None
    except OSError as e:
        raise LoadError(f"cannot read {what} '{path}': {e.strerror}") from None


def is_elf(data: bytes) -> bool:
    return data[:4] == b"\x7fELF"


def load_elf(memory, path: str, data: bytes, what: str) -> tuple[int, int, int]:
    """Load the PT_LOAD segments at their physical addresses (as QEMU does).  Returns
    (entry, lowest address, highest address)."""
    import io

    # Imported here: a Linux boot loads flat images only, and pyelftools takes ~25 ms to import.
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile
    try:
        elf = ELFFile(io.BytesIO(data))
        if elf.elfclass != 64 or elf["e_machine"] != "EM_RISCV":
            raise LoadError(f"{what} '{path}' is an ELF for {elf['e_machine']} "
                            f"({elf.elfclass}-bit), not 64-bit RISC-V")
        if not elf.little_endian:   # (as QEMU's load_elf: the virt machine is little-endian)
            raise LoadError(f"{what} '{path}' is a big-endian ELF, not little-endian RISC-V")
        lo, hi = None, None
        segs = [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD" and s["p_memsz"]]
        if not segs:
            raise LoadError(f"{what} '{path}' has no loadable segments")
        for seg in segs:
            addr, memsz = seg["p_paddr"], seg["p_memsz"]
            body = seg.data()
            if len(body) != seg["p_filesz"]:
                raise LoadError(f"{what} '{path}': a segment's data lies past the end of the file")
            if len(body) > memsz:
                raise LoadError(f"{what} '{path}': a segment's file size exceeds its memory size")
            if memory.find_ram(addr, memsz) is None:
                raise LoadError(f"{what} '{path}': segment [{addr:#x}, {addr + memsz:#x}) "
                                "is outside guest RAM")
            memory.write_bytes(addr, body + bytes(memsz - len(body)))
            lo = addr if lo is None else min(lo, addr)
            hi = addr + memsz if hi is None else max(hi, addr + memsz)
        return elf["e_entry"], lo, hi
    except LoadError:
        raise
    except (ELFError, ValueError, KeyError, IndexError, AssertionError, OSError) as e:
        raise LoadError(f"{what} '{path}' is a malformed ELF file ({e})") from None
    except Exception as e:  # pyelftools raises assorted errors on corrupt input
        raise LoadError(f"{what} '{path}' is a malformed ELF file ({type(e).__name__})") from None


def load_raw(memory, path: str, data: bytes, addr: int, what: str) -> tuple[int, int]:
    if not data:
        raise LoadError(f"{what} '{path}' is empty")
    if memory.find_ram(addr, len(data)) is None:
        raise LoadError(f"{what} '{path}' ({len(data)} bytes) does not fit in guest RAM at "
                        f"{addr:#x}")
    memory.write_bytes(addr, data)
    return addr, addr + len(data)


def describe(path: str) -> str:
    return os.path.basename(path)
