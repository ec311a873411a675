"""One `trans_<insn>` per instruction, grouped by extension; each emits IR through a
DisasContext and returns False for an encoding it rejects (illegal instruction)."""
