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
        "[-nographic] [-cpu rv64[,h=on|off]] [-icount shift=N] [-snapshot] " \
        "[-drive file=IMG,if=none,id=ID] [-device virtio-blk-device,drive=ID] " \
        "(README.md lists every option)"


class UsageError(Exception):
    pass


# The options rvjit accepts, each with QEMU's behaviour (README.md's table names the
# differences); every other option is refused.  Options taking a value:
VALUE_OPTS = {"-machine", "-M", "-bios", "-kernel", "-initrd", "-append", "-dtb", "-m", "-smp",
              "-cpu", "-icount", "-accel", "-drive", "-device", "-chardev", "-object",
              "-global", "-name", "-serial", "-monitor", "-display"}
FLAG_OPTS = {"-nographic", "-snapshot", "-no-reboot", "-help", "-h", "-version"}
# QEMU options rvjit knows by name and refuses with one line (issue 13: not implemented yet).
REFUSED_OPTS = {
    "-s": "is not supported yet (no GDB stub)",
    "-S": "is not supported yet (no GDB stub)",
    "-gdb": "is not supported yet (no GDB stub)",
    "-d": "is not supported yet (no tracing)",
    "-D": "is not supported yet (no tracing)",
    "-enable-kvm": "is not supported (rvjit is its own accelerator)",
    "-netdev": "is not supported (rvjit has no network devices)",
}


def accepted_options() -> set[str]:
    """Every option the parser knows: implemented or refused by name."""
    return VALUE_OPTS | FLAG_OPTS | set(REFUSED_OPTS)


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
        if a.startswith("--"):          # QEMU takes --opt for -opt
            a = a[1:]
        if a in REFUSED_OPTS:
            raise UsageError(f"option {a} {REFUSED_OPTS[a]}")
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


def _keyvals(option: str, text: str, first_key: str | None = None) -> dict[str, str]:
    """QEMU's "[value,]key=value,..." syntax: a leading bare value is `first_key`'s."""
    out: dict[str, str] = {}
    for n, item in enumerate(text.split(",")):
        k, eq, v = item.partition("=")
        if not eq:
            if n == 0 and first_key is not None:
                k, v = first_key, item
            else:
                raise UsageError(f"{option} '{text}': expected key=value, found '{item}'")
        if k in out:
            raise UsageError(f"{option} '{text}': {k}= given twice")
        out[k] = v
    return out


def _refuse_rest(option: str, props: dict[str, str], knows: str) -> None:
    if props:
        k, v = next(iter(props.items()))
        raise UsageError(f"unsupported {option} option '{k}={v}' (rvjit knows {knows})")


def _machine(cfg, texts: list[str]) -> None:
    """-machine [type=]virt[,dumpdtb=FILE]; repeated -machine options add up, as in QEMU."""
    props: dict[str, str] = {}
    mtype = "virt"
    for text in texts:
        p = _keyvals("-machine", text, "type")
        mtype = p.pop("type", mtype)
        props.update(p)
    if mtype != "virt":
        raise UsageError(f"unsupported machine '{mtype}' (only 'virt')")
    if "dumpdtb" in props:
        cfg.dumpdtb = props.pop("dumpdtb")
        if not cfg.dumpdtb:
            raise UsageError("-machine dumpdtb= needs a file name")
    _refuse_rest("-machine", props, "dumpdtb=FILE")


def _memory(cfg, text: str) -> None:
    """-m [size=]SIZE (slots= and maxmem= are for memory hotplug, which virt lacks here)."""
    p = _keyvals("-m", text, "size")
    cfg.ram_size = parse_size(p.pop("size", ""))
    _refuse_rest("-m", p, "size=")


SMP_MAX = 8


def _smp(cfg, text: str) -> None:
    """-smp [cpus=]N[,maxcpus=N][,sockets=1][,dies=1][,clusters=1][,cores=N][,threads=1]:
    QEMU's virt gives each socket its own CLINT and PLIC and rvjit one of each, so one socket;
    the harts are cores of one cluster, as the device tree's cpu-map says."""
    p = _keyvals("-smp", text, "cpus")
    vals: dict[str, int] = {}
    for k, v in p.items():
        if k not in ("cpus", "maxcpus", "sockets", "dies", "clusters", "cores", "threads"):
            raise UsageError(f"unsupported -smp option '{k}={v}'")
        if not v.isdigit() or int(v) < 1:
            raise UsageError(f"invalid -smp '{text}' ({k} must be a number from 1)")
        vals[k] = int(v)
    for k in ("sockets", "dies", "clusters", "threads"):
        if vals.get(k, 1) != 1:
            raise UsageError(f"unsupported -smp {k}={vals[k]} (rvjit: one socket of "
                             "single-thread cores)")
    cpus = vals.get("cpus", vals.get("cores", vals.get("maxcpus", 1)))
    if vals.get("cores", cpus) != cpus or vals.get("maxcpus", cpus) != cpus:
        raise UsageError(f"invalid -smp '{text}' (cores and maxcpus must equal cpus: no CPU "
                         "hotplug)")
    if not 1 <= cpus <= SMP_MAX:
        raise UsageError(f"invalid -smp '{text}' (1 to {SMP_MAX} harts)")
    cfg.smp = cpus


