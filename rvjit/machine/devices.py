"""The virt machine's optional devices as the command line names them: -drive, -device
(virtio-blk-device, virtio-rng-device, virtio-serial-device with a virtconsole), and the
backends those name (-chardev stdio, -object rng-random/rng-builtin), each virtio device put
in the next free virtio-mmio slot.

Every sub-option is either given QEMU's meaning or refused with a DeviceError naming it."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from rvjit.hw.block_backend import CACHE_MODES


class DeviceError(Exception):
    pass


@dataclass(frozen=True)
class Drive:
    id: str
    file: str
    read_only: bool = False
    snapshot: bool = False          # guest writes go to a temporary overlay (block_backend.py)
    cache: str = "writeback"


@dataclass(frozen=True)
class VirtioDeviceSpec:
    kind: str                      # "blk", "rng" or "console"
    drive: str | None = None


@dataclass
class DeviceConfig:
    drives: dict[str, Drive] = field(default_factory=dict)
    virtio: list[VirtioDeviceSpec] = field(default_factory=list)
    chardevs: set[str] = field(default_factory=set)       # -chardev stdio ids
    rngs: set[str] = field(default_factory=set)           # -object rng-* ids
    console_ports: int = 0                                # -device virtconsole
    serial_buses: int = 0                                 # -device virtio-serial-device


def _props(text: str) -> tuple[str, dict[str, str]]:
    head, *rest = text.split(",")
    props = {}
    for item in rest:
        k, eq, v = item.partition("=")
        props[k] = v if eq else "on"
    return head, props


# QEMU's boolean option values (qapi_bool_parse).
_TRUE = ("on", "yes", "true", "y")
_FALSE = ("off", "no", "false", "n")


def parse_bool(what: str, name: str, value: str) -> bool:
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise DeviceError(f"{what}: {name}={value} is not on or off")


def _no_more(what: str, props: dict[str, str]) -> None:
    if props:
        k = next(iter(props))
        raise DeviceError(f"{what}: option {k}= is not supported")


def parse_drive(text: str, cfg: DeviceConfig) -> None:
    """-drive file=PATH[,format=raw][,if=none|virtio][,id=ID][,readonly=on][,snapshot=on]
    [,cache=MODE][,media=disk][,aio=threads][,discard=ignore]"""
    what = f"-drive '{text}'"
    _, props = _props("drive," + text)
    path = props.pop("file", None)
    if not path:
        raise DeviceError(f"{what}: no file=")
    fmt = props.pop("format", "raw")
    if fmt != "raw":
        raise DeviceError(f"{what}: only format=raw is supported")
    iface = props.pop("if", "none")
    if iface not in ("none", "virtio"):
        raise DeviceError(f"{what}: unsupported if={iface} (use if=none or if=virtio)")
    ro = parse_bool(what, "readonly", props.pop("readonly", "off"))
    snapshot = parse_bool(what, "snapshot", props.pop("snapshot", "off"))
    cache = props.pop("cache", "writeback")
    if cache not in CACHE_MODES:
        raise DeviceError(f"{what}: unsupported cache={cache} (use {', '.join(CACHE_MODES)})")
    # Values that are what rvjit does anyway (QEMU's defaults); others are refused.
    for name, same in (("media", "disk"), ("aio", "threads"), ("discard", "ignore")):
        v = props.pop(name, same)
        if v != same and not (name == "discard" and v == "off"):
            raise DeviceError(f"{what}: {name}={v} is not supported (rvjit: {name}={same})")
    did = props.pop("id", None)
    _no_more(what, props)
    if iface == "virtio" or did is None:
        did = did or f"drive{len(cfg.drives)}"
        cfg.virtio.append(VirtioDeviceSpec("blk", did))
    if did in cfg.drives:
        raise DeviceError(f"{what}: duplicate id {did}")
    cfg.drives[did] = Drive(did, path, ro, snapshot, cache)


def snapshot_all(cfg: DeviceConfig) -> None:
    """-snapshot: every drive gets snapshot=on, whatever its own option says (as QEMU)."""
    for did, d in cfg.drives.items():
        cfg.drives[did] = replace(d, snapshot=True)


def parse_chardev(text: str, cfg: DeviceConfig) -> None:
    """-chardev stdio,id=ID[,mux=on|off]: the host's stdio, which the UART already shares."""
    what = f"-chardev '{text}'"
    backend, props = _props(text)
    if backend != "stdio":
        raise DeviceError(f"{what}: only the stdio backend is supported")
    cid = props.pop("id", None)
    if not cid:
        raise DeviceError(f"{what}: no id=")
    parse_bool(what, "mux", props.pop("mux", "off"))
    _no_more(what, props)
    cfg.chardevs.add(cid)


