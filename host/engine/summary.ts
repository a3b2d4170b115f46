import { summarise } from '../../core/index.js';
import type { PluginMode } from '../../core/index.js';

export interface PluginSummary {
  readonly id: string;
  readonly mode: PluginMode;
  /** Target changes the plugin emitted (a signal is a change of target weight for an instrument). */
  readonly signals: number;
  /** Trades of its virtual book. */
  readonly trades: number;
  /** P&L of its virtual book, in account currency. */
  readonly pnl: number;
  readonly totalReturn: number;
  readonly sharpe: number;
  readonly maxDrawdown: number;
  readonly fault?: string;
  /** Why the plugin stopped trading when an input series ended. */
  readonly ended?: string;
}

export interface RunSummary {
  readonly runId: string;
  readonly mode: 'backtest' | 'paper';
  readonly cycles: number;
  readonly wallSeconds: number;
  readonly account: { readonly initialCapital: number; readonly finalEquity: number; readonly pnl: number; readonly totalReturn: number; readonly sharpe: number; readonly maxDrawdown: number };
  readonly orders: number;
  readonly fills: number;
  readonly rejectedByRisk: number;
  /** Kill-switch tier at the end of the run. */
  readonly tier: string;
  readonly plugins: readonly PluginSummary[];
}

export interface SummaryInput {
  readonly runId: string;
  readonly mode: 'backtest' | 'paper';
  readonly cycles: number;
  readonly wallSeconds: number;
  readonly accountEquity: readonly number[];
  readonly initialCapital: number;
  readonly finalEquity: number;
  readonly orders: number;
  readonly fills: number;
  readonly rejectedByRisk: number;
  readonly tier: string;
  readonly plugins: readonly { id: string; mode: PluginMode; signals: number; trades: number; equity: readonly number[]; capital: number; fault?: string | undefined; ended?: string | undefined }[];
}

/** Build the run summary: account performance and, per plugin, its virtual book's performance. */
export function summariseRun(input: SummaryInput): RunSummary {
  const accountCurve = [input.initialCapital, ...input.accountEquity];
  const account = performanceOf(accountCurve);
  return {
    runId: input.runId,
    mode: input.mode,
    cycles: input.cycles,
    wallSeconds: input.wallSeconds,
    account: { initialCapital: input.initialCapital, finalEquity: input.finalEquity, pnl: input.finalEquity - input.initialCapital, totalReturn: account.totalReturn, sharpe: account.sharpe, maxDrawdown: account.maxDrawdown },
    orders: input.orders,
    fills: input.fills,
    rejectedByRisk: input.rejectedByRisk,
    tier: input.tier,
    plugins: input.plugins.map((p) => {
      const curve = [p.capital, ...p.equity];
      const s = performanceOf(curve);
      const last = curve[curve.length - 1] as number;
      return { id: p.id, mode: p.mode, signals: p.signals, trades: p.trades, pnl: last - p.capital, totalReturn: s.totalReturn, sharpe: s.sharpe, maxDrawdown: s.maxDrawdown, ...(p.fault ? { fault: p.fault } : {}), ...(p.ended ? { ended: p.ended } : {}) };
    }),
  };
}

/**
 * Performance of an equity curve. A curve that reaches zero or below (a blown-up book) has no defined returns from
 * there on: report its total return, a 100% drawdown and a Sharpe of 0 rather than fail the run summary.
 */
function performanceOf(curve: readonly number[]): { totalReturn: number; sharpe: number; maxDrawdown: number } {
  if (curve.every((v) => v > 0)) return summarise(curve);
  const first = curve[0] as number;
  return { totalReturn: (curve[curve.length - 1] as number) / first - 1, sharpe: 0, maxDrawdown: 1 };
}

/** The summary as a fixed-width text table. */
export function renderSummary(summary: RunSummary): string {
  const header = ['plugin', 'mode', 'signals', 'trades', 'P&L', 'return', 'Sharpe', 'max DD', 'status'];
  const rows = summary.plugins.map((p) => [
    p.id,
    p.mode,
    String(p.signals),
    String(p.trades),
    money(p.pnl),
    pct(p.totalReturn),
    p.sharpe.toFixed(2),
    pct(p.maxDrawdown),
    p.fault ? 'faulted' : p.ended ? 'inputs ended' : 'ok',
  ]);
  const a = summary.account;
  rows.push(['ACCOUNT', summary.mode, '', String(summary.fills) + ' fills', money(a.pnl), pct(a.totalReturn), a.sharpe.toFixed(2), pct(a.maxDrawdown), `${summary.orders} orders`]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i <= 1 || i === 8 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(0, -1).map(line), widths.map((w) => '-'.repeat(w)).join('  '), line(rows[rows.length - 1] as string[])];
  out.push(`run ${summary.runId}: ${summary.cycles} cycles in ${summary.wallSeconds.toFixed(1)} s; ${summary.rejectedByRisk} intents rejected by risk; kill switch ${summary.tier}; per-plugin figures are on each plugin's virtual book`);
  return out.join('\n');
}

function money(v: number): string {
  return `${v < 0 ? '-' : ''}$${Math.abs(v).toLocaleString('en-US', { maximumFractionDigits: 0 })}`;
}

function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}
