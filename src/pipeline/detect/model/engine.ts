/**
 * The detection engine (DETECTION.md): per closed bucket, every key with a count is tested against its
 * baseline over several windows; a significant rise that passes the breadth and poisoning gates becomes or
 * updates an incident, one that fails them is a local anomaly. Pure and in-memory: the server feeds it buckets
 * built from the store, `stormwatch eval` feeds it buckets built from an events file; the state is saved as
 * bytes (state-codec.ts) so that a restart resumes without relearning.
 *
 * Invariants:
 * - Expectations use only the state before the bucket (baselines, the season factor, the over-dispersion
 *   frozen at the last day's end); the bucket is folded in after its tests, clipped, and not at all (the
 *   expectation instead) while the key has an active incident, so an outbreak never teaches the baseline to
 *   expect itself.
 * - α per test = alpha_scale · budget per day / (buckets a day · 3 granularities) / (keys with a count in the
 *   bucket) / (windows): a Bonferroni split of the daily alert budget; a zero count cannot be significant.
 * - Cost: O(keys with a count · windows) per bucket, plus O(known keys) once per 1h and 1d bucket (the zero
 *   counts that the over-dispersion estimate needs). Tail probabilities are computed only for windows whose
 *   count passes the cheap floors (min_sources, min_fold).
 * - Deterministic: the same buckets in the same order give the same incidents.
 */
import { GRANULARITIES } from '../../../core/buckets.js';
import type { BucketInput, DetectGranularity, KeyObservation } from '../../../core/observation.js';
import { cusumIncrement, cusumUpdate, fitGrowth, logNegBinUpper, negBinQuantile } from '../stats/index.js';
import { cusumThresholdFor } from './cusum-threshold.js';
import { Baseline, METRICS, M_SOURCES, predictiveSize } from './baseline.js';
import { assignCampaign, mergeSample } from './campaigns.js';
import { resolveEngineConfig } from './config.js';
import type { EngineConfig, EngineSettings } from './config.js';
import { Dispersion } from './dispersion.js';
import { FleetClock } from './fleet-clock.js';
import { measureBreadth, runGates } from './gates.js';
import { OperatorHistory } from './operator-history.js';
import {
  F_TOP,
  F_TOP_ID,
  F_TRIMMED,
  F_WEIGHTED,
  GranularityState,
  KeyState,
  RECENT,
  keyId,
  keyPort,
  keyProto,
} from './key-state.js';
import { applyFiring, isActive, tickIncident } from './lifecycle.js';
import type { Firing } from './lifecycle.js';
import { SeasonFactors } from './season.js';
import { severityOf } from './severity.js';
import { KEYS_PER_PART, decodeState, decodeStatePart, encodeState, encodeStateParts } from './state-codec.js';
import type { EngineSnapshot } from './state-codec.js';
import { assessThreat } from './threat.js';
import type {
  BucketResult,
  DetectionEngine,
  FiringEvidence,
  Incident,
  LocalAnomaly,
  Notification,
  ThreatAssessment,
} from './types.js';

export const GRAN_ORDER: readonly DetectGranularity[] = ['5m', '1h', '1d'];
const DAY = 86_400_000;

export interface EngineStats {
  buckets: Record<DetectGranularity, number>;
  keys_known: number;
  tails_computed: number;
  firings: number;
  anomalies: number;
}

export class Engine implements DetectionEngine {
  readonly cfg: EngineConfig;
  readonly clocks: Record<DetectGranularity, FleetClock>;
  readonly keys = new Map<number, KeyState>();
  readonly season = new SeasonFactors();
  /** Over-dispersion learned on 1h buckets (used for 5m and 1h) and on 1d buckets. */
  readonly dispHour = new Dispersion();
  readonly dispDay = new Dispersion();
  /** Per key: its active incident, or its last resolved one (for re-opening). */
  readonly incidents = new Map<number, Incident>();
  /** Per incident id: a bounded sample of its sources (campaigns). */
  readonly samples = new Map<string, Set<string>>();
  /** Per operator: times of the local anomalies it was the culprit of, within the flag window. */
  readonly anomalyTimes = new Map<string, number[]>();
  /** Per sensor (public id): times of the local anomalies whose culprit's share named it. */
  readonly sensorAnomalyTimes = new Map<string, number[]>();
  /** Per key: each operator's discounted daily sources (the caps relative to history). */
  readonly operatorHistory = new OperatorHistory();
  /** Operators' names by interned id, and back (the recent rings keep ids). */
  readonly operatorNames: string[] = [];
  readonly operatorIds = new Map<string, number>();
  lastRolloverDay = -1;
  readonly counters: EngineStats = {
    buckets: { '5m': 0, '1h': 0, '1d': 0 },
    keys_known: 0,
    tails_computed: 0,
    firings: 0,
    anomalies: 0,
  };

