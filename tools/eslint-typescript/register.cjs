// typescript-eslint needs TypeScript's JS compiler API, which TypeScript 7 (the project's `tsc`) no longer ships.
// Imported first by eslint.config.mjs: inside the ESLint process only, `require('typescript')` resolves to the
// TypeScript 6 installed next to this file. Type-checking stays on TypeScript 7 (`npm run typecheck`).
const Module = require('node:module')

const TYPESCRIPT_6 = require.resolve('typescript')
const resolveFilename = Module._resolveFilename

Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, request === 'typescript' ? TYPESCRIPT_6 : request, ...rest)
}
