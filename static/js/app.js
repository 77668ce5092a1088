// Starts GOV.UK Frontend and MOJ Frontend components. Loaded as a module from
// our own origin, so the page needs no inline script (a strict CSP holds).
import { initAll as initGovuk } from '../build/govuk-frontend.min.js'
import { initAll as initMoj } from '../build/moj-frontend.min.js'

document.body.classList.add('govuk-frontend-supported')
initGovuk()
initMoj()
