// Alerting: turns detector decisions into alerts (lifecycle, silences, acknowledgement), spends the
// false-page budget across streams, stores every transition, and delivers through a durable outbox.
export { alertId, type AlertEvent, type AlertKind, type AlertStatus, type Evidence, type Severity } from './alert.js';
export { streamArl0, expectedFalsePagesPerDay, DEFAULT_FALSE_PAGE_DAYS, type FalsePageBudget } from './budget.js';
export { AlertBook, type AlertBookOptions, type Alert, type AlertBookSnapshot, type Silence, type StreamDecision } from './lifecycle.js';
export { MemoryAlertEventStore, ClickHouseAlertEventStore, alertEventRow, type AlertEventStore } from './events.js';
export { Outbox, DEFAULT_RETRY, type OutboxModelState, type Delivery, type DrainReport, type OutboxOptions, type RetryPolicy } from './outbox.js';
export { AlertDispatch, type AlertDispatchOptions } from './dispatch.js';
export { IncidentBook, incidentStreamsText, notificationTitle, type Incident, type IncidentBookState, type IncidentChange, type IncidentStream, type IncidentView } from './incident.js';
export { resultOfStatus, type AlertSink, type DeliveryAttempt, type SendResult } from './sink.js';
export { AlertmanagerSink, alertmanagerAlert } from './sinks/alertmanager/sink.js';
export { PagerDutySink, pagerDutyEvent } from './sinks/pagerduty/sink.js';
export { RetrainingWebhookSink, retrainingRequest } from './sinks/webhook/sink.js';
export { signWebhook, verifyWebhook, webhookHeaders } from './sinks/webhook/signature.js';
