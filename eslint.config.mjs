// Must stay the first import: routes typescript-eslint to a TypeScript with a JS API (see that file).
import '@latentscape/eslint-typescript'
import nextCoreWebVitals from 'eslint-config-next/core-web-vitals'
import nextTypescript from 'eslint-config-next/typescript'
import reactThree from '@react-three/eslint-plugin'

/** Packages world-gen must never import: it is pure, deterministic TypeScript that runs in Node and in a worker too. */
const WORLD_GEN_FORBIDDEN = [
  'three',
  'three/*',
  'react',
  'react/*',
  'react-dom',
  'react-dom/*',
  '@react-three/*',
  'next',
  'next/*',
]

/** ESLint flat config: Next.js (React, hooks, a11y, TypeScript) + R3F recommended rules + layer boundaries. */
const config = [
  {
    ignores: [
      '.next/**',
      'node_modules/**',
      'out/**',
      'coverage/**',
      'public/**',
      'training/**',
      'tools/**',
      'docs/**',
      'next-env.d.ts',
    ],
  },
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    name: 'latentscape/typescript',
    files: ['**/*.{ts,tsx,mts}'],
    rules: {
      // `_` alone marks an intentionally unused binding (`for (const _ of text)`); `_name` an unused argument.
      '@typescript-eslint/no-unused-vars': ['warn', { varsIgnorePattern: '^_$', argsIgnorePattern: '^_' }],
    },
  },
  {
    name: 'latentscape/react-three',
    files: ['**/*.{ts,tsx}'],
    plugins: { '@react-three': reactThree },
    rules: { ...reactThree.configs.recommended.rules },
  },
  {
    name: 'latentscape/world-gen-purity',
    files: ['world-gen/**/*.{ts,tsx,js,mjs,cjs}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: WORLD_GEN_FORBIDDEN,
              message: 'world-gen/ is pure TypeScript: no three, React, R3F or Next.js.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'window', message: 'world-gen/ has no DOM (it also runs in Node and in a worker).' },
        { name: 'document', message: 'world-gen/ has no DOM (it also runs in Node and in a worker).' },
      ],
    },
  },
  {
    name: 'latentscape/app-server-boundary',
    files: ['app/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['three', 'three/*', '@react-three/*', '@tensorflow/*'],
              message: 'app/ never imports three or tfjs: load the 3D view through a client wrapper in components/.',
            },
          ],
        },
      ],
    },
  },
]

export default config
