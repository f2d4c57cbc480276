// GPU fleet: dcgm-exporter utilisation, memory, temperature and power, with driftwatch's derived health signals.
import * as N from '../src/telemetry/names/index.js';
import { PROMETHEUS, dashboard, prom, promTable, queryVariable } from './lib/panels.js';

// dcgm-exporter's host label is `hostname` (collectors/prometheus-scrape.yml folds the old `Hostname` into it)
const DCGM = '{hostname=~"$host"}';
const DW = '{host=~"$host"}';

export const gpuFleet = dashboard({
  uid: 'driftwatch-gpu-fleet',
  title: 'driftwatch / GPU fleet',
  description: 'DCGM metrics of every GPU (dcgm-exporter, scraped by Prometheus) beside the health signals driftwatch derives: XIDs, throttling, idle allocations.',
  tags: ['gpu'],
  variables: [queryVariable('host', 'Host', PROMETHEUS, `label_values(${N.GPU_ALLOCATED_IDLE_SECONDS}, host)`, { multi: true, includeAll: true })],
  sections: [
    {
      panels: [
        { title: 'Degradations firing', type: 'stat', w: 6, h: 5, red: 1, queries: [prom(`sum(${N.GPU_DEGRADATIONS_FIRING}) or vector(0)`)] },
        { title: 'XID errors (1h)', type: 'stat', w: 6, h: 5, red: 1, queries: [prom(`sum(increase(${N.GPU_XID_ERRORS_TOTAL}${DW}[1h])) or vector(0)`)] },
        { title: 'GPUs allocated but idle > 30 min', type: 'stat', w: 6, h: 5, red: 1, queries: [prom(`count(${N.GPU_ALLOCATED_IDLE_SECONDS}${DW} > 1800) or vector(0)`)] },
        { title: 'Collector targets down', type: 'stat', w: 6, h: 5, red: 1, queries: [prom(`count(${N.COLLECTOR_TARGET_UP} == 0) or vector(0)`)] },
      ],
    },
    {
      row: 'Utilisation and memory (DCGM)',
      panels: [
        { title: 'GPU utilisation', type: 'timeseries', unit: 'percent', min: 0, max: 100, queries: [prom(`DCGM_FI_DEV_GPU_UTIL${DCGM}`, '{{hostname}} GPU {{gpu}}')] },
        { title: 'Tensor pipe active', type: 'timeseries', unit: 'percentunit', min: 0, max: 1, queries: [prom(`DCGM_FI_PROF_PIPE_TENSOR_ACTIVE${DCGM}`, '{{hostname}} GPU {{gpu}}')] },
        { title: 'Framebuffer used', type: 'timeseries', unit: 'decmbytes', queries: [prom(`DCGM_FI_DEV_FB_USED${DCGM}`, '{{hostname}} GPU {{gpu}}')] },
        { title: 'Allocated-but-idle time', type: 'timeseries', unit: 's', queries: [prom(`${N.GPU_ALLOCATED_IDLE_SECONDS}${DW} > 0`, '{{host}} GPU {{gpu}}')] },
      ],
    },
    {
      row: 'Thermals, power, errors',
      panels: [
        { title: 'GPU temperature', type: 'timeseries', unit: 'celsius', red: 85, queries: [prom(`DCGM_FI_DEV_GPU_TEMP${DCGM}`, '{{hostname}} GPU {{gpu}}')] },
        { title: 'Power draw', type: 'timeseries', unit: 'watt', queries: [prom(`DCGM_FI_DEV_POWER_USAGE${DCGM}`, '{{hostname}} GPU {{gpu}}')] },
        { title: 'Share of time throttled, by reason', type: 'timeseries', unit: 'percentunit', min: 0, max: 1, queries: [prom(`rate(${N.GPU_THROTTLE_SECONDS_TOTAL}${DW}[$__rate_interval]) > 0`, '{{host}} GPU {{gpu}} {{reason}}')] },
        { title: 'XID errors by code', type: 'timeseries', queries: [prom(`sum by (host, gpu, xid) (increase(${N.GPU_XID_ERRORS_TOTAL}${DW}[$__rate_interval])) > 0`, '{{host}} GPU {{gpu}} XID {{xid}}')] },
        { title: 'PCIe replays per second', type: 'timeseries', queries: [prom(`${N.GPU_PCIE_REPLAYS_PER_SECOND}${DW} > 0`, '{{host}} GPU {{gpu}}')] },
        { title: 'Remapped rows and remap failures', type: 'table', queries: [promTable(`${N.GPU_REMAPPED_ROWS}${DW} > 0 or ${N.GPU_ROW_REMAP_FAILURE}${DW} > 0`)] },
      ],
    },
    {
      row: 'Interconnect',
      panels: [
        { title: 'NVLink throughput', type: 'timeseries', unit: 'Bps', queries: [prom(`${N.GPU_NVLINK_BYTES_PER_SECOND}${DW}`, '{{host}} GPU {{gpu}}')] },
        { title: 'PCIe throughput', type: 'timeseries', unit: 'Bps', queries: [prom(`${N.GPU_PCIE_BYTES_PER_SECOND}${DW}`, '{{host}} GPU {{gpu}} {{direction}}')] },
        { title: 'Degradations firing by kind', type: 'table', w: 24, h: 6, queries: [promTable(`${N.GPU_DEGRADATIONS_FIRING} > 0`)] },
      ],
    },
  ],
});
