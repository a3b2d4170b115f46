// The pool's worker entry: registers tsx in this thread so the TypeScript worker and plugin modules load as they are.
// (`--import tsx` in execArgv loads the entry but not modules the worker imports dynamically on Node 20.)
import { register } from 'tsx/esm/api';

register();
const mod = await import('./worker.ts');
export default mod.default;
