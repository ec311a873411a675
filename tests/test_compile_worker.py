"""Regions travel to the compile worker as their blocks' bytes (region_source.py): the worker
makes the same IR the emulator would, refuses bytes that do not make the block they were taken
from, and writes what it compiles to the code cache itself."""
from __future__ import annotations

import marshal
import struct
import time

from rvjit.backend.code_cache import CodeCache
from rvjit.backend.compile_worker import WorkerPool
from rvjit.backend.region_source import (
    FromBytes,
    decode_members,
    encode_block,
    encode_members,
    ir_from_bytes,
    region_ir,
)
from rvjit.frontend.translate import translate_block

PC = 0x8000_0100
FLAGS = 3           # M-mode, as tests/test_translate_block.py


def _code(*words: int) -> bytes:
    return struct.pack(f"<{len(words)}I", *words)


# addi a0, a0, 1; addi a0, a0, 2; bne a0, a1, -8 (back to the first): one block of 3
LOOP = _code(0x00150513, 0x00250513, 0xFEB51CE3)
# addi a1, a1, 3; jalr x0, 0(ra)
RET = _code(0x00358593, 0x00008067)


def test_a_block_made_from_its_bytes_is_the_block_translated_from_memory():
    page = bytes(PC & 0xFFF) + LOOP + bytes(4096)
    ir = translate_block(lambda vaddr: page, PC, FLAGS)
    assert ir.guest_bytes == LOOP and ir.ninsns == 3
    again = ir_from_bytes(PC, FLAGS, LOOP)
    assert (again.guest_bytes, again.ninsns, again.successors, again.ntemps) == \
        (ir.guest_bytes, ir.ninsns, ir.successors, ir.ntemps)
    assert encode_block(again) == encode_block(ir)
    # through the wire form (marshal, as the worker's pipe carries it)
    (made,) = decode_members(marshal.loads(marshal.dumps(
        encode_members([FromBytes(PC, FLAGS, LOOP, 3)]))))
    assert encode_block(made) == encode_block(ir)


def test_a_block_given_as_ir_keeps_its_ops():
    ir = ir_from_bytes(PC, FLAGS, LOOP)
    (back,) = decode_members(marshal.loads(marshal.dumps(encode_members([ir]))))
    assert encode_block(back) == encode_block(ir)


def test_bytes_that_make_another_block_are_refused():
    # a block that was 3 instructions when it was run is not made of 2
    assert region_ir([FromBytes(PC, FLAGS, LOOP, 2)]) is None
    # bytes cut short of the block's end
    assert region_ir([FromBytes(PC, FLAGS, LOOP[:8], 2)]) is None
    assert region_ir([FromBytes(PC, FLAGS, LOOP, 3), FromBytes(PC + 12, FLAGS, RET, 2)])
    # unknown instruction count (a region hint): any block of exactly those bytes
    assert region_ir([FromBytes(PC, FLAGS, LOOP, -1)]) is not None


def test_the_worker_compiles_regions_from_bytes_and_caches_them(tmp_path):
    good = encode_members([FromBytes(PC, FLAGS, LOOP, 3), FromBytes(PC + 12, FLAGS, RET, 2)])
    bad = encode_members([FromBytes(PC, FLAGS, LOOP, 1)])
    pool = WorkerPool(1, tmp_path)
    try:
        job = pool.submit([("r_good", "ab" + "0" * 62, good), ("r_bad", "cd" + "0" * 62, bad)],
                          "none:0")
        deadline = time.monotonic() + 120
        replies = []
        while not replies and time.monotonic() < deadline:
            replies = pool.done()
            time.sleep(0.05)
    finally:
        pool.close()
    assert len(replies) == 1
    rjob, objs, err, _ = replies[0]
    assert rjob == job and err is None
    assert objs[0][:4] == b"\x7fELF" and objs[1] is None
    # written before the reply, atomically: the object and nothing else
    cache = CodeCache(tmp_path)
    assert cache.get("ab" + "0" * 62) == objs[0]
    assert not cache.has("cd" + "0" * 62)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [cache.path("ab" + "0" * 62)]


def test_next_batch_takes_the_hottest_then_the_newest():
    from rvjit.backend.jit import next_batch
    q = {f"r{i}": (f"k{i}",) for i in range(6)}
    assert next_batch(q, {}, 4) == ["r2", "r3", "r4", "r5"]        # the newest
    heat = {"k0": lambda: 900, "k1": lambda: 5, "k4": lambda: 10}
    assert next_batch(q, heat, 2) == ["r4", "r0"]
    assert next_batch(q, heat, 4) == ["r5", "r1", "r4", "r0"]       # ties: the newest
    assert next_batch(q, heat, 8) == list(q)                         # all of them