  constructor(config?: EngineSettings) {
    this.cfg = resolveEngineConfig(config);
    const delta = (g: DetectGranularity): number =>
      1 - GRANULARITIES[g] / (this.cfg.granularities[g].memory_days * DAY);
    this.clocks = {
      '5m': new FleetClock(GRANULARITIES['5m'], delta('5m')),
      '1h': new FleetClock(GRANULARITIES['1h'], delta('1h')),
      '1d': new FleetClock(GRANULARITIES['1d'], delta('1d')),
    };
  }

  closeBucket(input: BucketInput): BucketResult {
    const g = input.granularity;
    const gi = GRAN_ORDER.indexOf(g);
    const gc = this.cfg.granularities[g];
    const size = GRANULARITIES[g];
    if (gi < 0 || input.bucket % size !== 0) {
      throw new RangeError(`bucket ${input.bucket} is not a ${String(g)} bucket start`);
    }
    const clock = this.clocks[g];
    const t = input.bucket / size;
    if (t <= clock.t)
      throw new RangeError(`${g} bucket ${new Date(input.bucket).toISOString()} already closed`);
    const now = input.bucket + size;
    const seasonF = gc.seasonal ? this.season.factor(input.bucket) : 1;
    const es = Math.max(0, input.exposure) * seasonF;
    const Bprev = clock.advance(t, es);
    const Bt = clock.B;
    const delta = clock.delta;
    const perDay = DAY / size;
    const windows = gc.windows;
    const logAlpha = Math.log(
      (this.cfg.alpha_scale * this.cfg.alert_budget_per_day) /
        (perDay * GRAN_ORDER.length) /
        Math.max(1, input.keys.length) /
        windows.length,
    );
    const disp = g === '1d' ? this.dispDay : this.dispHour;
    const learnDisp = g !== '5m';
    // A never-seen key starts from the prior with `prior_weight_days` of weight, less while the fleet itself is
    // young (a quarter of its age, at least a bucket): at the start every key is new and nothing is known.
    const ageDays = (t - clock.t0) / perDay;
    const warm = ageDays >= gc.warmup_days;
    const priorDays = Math.min(this.cfg.prior_weight_days, Math.max(1 / perDay, ageDays / 4));
    const priorWeight = priorDays * perDay * Math.max(es, 1);
    const priorRate = (this.cfg.prior_rate_per_sensor_day * size) / DAY;
    const priorRates = [priorRate, priorRate, priorRate, 2 * priorRate];
    const notifications: Notification[] = [];
    const changed = new Map<string, Incident>();
    const anomalies: LocalAnomaly[] = [];
    const xs = new Float64Array(METRICS.length);
    const bucketHours = size / 3_600_000;
    const day = Math.floor(input.bucket / DAY);
    let totalSources = 0;

    for (const obs of input.keys) {
      if (obs.sources <= 0) continue;
      totalSources += obs.sources;
      const id = keyId(obs.proto, obs.port);
      let ks = this.keys.get(id);
      if (ks === undefined) {
        const mk = (gg: DetectGranularity): GranularityState => {
          const c = this.clocks[gg];
          return new GranularityState(
            Baseline.fresh(
              gg === g ? priorRates : priorRates.map((r) => (r * GRANULARITIES[gg]) / size),
              gg === g ? priorWeight : (priorWeight * GRANULARITIES[gg]) / size,
              gg === g ? t - 1 : c.t,
              gg === g ? Bprev : c.B,
            ),
          );
        };
        ks = new KeyState(id, [mk('5m'), mk('1h'), mk('1d')]);
        this.keys.set(id, ks);
      }
      const gs = ks.g[gi] as GranularityState;
      const bl = gs.baseline;
      if (gs.born < 0) gs.born = t;
      const young = t - gs.born < perDay * gc.warmup_days;
      bl.catchUp(t - 1, Bprev, delta);
      const novel = ks.lastSeen < input.bucket - this.cfg.new_port_quiet_days * DAY;
      // What survives the trimming and probation rules, and the largest operator's part, are kept per bucket so
      // that a window's gates judge the whole window, not only its last bucket (a local scan that just ended
      // must not pass on the breadth of the background that follows it).
      const breadth = measureBreadth(obs, this.cfg.trim_fraction);
      const topOp = obs.by_operator.find((x) => x.probation !== true && x.sources > 0);
      gs.pushCount(
        t,
        obs.sources,
        obs.sources * breadth.keptShare * breadth.weightedShare,
        topOp?.sources ?? 0,
        topOp === undefined ? -1 : this.intern(topOp.operator),
        obs.sources * breadth.weightedShare,
      );
      const rate = bl.rate(M_SOURCES);
      const a0 = bl.a[M_SOURCES] ?? 0;
      const inc = this.incidents.get(id);
      const active = inc !== undefined && isActive(inc);

      // Spike: the smallest p over the windows.
      let bestLogP = 0;
      let bestW = 0;
      let bestX = 0;
      let bestMu = 0;
      let bestSize = Infinity;
      if (es > 0 && warm) {
        for (const w of windows) {
          const X = gs.windowSum(t, w);
          const mu = rate * clock.windowExposure(w);
          if (X < this.cfg.min_sources || X < this.cfg.min_fold * mu || !(mu > 0)) continue;
          const nbSize = predictiveSize(a0, disp.inverseSize((mu / w) * (g === '5m' ? 12 : 1)) / w);
          const logP = logNegBinUpper(X, mu, nbSize);
          this.counters.tails_computed++;
          if (logP < bestLogP) {
            bestLogP = logP;
            bestW = w;
            bestX = X;
            bestMu = mu;
            bestSize = nbSize;
          }
        }
      }

      // Ramp: CUSUM on hourly sources against the guard-banded baseline.
      let cusumFired = false;
      let cusumRate = rate;
      let cusumS = 0;
      let cusumPerSource = 0;
      let cusumH = Infinity;
      if (g === '1h' && es > 0 && warm) {
        // The snapshot is taken only once the key is past its warm-up, so a baseline still learning is not a
        // reference; a rise inside the guard band cannot lift the reference either.
        const lagged = young ? Number.NaN : gs.guardRate(day, rate, this.cfg.cusum_guard_days);
        cusumRate = Math.min(lagged, rate);
        const mu0 = cusumRate * es;
        if (mu0 > 0) {
          const phi = 1 + mu0 * disp.inverseSize(mu0);
          const st = { s: gs.cusum, run: 0 };
          const h = cusumThresholdFor(this.cfg.cusum_arl0_buckets, mu0, phi, this.cfg.cusum_shift);
          const signal = cusumUpdate(st, obs.sources, mu0, phi, this.cfg.cusum_shift, h);
          gs.cusum = st.s;
          // A slow rise brings a source or two an hour: the floor is on the last day's sources, not the hour's.
          cusumFired = signal && gs.windowSum(t, RECENT) >= this.cfg.min_sources;
          cusumS = st.s;
          cusumH = h;
          // What one source adds to the statistic (the increment is linear in the count).
          cusumPerSource =
            cusumIncrement(1, mu0, phi, this.cfg.cusum_shift) -
            cusumIncrement(0, mu0, phi, this.cfg.cusum_shift);
        }
      }

      const spiked = bestW > 0 && bestLogP < logAlpha;
      if (spiked || cusumFired) {
        const test: FiringEvidence['test'] = spiked ? (novel ? 'new_port' : 'spike') : 'cusum';
        if (!spiked) {
          bestW = Math.min(RECENT, Math.max(...windows));
          bestX = gs.windowSum(t, bestW);
          // The evidence of a CUSUM firing is against the guard-banded rate it watched, not today's.
          bestMu = cusumRate * clock.windowExposure(bestW);
          bestSize = predictiveSize(a0, disp.inverseSize(bestMu / bestW) / bestW);
          // The CUSUM's own evidence: false signals at level s come at most once in e^s buckets (Lorden), so
          // e^-s is its false-alarm rate per bucket, comparable with the windows' α.
          bestLogP = Math.min(bestMu > 0 ? logNegBinUpper(bestX, bestMu, bestSize) : 0, -cusumS);
        }
        const result = this.fire(obs, input, {
          id,
          gs,
          t,
          test,
          w: bestW,
          X: bestX,
          mu: bestMu,
          nbSize: bestSize,
          logP: bestLogP,
          logAlpha,
          novel,
          cusumOnly: !spiked,
          cusum: { s: cusumS, h: cusumH, perSource: cusumPerSource },
          bucketHours,
          es,
          now,
          notifications,
        });
        if (result.kind === 'incident') {
          for (const c of result.changed) changed.set(c.id, c);
        } else {
          anomalies.push(result.anomaly);
        }
        if (cusumFired) gs.cusum = 0;
      }

      // Fold the bucket into the baseline: the expectation while an incident is active, else clipped (not while
      // the key is younger than the warm-up: a baseline that knows nothing would clip everything to its prior).
      for (let m = 0; m < METRICS.length; m++) {
        const x = m === 0 ? obs.sources : m === 1 ? obs.sensors : m === 2 ? obs.operators : obs.events_capped;
        const mu = bl.rate(m) * es;
        if (active) {
          xs[m] = mu;
        } else if (young) {
          xs[m] = x;
        } else {
          const am = bl.a[m] ?? 0;
          const sd = Math.sqrt(mu + mu * mu * ((am > 0 ? 1 / am : 1) + disp.inverseSize(mu)));
          xs[m] = Math.min(x, mu + this.cfg.clip_sd * sd + 1);
        }
      }
      if (learnDisp && !active && es > 0) disp.observe(xs[M_SOURCES] ?? 0, rate * es);
      if (g === '1d' && !active) this.operatorHistory.learn(id, day, obs, delta);
      bl.update(xs, es, delta, t, Bt);
      if (input.bucket > ks.lastSeen) ks.lastSeen = input.bucket;
    }

    if (g !== '5m') this.scanQuietKeys(gi, t, Bprev, es, disp, day);
    if (g === '1h' && input.exposure > 0) this.season.learn(input.bucket, totalSources / input.exposure, 1);
    if (day > this.lastRolloverDay && g !== '5m') {
      if (this.lastRolloverDay >= 0) {
        this.dispHour.rollover();
        this.dispDay.rollover();
      }
      this.lastRolloverDay = day;
    }
    for (const c of this.tick(now, notifications)) changed.set(c.id, c);
    this.counters.buckets[g]++;
    this.counters.keys_known = this.keys.size;
    return {
      granularity: g,
      bucket: input.bucket,
      keys_evaluated: input.keys.length,
      changed: [...changed.values()],
      notifications,
      anomalies,
    };
  }

