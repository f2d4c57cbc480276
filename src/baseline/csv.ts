// One CSV record (RFC 4180 quoting within a line: "a,b" and "say ""hi""" are single cells).

/** Cells of one CSV line; throws a plain Error (the reader adds the line number) on an unclosed quote. */
export function parseCsvLine(line: string): string[] {
  if (line.indexOf('"') < 0) return line.split(',');
  const cells: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let cell = '';
      i++;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) throw new Error('unclosed quote (a quoted cell spanning lines is not supported)');
        cell += line.slice(i, close);
        if (line[close + 1] === '"') {
          cell += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      if (i < line.length && line[i] !== ',') throw new Error(`unexpected text after a quoted cell at column ${cells.length + 1}`);
      cells.push(cell);
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      cells.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return cells;
}