_ON = ("on", "true", "yes", "y")
_OFF = ("off", "false", "no", "n")


def _cpu(cfg, text: str) -> None:
    """-cpu rv64[,h=on|off]: QEMU 7.2's rv64 (with H by default)."""
    model, *rest = text.split(",")
    if model != "rv64":
        raise UsageError(f"unsupported -cpu '{model}' (rvjit models QEMU 7.2's rv64)")
    p = _keyvals("-cpu", ",".join(rest)) if rest else {}
    h = p.pop("h", None)
    _refuse_rest("-cpu", p, "h=on|off")
    if h in _ON:
        if "H" not in cfg.extensions:
            cfg.extensions += "H"
    elif h in _OFF:
        cfg.extensions = cfg.extensions.replace("H", "")
    elif h is not None:
        raise UsageError(f"unsupported -cpu property 'h={h}' (use h=on or h=off)")


def _icount(cfg, text: str) -> None:
    """-icount [shift=]N[,sleep=on|off]: 2^N ns of virtual time per instruction.  rvjit skips
    the time every hart waits for a timer, whatever sleep= says (QEMU does with sleep=off)."""
    p = _keyvals("-icount", text, "shift")
    shift = p.pop("shift", "")
    if not shift.isdigit() or int(shift) > 10:
        raise UsageError(f"invalid -icount '{text}' (use shift=N, N from 0 to 10)")
    sleep = p.pop("sleep", "off")
    if sleep not in _ON + _OFF:
        raise UsageError(f"invalid -icount '{text}' (sleep=on or sleep=off)")
    _refuse_rest("-icount", p, "shift=N and sleep=")
    cfg.icount_shift = int(shift)


def _global(text: str) -> None:
    """-global DRIVER.PROPERTY=VALUE: virtio-mmio.force-legacy=false asks for what rvjit's
    virtio-mmio is (version 2, virtio 1.x); everything else is refused."""
    k, _, v = text.partition("=")
    if k == "virtio-mmio.force-legacy" and v in _OFF:
        return
    raise UsageError(f"unsupported -global '{text}' (rvjit knows "
                     "virtio-mmio.force-legacy=false)")


def _name(text: str) -> None:
    """-name [guest=]NAME: QEMU shows it in a window title and the monitor, neither of which
    rvjit has, so it changes nothing here either."""
    p = _keyvals("-name", text, "guest")
    p.pop("guest", None)
    if p.get("debug-threads", "off") in _OFF:
        p.pop("debug-threads", None)
    _refuse_rest("-name", p, "guest=NAME")


def _host_io(opts: dict) -> None:
    """-serial, -monitor, -display: the UART is on stdio (QEMU's -nographic); there is no
    monitor and no display yet."""
    serials = opts.get("serial_all", [])
    if len(serials) > 1:
        raise UsageError("more than one -serial (the virt machine has one UART)")
    for v in serials:
        if v not in ("stdio", "mon:stdio"):
            raise UsageError(f"unsupported -serial '{v}' (rvjit's UART is on stdio: "
                             "-serial stdio or mon:stdio)")
    for v in opts.get("monitor_all", []):
        if v != "none":
            raise UsageError(f"-monitor '{v}' is not supported yet (rvjit has no monitor; "
                             "-monitor none)")
    for v in opts.get("display_all", []):
        if v != "none":
            raise UsageError(f"unsupported -display '{v}' (rvjit has no display; "
                             "-display none)")


def _accel(text: str) -> None:
    name = text.split(",")[0]
    if name != "tcg":
        raise UsageError(f"unsupported accelerator '{name}' (rvjit is its own: -accel tcg)")


def build_config(opts: dict):
    from rvjit.machine import devices
    from rvjit.machine.virt import MachineConfig
    cfg = MachineConfig()
    _machine(cfg, opts.get("machine_all", []))
    if "m" in opts:
        _memory(cfg, opts["m"])
    if "smp" in opts:
        _smp(cfg, opts["smp"])
    _cpu(cfg, opts.get("cpu", "rv64"))
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
    cfg.no_reboot = bool(opts.get("no-reboot"))     # a guest reset stops the machine
    if "icount" in opts:
        _icount(cfg, opts["icount"])
    for text in opts.get("global_all", []):
        _global(text)
    for text in opts.get("name_all", []):
        _name(text)
    _host_io(opts)
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
    for text in opts.get("accel_all", []):
        _accel(text)
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