  /** Zero counts of keys absent from a 1h/1d bucket feed the over-dispersion estimate; idle rings are freed. */
  private scanQuietKeys(
    gi: number,
    t: number,
    Bprev: number,
    es: number,
    disp: Dispersion,
    day: number,
  ): void {
    const delta = this.clocks[GRAN_ORDER[gi] ?? '1h'].delta;
    const cfg = this.cfg;
    for (const ks of this.keys.values()) {
      const gs = ks.g[gi] as GranularityState;
      gs.trim(t);
      if (gs.baseline.t >= t) continue;
      if (gs.cusum > 0 && es > 0) {
        // An hour without a source is evidence against a rise too: the CUSUM takes its step for the zero.
        const mu0 = Math.min(gs.peekGuard(day, cfg.cusum_guard_days), gs.baseline.rate(M_SOURCES)) * es;
        if (mu0 > 0) {
          const phi = 1 + mu0 * disp.inverseSize(mu0);
          gs.cusum = Math.max(0, gs.cusum + cusumIncrement(0, mu0, phi, cfg.cusum_shift));
        }
      }
      if (es > 0) {
        const inc = this.incidents.get(ks.id);
        if (inc !== undefined && isActive(inc)) continue;
        gs.baseline.catchUp(t - 1, Bprev, delta);
        disp.observe(0, gs.baseline.rate(M_SOURCES) * es);
      }
    }
  }

