import { ShError } from '../../core/index.js';
import type { PaperBrokerOptions } from '../../adapters/brokers/paper/index.js';
import type { VenueSettings, VenueSettingsInput } from './venue-types.js';

/** The paper broker's defaults (adapters/brokers/paper/README.md), so a venue and a PaperBroker agree out of the box. */
export const DEFAULT_VENUE_SETTINGS: Required<VenueSettingsInput> = {
  currency: 'USD',
  initialCash: 1_000_000,
  commissionPerShare: 0.005,
  minimumCommission: 1,
  halfSpreadBps: 2,
  slippageBps: 1,
  impactCoefficient: 0.1,
  maxParticipation: 0.1,
  latencyMs: 0,
  initialDailyVolatility: 0.01,
  volatilityDecay: 0.94,
};

const KEYS = Object.keys(DEFAULT_VENUE_SETTINGS) as (keyof VenueSettingsInput)[];

/** What a new data dir is stamped with besides the settings. */
export interface VenueIdentity {
  readonly accountId: string;
  readonly accountNumber: string;
  readonly createdAt: number;
}

/**
 * The settings to run with. A new data dir takes the input over the defaults; an existing one keeps what it was
 * created with, and an input that differs from it is refused (SH_ERR_VENUE_SETTINGS_CONFLICT, every difference listed):
 * replaying the journal with another cost model would not rebuild the same state.
 */
export function resolveSettings(stored: VenueSettings | undefined, input: VenueSettingsInput, identity: () => VenueIdentity): VenueSettings {
  const given = normalise(input);
  if (stored === undefined) return { ...identity(), ...DEFAULT_VENUE_SETTINGS, ...given };
  const problems = KEYS.filter((key) => given[key] !== undefined && given[key] !== stored[key]).map(
    (key) =>
      new ShError('SH_ERR_VENUE_SETTINGS_CONFLICT', `${key} differs from the data dir's`, {
        where: `venue setting ${key}`,
        received: given[key],
        expected: `${JSON.stringify(stored[key])}, the value the data dir was created with`,
      }),
  );
  if (problems.length > 0) {
    throw new ShError('SH_ERR_VENUE_SETTINGS_CONFLICT', `the venue data dir was created with other settings (${problems.length} differ)`, { where: 'venue settings' }, problems);
  }
  return stored;
}

/** The PaperBroker options these settings stand for. */
export function paperOptions(settings: VenueSettings, id: string): PaperBrokerOptions {
  return {
    id,
    initialCash: settings.initialCash,
    currency: settings.currency,
    commissionPerShare: settings.commissionPerShare,
    minimumCommission: settings.minimumCommission,
    halfSpreadBps: settings.halfSpreadBps,
    slippageBps: settings.slippageBps,
    impactCoefficient: settings.impactCoefficient,
    maxParticipation: settings.maxParticipation,
    latencyMs: settings.latencyMs,
    initialDailyVolatility: settings.initialDailyVolatility,
    volatilityDecay: settings.volatilityDecay,
    // A listener of the venue that throws is a venue bug: fail the request that caused it, loudly.
    onListenerError: (error) => {
      throw error;
    },
  };
}

function normalise(input: VenueSettingsInput): VenueSettingsInput {
  const out: Record<string, unknown> = {};
  for (const key of KEYS) if (input[key] !== undefined) out[key] = input[key];
  // JSON has no Infinity: the paper broker's two spellings of "no cap" are stored as 0.
  if (out.maxParticipation === Infinity) out.maxParticipation = 0;
  return out as VenueSettingsInput;
}
