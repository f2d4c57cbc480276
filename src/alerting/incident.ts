// One page per model incident. Every stream of a model (a feature's drift, its accuracy, and whatever kinds of stream
// other parts add) keeps its own alert, evidence and lifecycle; the notifications are per model incident instead: the
// first stream that fires opens the model's incident (one page), streams that fire while it is open join it (the page
// is updated, not repeated), and it closes when its last firing stream resolves. An incident is named after the stream
// that opened it (that alert's id is PagerDuty's dedup_key and Alertmanager's alert_id), so an incident of one stream
// is notified exactly as that stream's alert would be. Pure: no I/O, no clock.
import { KIND_TEXT, type AlertEvent, type AlertKind, type AlertStatus, type Severity } from './alert.js';

/** How an incident changed with one stream transition. */
export type IncidentChange = 'opened' | 'joined' | 'left' | 'acknowledged' | 'closed';

export interface IncidentStream {
  alertId: string;
  feature: string;
  kind: AlertKind;
  severity: Severity;
  statistic: string;
  value: number;
  status: 'firing' | 'resolved';
  /** epoch ms: when it joined the incident */
  since: number;
}

/** What a notification carries about its incident (AlertEvent.incident). */
export interface IncidentView {
  id: string;
  change: IncidentChange;
  /** the most severe of its streams */
  severity: Severity;
  streams: IncidentStream[];
}

export interface Incident {
  id: string;
  model: string;
  openedAt: number;
  acknowledgedBy: string | null;
  streams: IncidentStream[];
  /** the last notification of this incident */
  last: AlertEvent;
}

export interface IncidentBookState {
  /** open incidents */
  open: Incident[];
  /** last notification number per incident id (an id recurs when its stream opens a later incident), with its model */
  seqs: Record<string, { model: string; seq: number }>;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2, critical: 3 };

function worst(streams: readonly IncidentStream[]): Severity {
  return streams.reduce<Severity>((s, x) => (RANK[x.severity] > RANK[s] ? x.severity : s), 'info');
}

function streamOf(e: AlertEvent): IncidentStream {
  return { alertId: e.alertId, feature: e.feature, kind: e.kind, severity: e.severity, statistic: e.statistic, value: e.value, status: 'firing', since: e.at };
}

/** One line naming an incident's streams, for summaries: "amount (PSI 0.31), __accuracy__ (accuracy 0.71, resolved)". */
export function incidentStreamsText(v: IncidentView): string {
  return v.streams.map((s) => `${s.feature} (${s.statistic} ${Number.isFinite(s.value) ? s.value.toPrecision(3) : s.value}${s.status === 'resolved' ? ', resolved' : ''})`).join(', ');
}

/** The headline of a notification: the stream's own for an incident of one stream, the model's otherwise. */
export function notificationTitle(e: AlertEvent): string {
  const v = e.incident;
  if (!v || v.streams.length <= 1) return `${KIND_TEXT[e.kind]} on ${e.model}/${e.feature}`;
  const kinds = [...new Set(v.streams.map((s) => KIND_TEXT[s.kind]))].join(' and ');
  return `${kinds} on ${e.model}: ${v.streams.filter((s) => s.status === 'firing').length} of ${v.streams.length} streams firing`;
}

export class IncidentBook {
  private open = new Map<string, Incident>();
  private seqs = new Map<string, { model: string; seq: number }>();

  private next(inc: Incident): number {
    const seq = (this.seqs.get(inc.id)?.seq ?? 0) + 1;
    this.seqs.set(inc.id, { model: inc.model, seq });
    return seq;
  }

  private notify(inc: Incident, e: AlertEvent, change: IncidentChange, status: AlertStatus): AlertEvent {
    const opener = inc.streams[0];
    const event: AlertEvent = {
      ...e,
      alertId: inc.id,
      seq: this.next(inc),
      status,
      // the opener's identity stays, so Alertmanager sees the same alert while the incident lasts
      feature: opener.feature,
      kind: opener.kind,
      severity: opener.severity,
      startsAt: inc.openedAt,
      incident: { id: inc.id, change, severity: worst(inc.streams), streams: structuredClone(inc.streams) },
    };
    inc.last = event;
    return event;
  }

