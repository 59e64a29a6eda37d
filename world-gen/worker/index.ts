/** Public API of the generation worker logic (the worker entry itself is `gen.worker.ts`). */
export { createGenHandler, cropField, type GenEngine, type GenHandler, type GenHandlerDeps } from './handler'