  private fire(
    obs: KeyObservation,
    input: BucketInput,
    f: {
      id: number;
      gs: GranularityState;
      t: number;
      test: FiringEvidence['test'];
      w: number;
      X: number;
      mu: number;
      nbSize: number;
      logP: number;
      logAlpha: number;
      novel: boolean;
      cusumOnly: boolean;
      /** The CUSUM's statistic, threshold and increment per source (when the CUSUM was run). */
      cusum: { s: number; h: number; perSource: number };
      bucketHours: number;
      es: number;
      now: number;
      notifications: Notification[];
    },
  ): { kind: 'incident'; changed: Incident[] } | { kind: 'anomaly'; anomaly: LocalAnomaly } {
    const cfg = this.cfg;
    this.counters.firings++;
    const now = measureBreadth(obs, cfg.trim_fraction);
    // Over the window: the sources left after trimming each bucket's largest operators, and the largest
    // operator's share (the strictest of the window's and the bucket's).
    const trimX = Math.floor(f.gs.windowSum(f.t, f.w, F_TRIMMED) + 1e-6);
    const windowTop = f.X > 0 ? f.gs.windowSum(f.t, f.w, F_TOP) / f.X : 0;
    const breadth = { ...now, maxShare: Math.max(now.maxShare, windowTop) };
    const trimMu = f.mu * Math.max(0.05, 1 - breadth.trimmedSensors / Math.max(1, input.fleet_sensors));
    const trimSig =
      trimX >= cfg.min_sources &&
      trimX >= cfg.min_fold * trimMu &&
      logNegBinUpper(trimX, trimMu, f.nbSize) < f.logAlpha;
    // Each operator held to its cap relative to its history, judged on its estimated sources in the window.
    const tallies = this.windowTallies(obs, f.gs, f.t, f.w);
    const weightedX = f.gs.windowSum(f.t, f.w, F_WEIGHTED);
    const caps = this.operatorHistory.capped(f.id, {
      tallies,
      total: weightedX,
      expected: f.mu,
      fleetOperators: input.fleet_operators,
      factor: cfg.operator_cap_factor,
      min: cfg.operator_cap_min,
    });
    const capX = Math.floor(caps.kept + 1e-6);
    const capSig =
      capX >= cfg.min_sources &&
      capX >= cfg.min_fold * f.mu &&
      logNegBinUpper(capX, f.mu, f.nbSize) < f.logAlpha;
    // A CUSUM firing is judged on its statistic without the trimmed or capped sources (each source removed
    // takes its increment away; the window is the CUSUM's last day, so older parts of a long run stay counted).
    const cu = f.cusum;
    const sTrim = cu.s - Math.max(0, f.X - trimX) * cu.perSource;
    const sCap = cu.s - Math.max(0, f.X - capX) * cu.perSource;
    const gates = runGates(cfg, {
      breadth,
      trimmedSignificant: f.cusumOnly ? trimX >= cfg.min_sources && sTrim >= cu.h : trimSig,
      trimmedObserved: trimX,
      trimmedExpected: trimMu,
      cappedSignificant: f.cusumOnly ? capX >= cfg.min_sources && sCap >= cu.h : capSig,
      cappedObserved: capX,
      cappedExpected: f.mu,
      capCut: caps.cut,
      novel: f.novel,
      windowSources: f.X,
      windowWeighted: weightedX,
    });
    const passed = gates.every((x) => x.passed);
    const counts: number[] = [];
    for (let i = f.t - cfg.growth_buckets + 1; i <= f.t; i++) counts.push(f.gs.countAt(i));
    const growth =
      input.granularity !== '1d' && obs.sources >= cfg.growth_min_sources
        ? fitGrowth(counts, f.bucketHours)
        : null;
    const fold = f.mu > 0 ? f.X / f.mu : Infinity;
    const severity = severityOf({
      logP: f.logP,
      logAlpha: f.logAlpha,
      fold,
      effectiveOperators: breadth.effective,
      doublingHours: growth?.doubling_hours ?? null,
      novel: f.novel,
      cusumOnly: f.cusumOnly,
    });
    const bl = f.gs.baseline;
    const handshakeShare =
      obs.handshake_sources === undefined || obs.sources === 0 ? null : obs.handshake_sources / obs.sources;
    const evidence: FiringEvidence = {
      granularity: input.granularity,
      bucket: input.bucket,
      test: f.test,
      window: f.w,
      metric: 'sources',
      observed: f.X,
      expected: f.mu,
      interval: [negBinQuantile(0.005, f.mu, f.nbSize), negBinQuantile(0.995, f.mu, f.nbSize)],
      p_value: Math.exp(f.logP),
      alpha: Math.exp(f.logAlpha),
      fold: Number.isFinite(fold) ? fold : f.X,
      sources: obs.sources,
      sensors: obs.sensors,
      expected_sensors: bl.rate(1) * f.es,
      operators: obs.operators,
      effective_operators: breadth.effective,
      max_operator_share: breadth.maxShare,
      events: { observed: obs.events_capped, expected: bl.rate(3) * f.es },
      handshake_share: handshakeShare,
      growth:
        growth === null
          ? null
          : { slope_per_hour: growth.slope_per_hour, doubling_hours: growth.doubling_hours },
      novelty: f.novel,
      gates,
      top_countries: (obs.top_countries ?? []).slice(0, 5),
      top_networks: (obs.top_networks ?? []).slice(0, 5),
    };
    if (!passed) {
      this.counters.anomalies++;
      const capFailed = gates.some((x) => x.name === 'operator_caps' && !x.passed);
      const blamed = [
        ...new Set([
          ...(breadth.maxShare > cfg.max_operator_share ? breadth.top.slice(0, 1) : breadth.top),
          ...(capFailed ? caps.cut.slice(0, 3) : []),
        ]),
      ];
      // Flags count culprits only: an operator holding most of a window big enough to matter, and its sensors
      // when its share of the bucket names them (a few, known exactly). In the evaluation's background most
      // local anomalies are sparse windows that fail on breadth, blaming whoever held the last bucket: counting
      // those flagged every one of its 108 honest sensors within weeks.
      const culprit = this.culpritOf(tallies, f.X);
      const sensors =
        culprit === null
          ? []
          : (obs.by_operator.find((x) => x.operator === culprit.operator)?.sensor_ids ?? []);
      if (culprit !== null) {
        this.remember(this.anomalyTimes, culprit.operator, f.now);
        for (const id of sensors) this.remember(this.sensorAnomalyTimes, id, f.now);
      }
      return {
        kind: 'anomaly',
        anomaly: {
          proto: obs.proto,
          port: obs.port,
          granularity: input.granularity,
          bucket: input.bucket,
          evidence,
          operators: blamed,
          ...(culprit === null ? {} : { culprit: { ...culprit, sensors } }),
        },
      };
    }
    const firing: Firing = { severity, evidence, backfill: input.backfill === true, handshakeShare };
    const prior = this.incidents.get(f.id);
    const wasActive = prior !== undefined && isActive(prior);
    const inc = applyFiring(cfg, { proto: obs.proto, port: obs.port }, prior, firing, f.now, f.notifications);
    this.incidents.set(f.id, inc);
    if (!wasActive && prior !== undefined && prior.id !== inc.id) this.samples.delete(prior.id);
    let sample = this.samples.get(inc.id);
    if (sample === undefined) {
      sample = new Set();
      this.samples.set(inc.id, sample);
    }
    mergeSample(sample, obs.sample_sources);
    const out = [inc, ...assignCampaign(inc, this.samples, this.activeIncidents(), cfg.campaign_jaccard)];
    return { kind: 'incident', changed: out };
  }

