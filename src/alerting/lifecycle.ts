// Alert lifecycle: firing → (acknowledged) → resolved, one alert per (model, feature, kind), silences.
// No I/O here: it turns detector decisions into transitions; dispatch.ts stores and sends them.
import { InputError } from '../domain/index.js';
import { alertId, type AlertEvent, type AlertKind, type Evidence, type Severity } from './alert.js';
import { IncidentBook, type IncidentBookState } from './incident.js';

/** What the detector of one stream decided on one window. */
export interface StreamDecision {
  model: string;
  feature: string;
  kind: AlertKind;
  outcome: 'raised' | 'resolved';
  statistic: string;
  value: number;
  reason: string;
  severity: Severity;
  window: { start: number; end: number };
  baselineVersion: string;
  evidence: Evidence;
}

export interface Alert {
  alertId: string;
  model: string;
  feature: string;
  kind: AlertKind;
  status: 'firing' | 'resolved';
  acknowledgedBy: string | null;
  /** the last transition */
  last: AlertEvent;
}

export interface Silence {
  id: string;
  model: string;
  /** absent: every feature of the model */
  feature?: string;
  /** epoch ms */
  startsAt: number;
  endsAt: number;
  by: string;
  comment: string;
}

export interface AlertBookSnapshot {
  alerts: Alert[];
  silences: Silence[];
  nextSilence: number;
  /** open model incidents (absent in older state: rebuilt from the firing alerts) */
  incidents?: IncidentBookState;
}

export interface AlertBookOptions {
  /** a new silence's id (default silence-1, silence-2…); replicas need ids unique across processes */
  silenceId?: (n: number) => string;
}

export class AlertBook {
  private alerts = new Map<string, Alert>();
  private silences: Silence[] = [];
  private nextSilence = 1;
  private readonly silenceListeners: Array<(s: Silence, lifted: boolean) => void> = [];
  /** the model incidents the notifications are about (alerting/incident.ts) */
  readonly incidents = new IncidentBook();

  constructor(private readonly options: AlertBookOptions = {}) {}

  /** Turns a decision into a transition; null when it changes nothing (e.g. resolving what is not firing). */
  record(d: StreamDecision): AlertEvent | null {
    const id = alertId(d.model, d.feature, d.kind);
    const current = this.alerts.get(id);
    const firing = current?.status === 'firing';
    if ((d.outcome === 'raised') === firing) return null;
    const at = d.window.end;
    const event: AlertEvent = {
      alertId: id,
      seq: (current?.last.seq ?? 0) + 1,
      status: d.outcome === 'raised' ? 'firing' : 'resolved',
      model: d.model,
      feature: d.feature,
      kind: d.kind,
      severity: d.severity,
      statistic: d.statistic,
      value: d.value,
      reason: d.reason,
      at,
      startsAt: d.outcome === 'raised' ? at : (current?.last.startsAt ?? at),
      window: d.window,
      baselineVersion: d.baselineVersion,
      evidence: d.evidence,
      silenced: this.isSilenced(d.model, d.feature, at),
    };
    this.alerts.set(id, { alertId: id, model: d.model, feature: d.feature, kind: d.kind, status: event.status as Alert['status'], acknowledgedBy: null, last: event });
    return event;
  }

  /** Acknowledges a firing alert (PagerDuty gets an acknowledge; the alert keeps firing until resolved). */
  acknowledge(id: string, by: string, at: number): AlertEvent {
    const event = this.acknowledgement(id, by, at);
    const alert = this.alerts.get(id)!;
    alert.acknowledgedBy = by;
    alert.last = event;
    return event;
  }

  /** The transition acknowledging would record, checked but not recorded (for the owner on another replica). */
  acknowledgement(id: string, by: string, at: number): AlertEvent {
    const alert = this.alerts.get(id);
    if (!alert) throw new InputError(`no alert with id ${id}`, 'not_found');
    if (alert.status !== 'firing') throw new InputError(`alert ${id} is not firing`, 'not_firing');
    if (alert.acknowledgedBy !== null) throw new InputError(`alert ${id} is already acknowledged by ${alert.acknowledgedBy}`, 'already_acknowledged');
    return { ...alert.last, seq: alert.last.seq + 1, status: 'acknowledged', at, by, silenced: this.isSilenced(alert.model, alert.feature, at) };
  }

