// RowBinary's primitive encodings written out by hand (little-endian numbers, LEB128 length + UTF-8 strings), for
// the tests that check encoders byte for byte.
export const f64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [...b];
};
export const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return [...b];
};
export const str = (s: string) => {
  const bytes = [...Buffer.from(s, 'utf8')];
  const len: number[] = [];
  let n = bytes.length;
  do {
    len.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return [...len, ...bytes];
};