  /** Time-driven lifecycle steps at `now`; accepted incidents re-seed their key's baselines. */
  private tick(now: number, notifications: Notification[]): Incident[] {
    const out: Incident[] = [];
    for (const [id, inc] of this.incidents) {
      if (!isActive(inc)) {
        if (inc.resolved_at !== null && now - inc.resolved_at > this.cfg.reopen_within_ms) {
          this.incidents.delete(id);
          this.samples.delete(inc.id);
        }
        continue;
      }
      const r = tickIncident(this.cfg, inc, now, notifications);
      if (r === 'unchanged') continue;
      out.push(inc);
      if (r === 'accepted') this.reseed(id);
    }
    return out;
  }

  /** The new normal: each granularity's sources rate becomes the rate of its recent buckets. */
  private reseed(id: number): void {
    const ks = this.keys.get(id);
    if (ks === undefined) return;
    GRAN_ORDER.forEach((g, gi) => {
      const gs = ks.g[gi] as GranularityState;
      const clock = this.clocks[g];
      const w = Math.min(RECENT, Math.max(...this.cfg.granularities[g].windows));
      const exposure = clock.windowExposure(w);
      if (!(exposure > 0)) return;
      const bl = gs.baseline;
      bl.catchUp(clock.t, clock.B, clock.delta);
      const old = bl.rate(M_SOURCES);
      const fresh = gs.windowSum(clock.t, w) / exposure;
      if (old > 0) for (let m = 1; m < METRICS.length; m++) bl.a[m] = (bl.a[m] ?? 0) * (fresh / old);
      bl.a[M_SOURCES] = fresh * bl.b;
    });
  }

