import 'reflect-metadata';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import path from 'node:path';
import type { BrokerAdapter, Instrument, Journal, MarketDataAdapter } from '../core/index.js';
import { SyntheticDataAdapter } from '../adapters/data/synthetic/index.js';
import { CsvDataAdapter } from '../adapters/data/csv/index.js';
import { PaperBroker } from '../adapters/brokers/paper/index.js';
import { VenueBroker } from '../adapters/brokers/venue/index.js';
import type { HostConfig } from './config/load-config.js';
import { SqliteJournal } from './journal/sqlite-journal.js';
import { HostMetrics } from './metrics.js';
import { fromRoot } from './paths.js';

/** Injection tokens. The container lives in host only; plugins get what they need through their context. */
export const TOKENS = {
  Config: Symbol('Config'),
  DataDir: Symbol('DataDir'),
  Journal: Symbol('Journal'),
  MarketData: Symbol('MarketData'),
  BrokerFactory: Symbol('BrokerFactory'),
  Metrics: Symbol('Metrics'),
} as const;

/** Makes the broker once the instruments are known (the simulator needs multipliers). */
export type BrokerFactory = (instruments: ReadonlyMap<string, Instrument>) => BrokerAdapter;

/**
 * A child container for one run, with every adapter chosen by config. Registrations use factories, so nothing
 * depends on decorator metadata (tsx does not emit it). Tests override a token with `register(..., { useValue })`.
 */
export function createRunContainer(config: HostConfig, dataDir: string): DependencyContainer {
  const c = rootContainer.createChildContainer();
  c.register(TOKENS.Config, { useValue: config });
  c.register(TOKENS.DataDir, { useValue: dataDir });
  c.register<HostMetrics>(TOKENS.Metrics, { useFactory: instanceCachingFactory(() => new HostMetrics()) });
  c.register<Journal>(TOKENS.Journal, { useFactory: instanceCachingFactory(() => new SqliteJournal(path.join(dataDir, config.journal.file), { synchronous: config.journal.synchronous })) });
  c.register<MarketDataAdapter>(TOKENS.MarketData, {
    useFactory: instanceCachingFactory(() =>
      config.data.source === 'csv'
        ? new CsvDataAdapter({ catalogPath: fromRoot(config.data.catalog) })
        : new SyntheticDataAdapter({ seed: config.data.seed, start: shiftDate(config.run.start, -config.run.warmupDays - 7), end: config.run.end }),
    ),
  });
  c.register<BrokerFactory>(TOKENS.BrokerFactory, {
    useValue: (instruments) =>
      config.broker.kind === 'venue'
        ? new VenueBroker({ baseUrl: config.broker.venue.url, keyId: config.broker.venue.keyId, secretKey: config.broker.venue.secretKey, submitTimeoutMs: config.broker.venue.submitTimeoutMs })
        : new PaperBroker({ initialCash: config.run.capital, instruments: new Map(instruments), ...config.broker.paper }),
  });
  return c;
}

function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