  /** Mutes notifications for a model (or one feature of it) until endsAt; transitions are still recorded. */
  silence(s: Omit<Silence, 'id'>): Silence {
    if (!s.model) throw new InputError('a silence needs a model');
    if (!(s.endsAt > s.startsAt)) throw new InputError('a silence must end after it starts');
    const n = this.nextSilence++;
    const silence: Silence = { ...s, id: this.options.silenceId?.(n) ?? `silence-${n}` };
    this.silences.push(silence);
    for (const l of this.silenceListeners) l(silence, false);
    return silence;
  }

  expireSilence(id: string): void {
    const lifted = this.silences.find((s) => s.id === id);
    if (!lifted) throw new InputError(`no silence with id ${id}`, 'not_found');
    this.silences = this.silences.filter((s) => s !== lifted);
    for (const l of this.silenceListeners) l(lifted, true);
  }

  /** Called after a silence is created or lifted here (replicas share them). */
  onSilence(listener: (s: Silence, lifted: boolean) => void): void {
    this.silenceListeners.push(listener);
  }

  /** Replaces every silence (with those another replica may have created or lifted); no listener is called. */
  setSilences(silences: readonly Silence[]): void {
    this.silences = structuredClone([...silences]);
  }

  /** The alerts of one model (what its owner persists). */
  alertsOf(model: string): Alert[] {
    return structuredClone([...this.alerts.values()].filter((a) => a.model === model));
  }

  /** Replaces one model's alerts and incident (with what its owner persisted; no incident state: rebuilt from the alerts). */
  replaceModel(model: string, alerts: readonly Alert[], incidents?: IncidentBookState): void {
    for (const [id, a] of this.alerts) if (a.model === model) this.alerts.delete(id);
    for (const a of structuredClone([...alerts])) this.alerts.set(a.alertId, a);
    this.incidents.replaceModel(model, incidents);
    if (!incidents) this.incidents.adopt(alerts.filter((a) => a.model === model && a.status === 'firing'));
  }

  /** One model's incident state (what its owner persists beside its alerts). */
  incidentsOf(model: string): IncidentBookState {
    return this.incidents.stateOf(model);
  }

  listSilences(at: number): Silence[] {
    return this.silences.filter((s) => s.endsAt > at);
  }

  isSilenced(model: string, feature: string, at: number): boolean {
    return this.silences.some((s) => s.model === model && (s.feature === undefined || s.feature === feature) && s.startsAt <= at && at < s.endsAt);
  }

  get(id: string): Alert | undefined {
    return this.alerts.get(id);
  }

  /** Alerts now firing, the last transition of each. */
  firing(): Alert[] {
    return [...this.alerts.values()].filter((a) => a.status === 'firing');
  }

  /** Firing alerts grouped per model, as the API and the notifications present them. */
  groups(): Record<string, Alert[]> {
    const out: Record<string, Alert[]> = {};
    for (const a of this.firing()) (out[a.model] ??= []).push(a);
    return out;
  }

  snapshot(): AlertBookSnapshot {
    return structuredClone({ alerts: [...this.alerts.values()], silences: this.silences, nextSilence: this.nextSilence, incidents: this.incidents.snapshot() });
  }

  restore(s: AlertBookSnapshot): this {
    if (!Array.isArray(s?.alerts) || !Array.isArray(s.silences)) throw new RangeError('not an alert book snapshot');
    this.alerts = new Map(structuredClone(s.alerts).map((a) => [a.alertId, a]));
    this.silences = structuredClone(s.silences);
    this.nextSilence = s.nextSilence;
    this.incidents.restore(s.incidents);
    if (!s.incidents) this.incidents.adopt(this.firing());
    return this;
  }
}