  /** A small integer for an operator's name (kept in the recent rings and the saved state). */
  intern(name: string): number {
    let id = this.operatorIds.get(name);
    if (id === undefined) {
      id = this.operatorNames.length;
      this.operatorNames.push(name);
      this.operatorIds.set(name, id);
    }
    return id;
  }

  /**
   * Per operator name, an estimate of its non-probation sources in the window ending at bucket t: the current
   * bucket's whole breakdown; for each earlier bucket, its largest operator's sources (kept in the ring) and the
   * rest of its sources spread like the current bucket's other operators (the rings keep no more: a persistent
   * flood keeps its make-up; a sparse window has one operator a bucket, so nothing is spread).
   */
  private windowTallies(
    obs: KeyObservation,
    gs: GranularityState,
    t: number,
    w: number,
  ): Map<string, number> {
    const cur = new Map<string, number>();
    let curTotal = 0;
    for (const s of obs.by_operator) {
      if (s.probation === true || s.sources <= 0) continue;
      cur.set(s.operator, (cur.get(s.operator) ?? 0) + s.sources);
      curTotal += s.sources;
    }
    const out = new Map(cur);
    for (let i = t - w + 1; i < t; i++) {
      const weighted = gs.countAt(i, F_WEIGHTED);
      if (weighted <= 0) continue;
      const id = gs.countAt(i, F_TOP_ID, -1);
      const name = id < 0 ? null : (this.operatorNames[id] ?? `#${id}`);
      const top = name === null ? 0 : Math.min(weighted, gs.countAt(i, F_TOP));
      if (name !== null) out.set(name, (out.get(name) ?? 0) + top);
      const rest = weighted - top;
      const base = curTotal - (name === null ? 0 : (cur.get(name) ?? 0));
      if (rest <= 0 || base <= 0) continue;
      for (const [op, x] of cur) {
        if (op !== name) out.set(op, (out.get(op) ?? 0) + (rest * x) / base);
      }
    }
    return out;
  }

