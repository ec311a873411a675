"""The virt machine's optional devices as the command line names them: -drive and -device
(virtio-blk-device, virtio-rng-device, virtio-serial/console), each put in the next free
virtio-mmio slot."""
from __future__ import annotations

from dataclasses import dataclass, field


class DeviceError(Exception):
    pass


@dataclass(frozen=True)
class Drive:
    id: str
    file: str
    read_only: bool = False


@dataclass(frozen=True)
class VirtioDeviceSpec:
    kind: str                      # "blk", "rng" or "console"
    drive: str | None = None


@dataclass
class DeviceConfig:
    drives: dict[str, Drive] = field(default_factory=dict)
    virtio: list[VirtioDeviceSpec] = field(default_factory=list)


def _props(text: str) -> tuple[str, dict[str, str]]:
    head, *rest = text.split(",")
    props = {}
    for item in rest:
        k, eq, v = item.partition("=")
        props[k] = v if eq else "on"
    return head, props


def parse_drive(text: str, cfg: DeviceConfig) -> None:
    """-drive file=PATH,format=raw,if=none,id=ID[,readonly=on]"""
    _, props = _props("drive," + text)
    path = props.pop("file", None)
    if not path:
        raise DeviceError(f"-drive '{text}': no file=")
    fmt = props.pop("format", "raw")
    if fmt != "raw":
        raise DeviceError(f"-drive '{text}': only format=raw is supported")
    iface = props.pop("if", "none")
    if iface not in ("none", "virtio"):
        raise DeviceError(f"-drive '{text}': unsupported if={iface} (use if=none)")
    ro = props.pop("readonly", "off") in ("on", "true", "yes")
    did = props.pop("id", None)
    for ignored in ("cache", "media", "aio", "discard"):
        props.pop(ignored, None)
    if props:
        raise DeviceError(f"-drive '{text}': unsupported option {next(iter(props))}")
    if iface == "virtio" or did is None:
        did = did or f"drive{len(cfg.drives)}"
        cfg.virtio.append(VirtioDeviceSpec("blk", did))
    if did in cfg.drives:
        raise DeviceError(f"-drive '{text}': duplicate id {did}")
    cfg.drives[did] = Drive(did, path, ro)


_KINDS = {"virtio-blk-device": "blk", "virtio-rng-device": "rng",
          "virtio-serial-device": "console", "virtconsole": "console"}


def parse_device(text: str, cfg: DeviceConfig) -> None:
    name, props = _props(text)
    kind = _KINDS.get(name)
    if kind is None:
        raise DeviceError(f"unsupported -device '{name}' (rvjit has: {', '.join(_KINDS)})")
    if kind == "blk":
        drive = props.get("drive")
        if drive is None:
            raise DeviceError(f"-device {name} needs drive=ID")
        cfg.virtio.append(VirtioDeviceSpec("blk", drive))
    elif not any(v.kind == kind for v in cfg.virtio):
        cfg.virtio.append(VirtioDeviceSpec(kind))


def validate(cfg: DeviceConfig, slots: int) -> None:
    for v in cfg.virtio:
        if v.kind == "blk" and v.drive not in cfg.drives:
            raise DeviceError(f"-device virtio-blk-device: no -drive with id={v.drive}")
    used = [v.drive for v in cfg.virtio if v.kind == "blk"]
    if len(used) != len(set(used)):
        raise DeviceError("a drive is attached to two devices")
    if len(cfg.virtio) > slots:
        raise DeviceError(f"too many virtio devices ({len(cfg.virtio)}; the machine has {slots})")
