import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import preact from '@preact/preset-vite'
import { defineConfig, type Plugin } from 'vite'
// @ts-expect-error plain ESM helper shared with the browser tests, no type declarations
import { inputStamp } from './build-stamp.mjs'

const root = dirname(fileURLToPath(import.meta.url))

/** Writes dist/.build-stamp after a successful build (see build-stamp.mjs). */
function buildStamp(): Plugin {
  return {
    name: 'aurion-build-stamp',
    apply: 'build',
    closeBundle() {
      writeFileSync(join(root, 'dist', '.build-stamp'), inputStamp() as string)
    },
  }
}

export default defineConfig({
  root,
  base: '/admin/',
  plugins: [preact(), buildStamp()],
  build: {
    outDir: join(root, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    // The CSP allows no inline scripts: keep the module preload polyfill out of the page.
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: { index: join(root, 'index.html'), preview: join(root, 'preview.html') },
    },
  },
})
