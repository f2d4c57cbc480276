// How a segment's stream is named (issue 17): `feature{segment}`, e.g. `amount{country=DE}`, in alerts (their id,
// Alertmanager labels, PagerDuty summary), the model incident and the tests' results; segment = `feature=value`.

export function segmentStream(feature: string, segment: string): string {
  return `${feature}{${segment}}`;
}

/** The feature and segment of a stream name; no segment for a whole-model stream. */
export function streamSegment(stream: string): { feature: string; segment: string | null } {
  const open = stream.lastIndexOf('{');
  if (open <= 0 || !stream.endsWith('}') || !stream.slice(open).includes('=')) return { feature: stream, segment: null };
  return { feature: stream.slice(0, open), segment: stream.slice(open + 1, -1) };
}
