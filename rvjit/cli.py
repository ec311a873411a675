"""`python -m rvjit`: a qemu-system-riscv64-compatible command line for the virt machine.

Every problem with the command line or the images is reported as one line on stderr with a
non-zero exit status, never a traceback."""
from __future__ import annotations

import os
import re
import sys

from rvjit.machine.loader import LoadError

USAGE = "usage: python -m rvjit -machine virt[,dumpdtb=FILE] [-bios default|none|FILE] " \
        "[-kernel FILE] [-initrd FILE] [-append ARGS] [-dtb FILE] [-m SIZE] [-smp N] " \
        "[-nographic] [-cpu rv64[,h=on|off]] [-icount shift=N]"


class UsageError(Exception):
    pass


# Options taking a value, and flags, that QEMU users pass for this machine.
VALUE_OPTS = {"-machine", "-M", "-bios", "-kernel", "-m", "-smp", "-cpu", "-initrd", "-append",
              "-dtb", "-serial", "-monitor", "-display", "-icount", "-accel", "-drive",
              "-device", "-netdev", "-name", "-global", "-object", "-chardev", "-d", "-D"}
FLAG_OPTS = {"-nographic", "-no-reboot", "-S", "-s", "-enable-kvm", "-snapshot", "-help",
             "-h", "--help", "-version", "--version"}


def parse_size(text: str) -> int:
    m = re.fullmatch(r"(\d+)([KMGT]?)[Bb]?", text.strip(), re.IGNORECASE)
    if not m:
        raise UsageError(f"invalid RAM size '{text}' (use e.g. 256M or 1G)")
    n, unit = int(m.group(1)), m.group(2).upper()
    # QEMU: a bare number means MiB.
    mult = {"": 1 << 20, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}[unit]
    size = n * mult
    if size < (1 << 20) or size > (64 << 30):
        raise UsageError(f"RAM size '{text}' out of range (1M to 64G)")
    return size


def parse_args(argv: list[str]) -> dict:
    opts: dict = {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("--") and a not in FLAG_OPTS:
            a = a[1:]
        if a in FLAG_OPTS:
            opts[a.lstrip("-")] = True
            i += 1
            continue
        if a in VALUE_OPTS:
            if i + 1 >= len(argv):
                raise UsageError(f"option {a} needs an argument")
            key = "machine" if a == "-M" else a[1:]
            opts.setdefault(key + "_all", []).append(argv[i + 1])
            opts[key] = argv[i + 1]
            i += 2
            continue
        raise UsageError(f"unknown option '{a}'")
    return opts


def build_config(opts: dict):
    from rvjit.machine import devices
    from rvjit.machine.virt import MachineConfig
    cfg = MachineConfig()
    machine = opts.get("machine", "virt")
    mparts = machine.split(",")
    if mparts[0].startswith("type="):
        mparts[0] = mparts[0][5:]
    if mparts[0] != "virt":
        raise UsageError(f"unsupported machine '{mparts[0]}' (only 'virt')")
    for p in mparts[1:]:
        k, eq, v = p.partition("=")
        if k == "dumpdtb" and eq and v:
            cfg.dumpdtb = v
            continue
        raise UsageError(f"unsupported -machine option '{p}' (rvjit knows dumpdtb=FILE)")
    if "m" in opts:
        size = opts["m"].split(",")[0]
        if size.startswith("size="):
            size = size[5:]
        cfg.ram_size = parse_size(size)
    if "smp" in opts:
        s = opts["smp"].split(",")[0]
        if s.startswith("cpus="):
            s = s[5:]
        if not s.isdigit() or not 1 <= int(s) <= 8:
            raise UsageError(f"invalid -smp '{opts['smp']}' (1 to 8 harts)")
        cfg.smp = int(s)
    cpu = opts.get("cpu", "rv64")
    cparts = cpu.split(",")
    if cparts[0] not in ("rv64", "any", "max"):
        raise UsageError(f"unsupported -cpu '{cparts[0]}' (use rv64)")
    for p in cparts[1:]:
        k, _, v = p.partition("=")
        if k == "h" and v in ("true", "on", "yes", ""):
            if "H" not in cfg.extensions:
                cfg.extensions += "H"
            continue
        if k == "h" and v in ("false", "off", "no"):
            cfg.extensions = cfg.extensions.replace("H", "")
            continue
        raise UsageError(f"unsupported -cpu property '{p}'")
    bios = opts.get("bios", "default")
    if bios == "none":
        cfg.bios = None
    else:
        cfg.bios = bios             # "default": the fw_dynamic.bin of `make images` (boot.py)
    cfg.kernel = opts.get("kernel")
    cfg.console_input = True        # -nographic: stdio is the serial console
    cfg.initrd = opts.get("initrd")
    cfg.append = opts.get("append")
    cfg.dtb = opts.get("dtb")
    if "icount" in opts:
        v = opts["icount"]
        m = re.fullmatch(r"(?:shift=)?(\d+)(?:,.*)?", v)
        if not m or int(m.group(1)) > 10:
            raise UsageError(f"invalid -icount '{v}' (use shift=N, N from 0 to 10)")
        cfg.icount_shift = int(m.group(1))
    if "netdev" in opts:
        raise UsageError("-netdev is not supported (rvjit has no network devices)")
    try:
        for text in opts.get("chardev_all", []):
            devices.parse_chardev(text, cfg.devices)
        for text in opts.get("object_all", []):
            devices.parse_object(text, cfg.devices)
        for text in opts.get("drive_all", []):
            devices.parse_drive(text, cfg.devices)
        if opts.get("snapshot"):
            devices.snapshot_all(cfg.devices)
        for text in opts.get("device_all", []):
            devices.parse_device(text, cfg.devices)
    except devices.DeviceError as e:
        raise UsageError(str(e)) from None
    for k in ("serial", "monitor", "display"):
        if k in opts and opts[k] not in ("none", "mon:stdio", "stdio"):
            raise UsageError(f"unsupported -{k} '{opts[k]}'")
    if "accel" in opts and not opts["accel"].startswith("tcg"):
        raise UsageError(f"unsupported accelerator '{opts['accel']}' (rvjit is its own)")
    return cfg


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        opts = parse_args(argv)
        if opts.get("help") or opts.get("h"):
            print(USAGE)
            return 0
        if opts.get("version"):
            from rvjit import __version__
            print(f"rvjit {__version__} (qemu-system-riscv64 command line)")
            return 0
        if not any(k in opts for k in ("kernel", "bios", "initrd", "dtb")):
            # No image: boot the default demo (a two-guest hypervisor, demo/hvdemo).
            from rvjit.machine.demo import DEMO_ARGS, demo_image
            opts = parse_args(DEMO_ARGS + argv + ["-kernel", demo_image()])
        cfg = build_config(opts)
        from rvjit.machine.virt import VirtMachine
        m = VirtMachine(cfg)
        info = m.load_images()
    except (UsageError, LoadError) as e:
        print(f"rvjit: {e}", file=sys.stderr)
        return 1
    for line in info.warnings:
        print(f"rvjit: {line}", file=sys.stderr)
    if cfg.dumpdtb is not None:     # QEMU: -machine dumpdtb=FILE writes the tree and exits
        return 0
    m.engine.start_compiler()
    result = m.run()
    sys.stdout.flush()
    path = os.environ.get("RVJIT_STATS")
    if path:
        m.write_stats(result, path)
    return result.exit_code
