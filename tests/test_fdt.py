"""The generated device tree against the one QEMU 7.2 generates (../shared/data/qemu-virt):
node names, reg, interrupts and phandle wiring; and -dtb validation."""
from __future__ import annotations

import random
import re
import struct
from pathlib import Path

import libfdt
import pytest

from rvjit.machine import fdt

QEMU_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "qemu-virt"
# Nodes QEMU has for devices rvjit does not model.
NOT_MODELLED = {"/pmu", "/fw-cfg@10100000", "/flash@20000000", "/platform-bus@4000000",
                "/soc/pci@30000000"}


def parse_dts(text: str) -> dict[str, dict[str, object]]:
    """A decompiled dts (as dtc writes it) -> {path: {prop: list of cells | str | None}}."""
    nodes: dict[str, dict[str, object]] = {}
    stack: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("/dts-v1/"):
            continue
        if line.endswith("{"):
            name = line[:-1].strip()
            path = "/" if not stack else stack[-1].rstrip("/") + "/" + name
            stack.append(path)
            nodes[path] = {}
            continue
        if line == "};":
            stack.pop()
            continue
        m = re.fullmatch(r"([^=\s]+)(?:\s*=\s*(.*))?;", line)
        assert m, line
        key, val = m.group(1), m.group(2)
        if val is None:
            v: object = None
        elif val.startswith("<"):
            v = [int(x, 16) for x in val.strip("<>").split()]
        else:
            v = val.strip('"').encode().decode("unicode_escape")
        nodes[stack[-1]][key] = v
    return nodes


def fdt_nodes(blob: bytes) -> dict[str, dict[str, bytes]]:
    f = libfdt.Fdt(blob)
    out: dict[str, dict[str, bytes]] = {}

    def walk(off: int, path: str) -> None:
        props = {}
        p = f.first_property_offset(off, libfdt.QUIET_NOTFOUND)
        while p >= 0:
            prop = f.get_property_by_offset(p)
            props[prop.name] = bytes(prop)
            p = f.next_property_offset(p, libfdt.QUIET_NOTFOUND)
        out[path] = props
        child = f.first_subnode(off, libfdt.QUIET_NOTFOUND)
        while child >= 0:
            walk(child, (path.rstrip("/") + "/" + f.get_name(child)))
            child = f.next_subnode(child, libfdt.QUIET_NOTFOUND)

    walk(0, "/")
    return out


def cells(b: bytes) -> list[int]:
    return list(struct.unpack(f">{len(b) // 4}I", b))


def resolve(nodes: dict, getter) -> dict[int, str]:
    """phandle -> node path."""
    return {getter(props["phandle"])[0]: path for path, props in nodes.items()
            if "phandle" in props}


@pytest.mark.parametrize("smp", [1, 4])
def test_matches_qemu_tree(smp):
    ref_file = QEMU_DATA / f"virt-rv64-h-smp{smp}.dts"
    if not ref_file.exists():
        pytest.skip("no QEMU reference data")
    ref = parse_dts(ref_file.read_text())
    initrd = (ref["/chosen"]["linux,initrd-start"][0], ref["/chosen"]["linux,initrd-end"][0])
    blob = fdt.build_fdt(fdt.FdtParams(ram_size=1 << 30, smp=smp, extensions="IMAFDCSU",
                                       bootargs=ref["/chosen"]["bootargs"], initrd=initrd,
                                       virtio=True, mmu_type="riscv,sv48"))
    ours = fdt_nodes(blob)
    assert set(ours) == set(ref) - NOT_MODELLED
    ref_ph = resolve(ref, lambda v: v)
    our_ph = resolve(ours, cells)
    for path, rprops in ref.items():
        if path in NOT_MODELLED:
            continue
        oprops = ours[path]
        for key in ("reg", "interrupts", "riscv,ndev", "#address-cells", "#size-cells",
                    "#interrupt-cells", "timebase-frequency", "value", "offset",
                    "linux,initrd-start", "linux,initrd-end"):
            if key in rprops:
                assert cells(oprops[key]) == rprops[key], (path, key)
        for key in ("compatible", "device_type", "status", "bootargs", "stdout-path",
                    "mmu-type", "model"):
            if key in rprops:
                assert oprops[key].rstrip(b"\0").decode() == rprops[key].rstrip("\0"), \
                    (path, key)
        # Phandle wiring: the same nodes are referenced, whatever the numbers.
        for key in ("interrupt-parent", "regmap", "cpu"):
            if key in rprops:
                assert our_ph[cells(oprops[key])[0]] == ref_ph[rprops[key][0]], (path, key)
        if "interrupts-extended" in rprops:
            r, o = rprops["interrupts-extended"], cells(oprops["interrupts-extended"])
            assert len(r) == len(o), path
            assert [ref_ph[x] for x in r[0::2]] == [our_ph[x] for x in o[0::2]], path
            assert r[1::2] == o[1::2], path
        assert set(rprops) - {"riscv,isa", "rng-seed", "dma-coherent"} <= set(oprops), path