  activeIncidents(): Incident[] {
    return [...this.incidents.values()].filter(isActive);
  }

  /** The operator holding more than flag_min_share of a window of at least flag_min_sources sources, or null. */
  private culpritOf(
    tallies: Map<string, number>,
    windowSources: number,
  ): { operator: string; share: number } | null {
    if (windowSources < this.cfg.flag_min_sources) return null;
    let total = 0;
    let top: string | null = null;
    let topX = 0;
    for (const [op, x] of tallies) {
      total += x;
      if (x > topX) {
        topX = x;
        top = op;
      }
    }
    if (top === null || total <= 0 || topX / total <= this.cfg.flag_min_share) return null;
    return { operator: top, share: topX / total };
  }

  /** Keeps `now` in `id`'s anomaly times, dropping those out of the flag window. */
  private remember(map: Map<string, number[]>, id: string, now: number): void {
    const times = (map.get(id) ?? []).filter((x) => x > now - this.cfg.flag_window_ms);
    times.push(now);
    map.set(id, times);
  }

  /** End of the newest bucket closed at any granularity (the engine's clock). */
  private latestNow(): number {
    let now = 0;
    for (const g of GRAN_ORDER) now = Math.max(now, (this.clocks[g].t + 1) * GRANULARITIES[g]);
    return now;
  }