  /** The notification a stream's transition makes (null: it changes no incident, e.g. acknowledging twice). */
  apply(e: AlertEvent): AlertEvent | null {
    const inc = this.open.get(e.model);
    const member = inc?.streams.find((s) => s.alertId === e.alertId);
    if (e.status === 'firing') {
      if (!inc) {
        const opened: Incident = { id: e.alertId, model: e.model, openedAt: e.at, acknowledgedBy: null, streams: [streamOf(e)], last: e };
        this.open.set(e.model, opened);
        return this.notify(opened, e, 'opened', 'firing');
      }
      if (member) Object.assign(member, { ...streamOf(e), since: member.since });
      else inc.streams.push(streamOf(e));
      return this.notify(inc, e, 'joined', 'firing');
    }
    if (!inc || !member || member.status !== 'firing') return null;
    if (e.status === 'acknowledged') {
      if (inc.acknowledgedBy !== null) return null;
      inc.acknowledgedBy = e.by ?? '';
      return this.notify(inc, e, 'acknowledged', 'acknowledged');
    }
    Object.assign(member, { status: 'resolved', statistic: e.statistic, value: e.value });
    if (inc.streams.some((s) => s.status === 'firing')) return this.notify(inc, e, 'left', inc.acknowledgedBy !== null ? 'acknowledged' : 'firing');
    this.open.delete(e.model);
    return this.notify(inc, e, 'closed', 'resolved');
  }

  /** The open incident of a model. */
  of(model: string): Incident | undefined {
    const inc = this.open.get(model);
    return inc && structuredClone(inc);
  }

  /** The last notification of every open incident (what Alertmanager is re-told). */
  firing(): AlertEvent[] {
    return [...this.open.values()].map((i) => i.last);
  }

  /** One model's incident state (its owner persists it beside the model's alerts). */
  stateOf(model: string): IncidentBookState {
    const open = this.open.get(model);
    const seqs = Object.fromEntries([...this.seqs].filter(([, v]) => v.model === model));
    return structuredClone({ open: open ? [open] : [], seqs });
  }

  /** Replaces one model's incident state (with what its owner persisted). */
  replaceModel(model: string, state: IncidentBookState | undefined): void {
    for (const [id, v] of this.seqs) if (v.model === model) this.seqs.delete(id);
    this.open.delete(model);
    if (!state) return;
    for (const inc of state.open) if (inc.model === model) this.open.set(model, structuredClone(inc));
    for (const [id, v] of Object.entries(state.seqs)) if (v.model === model) this.seqs.set(id, { ...v });
  }

  /**
   * State saved before incidents existed: a model with firing alerts gets the incident they would have opened (its
   * oldest firing alert is the opener, numbered on from that alert's transitions).
   */
  adopt(firing: ReadonlyArray<{ model: string; last: AlertEvent }>): void {
    const byModel = new Map<string, AlertEvent[]>();
    for (const a of firing) if (!this.open.has(a.model)) byModel.set(a.model, [...(byModel.get(a.model) ?? []), a.last]);
    for (const [model, events] of byModel) {
      events.sort((a, b) => a.startsAt - b.startsAt || a.alertId.localeCompare(b.alertId));
      const opener = events[0];
      const inc: Incident = { id: opener.alertId, model, openedAt: opener.startsAt, acknowledgedBy: null, streams: events.map((e) => ({ ...streamOf(e), since: e.startsAt })), last: opener };
      inc.last = { ...opener, incident: { id: inc.id, change: 'opened', severity: worst(inc.streams), streams: structuredClone(inc.streams) } };
      this.open.set(model, inc);
      this.seqs.set(opener.alertId, { model, seq: Math.max(this.seqs.get(opener.alertId)?.seq ?? 0, opener.seq) });
    }
  }

  snapshot(): IncidentBookState {
    return structuredClone({ open: [...this.open.values()], seqs: Object.fromEntries(this.seqs) });
  }

  restore(s: IncidentBookState | undefined): this {
    this.open = new Map();
    this.seqs = new Map();
    if (!s) return this;
    if (!Array.isArray(s.open) || typeof s.seqs !== 'object' || s.seqs === null) throw new RangeError('not an incident book snapshot');
    for (const inc of structuredClone(s.open)) this.open.set(inc.model, inc);
    for (const [id, v] of Object.entries(s.seqs)) this.seqs.set(id, { ...v });
    return this;
  }
}