def test_isa_advertises_exactly_the_configured_extensions():
    blob = fdt.build_fdt(fdt.FdtParams(ram_size=128 << 20, extensions="IMACSU"))
    cpu = fdt_nodes(blob)["/cpus/cpu@0"]
    assert cpu["riscv,isa"] == b"rv64imac_zicntr_zicsr_zifencei\0"
    assert cpu["riscv,isa-base"] == b"rv64i\0"
    assert cpu["riscv,isa-extensions"].split(b"\0")[:-1] == \
        [b"i", b"m", b"a", b"c", b"zicntr", b"zicsr", b"zifencei"]
    assert fdt.isa_string("IMAFDCSU", ()) == "rv64imafdc"
    with pytest.raises(fdt.FdtError):
        fdt.isa_string("MA")


def test_virtio_slots_only_when_asked_and_mmu_type_is_a_parameter():
    off = fdt_nodes(fdt.build_fdt(fdt.FdtParams(ram_size=1 << 27, mmu_type=None)))
    assert not [p for p in off if "virtio" in p]
    assert "mmu-type" not in off["/cpus/cpu@0"]
    on = fdt_nodes(fdt.build_fdt(fdt.FdtParams(ram_size=1 << 27, virtio=True,
                                               mmu_type="riscv,sv57")))
    slots = sorted(p for p in on if "virtio_mmio" in p)
    assert slots == [f"/soc/virtio_mmio@{0x10001000 + 0x1000 * i:x}" for i in range(8)]
    assert cells(on["/soc/virtio_mmio@10008000"]["interrupts"]) == [8]
    assert on["/cpus/cpu@0"]["mmu-type"] == b"riscv,sv57\0"


def test_initrd_cells_and_rng_seed():
    nodes = fdt_nodes(fdt.build_fdt(fdt.FdtParams(
        ram_size=8 << 30, initrd=(0x1_0000_0000, 0x1_0010_0000), rng_seed=bytes(32))))
    chosen = nodes["/chosen"]
    assert struct.unpack(">Q", chosen["linux,initrd-start"])[0] == 0x1_0000_0000
    assert chosen["rng-seed"] == bytes(32)
    assert "bootargs" not in chosen


def test_validate_rejects_corrupt_blobs_with_one_line():
    blob = fdt.build_fdt(fdt.FdtParams(ram_size=1 << 27, smp=2))
    fdt.validate(blob)
    for bad in (b"", b"\0" * 64, blob[:200], b"\xd0\x0d\xfe\xee" + blob[4:]):
        with pytest.raises(fdt.FdtError) as e:
            fdt.validate(bad, "device tree 'x.dtb'")
        assert "\n" not in str(e.value) and "x.dtb" in str(e.value)
    rng = random.Random(5)
    for _ in range(500):       # random damage: an error or a valid tree, never a crash
        c = bytearray(blob)
        for _ in range(rng.randrange(1, 6)):
            c[rng.randrange(len(c))] = rng.randrange(256)
        try:
            fdt.validate(bytes(c))
        except fdt.FdtError:
            pass


def test_with_chosen_updates_a_user_tree():
    blob = fdt.build_fdt(fdt.FdtParams(ram_size=1 << 27))
    out = fdt.with_chosen(blob, "console=ttyS0", (0x84000000, 0x84001000))
    chosen = fdt_nodes(out)["/chosen"]
    assert chosen["bootargs"] == b"console=ttyS0\0"
    assert cells(chosen["linux,initrd-end"]) == [0x84001000]