  /** Ids with at least flag_after_anomalies anomalies within the flag window before the engine's clock. */
  private flagged(map: Map<string, number[]>): Array<{ id: string; anomalies: number; since: number }> {
    const from = this.latestNow() - this.cfg.flag_window_ms;
    const out: Array<{ id: string; anomalies: number; since: number }> = [];
    for (const [id, all] of map) {
      const times = all.filter((x) => x > from);
      if (times.length >= this.cfg.flag_after_anomalies) {
        out.push({ id, anomalies: times.length, since: times[0] ?? 0 });
      }
    }
    return out.sort((a, b) => b.anomalies - a.anomalies || (a.id < b.id ? -1 : 1));
  }

  flaggedOperators(): Array<{ operator: string; anomalies: number; since: number }> {
    return this.flagged(this.anomalyTimes).map(({ id, ...f }) => ({ operator: id, ...f }));
  }

  flaggedSensors(): Array<{ sensor: string; anomalies: number; since: number }> {
    return this.flagged(this.sensorAnomalyTimes).map(({ id, ...f }) => ({ sensor: id, ...f }));
  }

  threatLevel(): ThreatAssessment {
    return assessThreat(this.activeIncidents());
  }

  saveState(): Uint8Array {
    return encodeState(this.snapshot());
  }

  saveStateParts(): Iterable<Uint8Array> {
    return encodeStateParts(this.snapshot(), KEYS_PER_PART, { reuse: true });
  }

  snapshot(): EngineSnapshot {
    return {
      clocks: GRAN_ORDER.map((g) => this.clocks[g]),
      keys: this.keys,
      season: this.season,
      dispHour: this.dispHour,
      dispDay: this.dispDay,
      incidents: this.incidents,
      samples: this.samples,
      anomalyTimes: this.anomalyTimes,
      sensorAnomalyTimes: this.sensorAnomalyTimes,
      operatorHistory: this.operatorHistory,
      operatorNames: this.operatorNames,
      operatorIds: this.operatorIds,
      lastRolloverDay: this.lastRolloverDay,
    };
  }

  /** Known keys as (proto, port) pairs (diagnostics). */
  knownKeys(): Array<{ proto: string; port: number }> {
    return [...this.keys.keys()].map((id) => ({ proto: keyProto(id), port: keyPort(id) }));
  }
}

/**
 * A fresh engine, or one resumed from saveState() bytes or from saveStateParts() parts (in order).
 * @example const engine = createDetectionEngine({ alpha_scale: 0.5 }, savedBytes)
 */
export function createDetectionEngine(
  config?: EngineSettings,
  state?: Uint8Array | readonly Uint8Array[],
): Engine {
  const engine = new Engine(config);
  const parts = state === undefined ? [] : state instanceof Uint8Array ? [state] : state;
  const [first, ...rest] = parts;
  if (first !== undefined) {
    const snap = engine.snapshot();
    decodeState(first, snap);
    for (const part of rest) decodeStatePart(part, snap);
    engine.lastRolloverDay = snap.lastRolloverDay;
  }
  return engine;
}
