// Builds the front end into static/build/: compiles our Sass (which pulls in
// GOV.UK Frontend and MOJ Frontend from node_modules) and copies their
// precompiled JavaScript and the few assets we use. Nothing vendored is committed.
//
// Run with `npm run build` after `npm ci`. Safeguard is not a GOV.UK or MOJ
// service: the favicons are our own (static/src/favicon.*), and no crown, crest
// or departmental logotype is copied.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(root, 'static', 'src')
const out = join(root, 'static', 'build')
const images = join(out, 'assets', 'images')
const govuk = join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
const moj = join(root, 'node_modules', '@ministryofjustice', 'frontend', 'moj')
const staticUrl = '/static/'

for (const dir of [govuk, moj]) {
  if (!existsSync(dir)) {
    console.error(`Missing ${dir}: run \`npm ci\` first.`)
    process.exit(1)
  }
}

rmSync(out, { recursive: true, force: true })
mkdirSync(images, { recursive: true })

const css = sass.compile(join(src, 'app.scss'), {
  loadPaths: [root],
  style: 'compressed',
  quietDeps: true,
  silenceDeprecations: ['import'],
  // MOJ Frontend still calls GOV.UK mixins that GOV.UK has deprecated; those
  // warnings are theirs to fix. Anything else is shown.
  logger: {
    warn: (message) => {
      if (!message.includes('is deprecated')) console.warn(message)
    }
  }
})
writeFileSync(join(out, 'app.css'), css.css)

cpSync(join(govuk, 'govuk-frontend.min.js'), join(out, 'govuk-frontend.min.js'))
cpSync(join(moj, 'moj-frontend.min.js'), join(out, 'moj-frontend.min.js'))

// Our own neutral favicons (GOV.UK's favicons are the crown).
cpSync(join(src, 'favicon.svg'), join(images, 'favicon.svg'))
cpSync(join(src, 'favicon.ico'), join(images, 'favicon.ico'))

// MOJ's component icons (search, sort arrows, alerts...), never a logo.
const branded = /crown|crest|logotype|apple-touch|opengraph|govuk-icon/
cpSync(join(moj, 'assets', 'images'), images, {
  recursive: true,
  filter: (path) => !branded.test(basename(path))
})

// Every image the stylesheet points at must exist, or the production
// collectstatic (ManifestStaticFilesStorage) fails on a missing reference.
const missing = [...css.css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)]
  .map((match) => match[1])
  .filter((url) => url.startsWith(staticUrl))
  .filter((url) => !existsSync(join(root, 'static', url.slice(staticUrl.length))))
if (missing.length) {
  console.error(`app.css refers to files the build does not provide:\n  ${[...new Set(missing)].join('\n  ')}`)
  process.exit(1)
}

console.log(`Built front end into ${out}`)
