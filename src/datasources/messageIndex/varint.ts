/**
 * LEB128 varints for non-negative safe integers (arithmetic, not bit operations, so values up to
 * 2^53 work), shared by the record codec and the Lua scripts that read the same bytes.
 */
export const varint = {
  /** Appends the encoding of `value` (a non-negative safe integer) to `out`. */
  push(out: number[], value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint: ${value} is out of range`);
    let x = value;
    while (x >= 128) {
      out.push((x % 128) + 128);
      x = Math.floor(x / 128);
    }
    out.push(x);
  },
  /** Reads a varint at `pos`; returns the value and the position after it. */
  read(buf: Uint8Array, pos: number): [number, number] {
    let value = 0;
    let scale = 1;
    for (let i = pos; i < buf.length; i++) {
      const b = buf[i]!;
      if (b < 128) return [value + b * scale, i + 1];
      value += (b - 128) * scale;
      scale *= 128;
    }
    throw new RangeError('varint: truncated');
  },
  /** Zigzag: signed → non-negative (0, -1, 1, -2 … → 0, 1, 2, 3 …). */
  zigzag(value: number): number {
    return value >= 0 ? value * 2 : -value * 2 - 1;
  },
  unzigzag(value: number): number {
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  },
};
