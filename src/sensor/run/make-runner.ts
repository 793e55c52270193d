/**
 * Makes the RunningInput for one config entry, by the kind of its input type (registry.ts).
 * The key names the input in saved positions and stats: `type:path` for files, `type:options` otherwise, so that
 * reordering the config keeps every input's saved position.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { InputConfig } from '../config.js';
import type { FollowPosition } from '../follow/follower.js';
import { getInput } from '../inputs/registry.js';
import type { InputOptions } from '../inputs/registry.js';
import type { PrivacyFilter } from '../privacy.js';
import type { Batcher } from './batcher.js';
import { CommandRunner } from './command-runner.js';
import { InputRunner } from './input-runner.js';
import { ListenerRunner } from './listener-runner.js';
import { PacketRunner } from './packet-runner.js';
import type { RunningInput } from './running-input.js';

export interface RunnerDeps {
  privacy: PrivacyFilter;
  batcher: Batcher;
  clock: Clock;
  logger: Logger;
  saved: Record<string, FollowPosition>;
}

export function inputKey(input: InputConfig): string {
  return `${input.type}:${input.path ?? JSON.stringify(input.options ?? {})}`;
}

export function makeRunner(input: InputConfig, deps: RunnerDeps): RunningInput {
  const def = getInput(input.type);
  const key = inputKey(input);
  const logger = deps.logger.child({ component: 'input', input: key });
  const inputOptions: InputOptions = { timezone: input.timezone, options: input.options };
  const common = { key, privacy: deps.privacy, batcher: deps.batcher, clock: deps.clock, logger };
  switch (def.kind) {
    case 'lines':
      return new InputRunner({
        ...common,
        type: input.type,
        path: input.path ?? '',
        start: input.start,
        resume: deps.saved[key],
        pollIntervalMs: input.poll_interval_ms,
        parser: def.createParser(inputOptions),
      });
    case 'packets':
      return new PacketRunner({
        ...common,
        path: input.path ?? '',
        start: input.start,
        resume: deps.saved[key],
        pollIntervalMs: input.poll_interval_ms,
        makeDecoder: () => def.createDecoder(inputOptions),
      });
    case 'command':
      return new CommandRunner({
        ...common,
        definition: def,
        inputOptions,
        start: input.start,
        resume: deps.saved[key],
      });
    case 'listener':
      return new ListenerRunner({ ...common, definition: def, inputOptions });
  }
}
