// Builds the front end into static/build/: compiles our Sass (which pulls in
// GOV.UK Frontend and MOJ Frontend from node_modules) and copies their
// precompiled JavaScript and the few assets we use. Nothing vendored is committed.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'static', 'build')
const govuk = join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
const moj = join(root, 'node_modules', '@ministryofjustice', 'frontend', 'moj')

rmSync(out, { recursive: true, force: true })
mkdirSync(join(out, 'assets', 'images'), { recursive: true })

const css = sass.compile(join(root, 'static', 'src', 'app.scss'), {
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
// Only neutral images: the favicon shapes and MOJ's icons, never the crown or crest.
cpSync(join(govuk, 'assets', 'images', 'favicon.svg'), join(out, 'assets', 'images', 'favicon.svg'))
cpSync(join(govuk, 'assets', 'images', 'favicon.ico'), join(out, 'assets', 'images', 'favicon.ico'))
cpSync(join(moj, 'assets', 'images'), join(out, 'assets', 'images'), {
  recursive: true,
  filter: (src) => !src.includes('crown')
})
console.log(`Built front end into ${out}`)