def parse_object(text: str, cfg: DeviceConfig) -> None:
    """-object rng-builtin,id=ID or rng-random,id=ID,filename=/dev/urandom: the entropy
    source of a virtio-rng-device, which is the host's random generator in rvjit."""
    what = f"-object '{text}'"
    kind, props = _props(text)
    if kind not in ("rng-builtin", "rng-random"):
        raise DeviceError(f"{what}: unsupported object type (rvjit has rng-builtin and "
                          "rng-random)")
    oid = props.pop("id", None)
    if not oid:
        raise DeviceError(f"{what}: no id=")
    if kind == "rng-random":
        name = props.pop("filename", "/dev/urandom")
        if name not in ("/dev/urandom", "/dev/random"):
            raise DeviceError(f"{what}: filename={name} is not supported (rvjit reads the "
                              "host's /dev/urandom)")
    _no_more(what, props)
    cfg.rngs.add(oid)


_KINDS = {"virtio-blk-device": "blk", "virtio-rng-device": "rng",
          "virtio-serial-device": "console", "virtconsole": "console"}


def parse_device(text: str, cfg: DeviceConfig) -> None:
    name, props = _props(text)
    what = f"-device '{text}'"
    kind = _KINDS.get(name)
    if kind is None:
        raise DeviceError(f"unsupported -device '{name}' (rvjit has: {', '.join(_KINDS)})")
    props.pop("id", None)           # names the device for the monitor only
    if kind == "blk":
        drive = props.pop("drive", None)
        if drive is None:
            raise DeviceError(f"-device {name} needs drive=ID")
        _no_more(what, props)
        cfg.virtio.append(VirtioDeviceSpec("blk", drive))
        return
    if kind == "rng":
        rng = props.pop("rng", None)
        if rng is not None and rng not in cfg.rngs:
            raise DeviceError(f"{what}: no -object rng-random or rng-builtin with id={rng}")
    elif name == "virtconsole":
        chardev = props.pop("chardev", None)
        if chardev is None or chardev not in cfg.chardevs:
            raise DeviceError(f"{what}: needs chardev=ID naming a -chardev stdio,id=ID "
                              "(QEMU discards a console port without one)")
        cfg.console_ports += 1
    else:
        cfg.serial_buses += 1
    _no_more(what, props)
    if not any(v.kind == kind for v in cfg.virtio):
        cfg.virtio.append(VirtioDeviceSpec(kind))


def validate(cfg: DeviceConfig, slots: int) -> None:
    for v in cfg.virtio:
        if v.kind == "blk" and v.drive not in cfg.drives:
            raise DeviceError(f"-device virtio-blk-device: no -drive with id={v.drive}")
    used = [v.drive for v in cfg.virtio if v.kind == "blk"]
    if len(used) != len(set(used)):
        raise DeviceError("a drive is attached to two devices")
    # rvjit's virtio console is one virtio-serial-device with one console port on stdio.
    if cfg.console_ports > 1 or cfg.serial_buses > 1:
        raise DeviceError("rvjit has one virtio-serial-device with one virtconsole")
    if cfg.console_ports and not cfg.serial_buses:
        raise DeviceError("-device virtconsole needs a -device virtio-serial-device (as QEMU)")
    if cfg.serial_buses and not cfg.console_ports:
        raise DeviceError("-device virtio-serial-device without a -device virtconsole is not "
                          "supported (rvjit's always carries one console port)")
    if len(cfg.virtio) > slots:
        raise DeviceError(f"too many virtio devices ({len(cfg.virtio)}; the machine has {slots})")
