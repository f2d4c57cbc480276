// Metric names of alert delivery: sinks (Alertmanager, PagerDuty, retraining webhook) and the outbox.
export const ALERT_DELIVERIES_TOTAL = 'driftwatch_alert_deliveries_total';
export const ALERT_OUTBOX_PENDING = 'driftwatch_alert_outbox_pending';
export const ALERTS_FIRING = 'driftwatch_alerts_firing';
export const ALERT_TRANSITIONS_TOTAL = 'driftwatch_alert_transitions_total';
export const OWNED_MODELS = 'driftwatch_owned_models';
