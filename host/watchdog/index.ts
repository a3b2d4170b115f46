export { HeartbeatWriter, readHeartbeat, processAlive, HEARTBEAT_FILE, DEFAULT_HEARTBEAT_INTERVAL_MS, type Heartbeat, type HeartbeatReading, type HeartbeatWriterOptions } from './heartbeat.js';
export { Watchdog, DEFAULT_WATCHDOG_DEADLINE_MS, DEFAULT_WATCHDOG_POLL_MS, type WatchdogCheck, type WatchdogOptions } from './watchdog.js';
export { cancelAndFlatten, type FlattenOrderLine, type FlattenReport, type FlattenTarget } from './flatten.js';
export { watchdogCommand, type WatchdogCommandOptions } from './watchdog-command.js';
