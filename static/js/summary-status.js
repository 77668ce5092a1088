// The PDF summary's status page updates itself while the summary is produced.
// Without this script the page still works: it shows the status when loaded and
// a "Refresh this page" link. With it, the page asks the server every few
// seconds and announces the change through an aria-live region.
const root = document.querySelector('[data-module="summary-status"]')

if (root) {
  const url = root.dataset.statusUrl
  const tag = root.querySelector('[data-summary-tag]')
  const message = root.querySelector('[data-summary-message]')
  const download = root.querySelector('[data-summary-download]')
  const again = root.querySelector('[data-summary-again]')
  const refresh = root.querySelector('[data-summary-refresh]')
  const tagClass = {
    queued: 'govuk-tag--grey',
    rendering: 'govuk-tag--blue',
    ready: 'govuk-tag--green',
    failed: 'govuk-tag--red',
    expired: 'govuk-tag--grey'
  }
  let delay = 2000
  let last = null

  const show = (state) => {
    const strong = document.createElement('strong')
    strong.className = `govuk-tag ${tagClass[state.status] || 'govuk-tag--grey'}`
    strong.textContent = state.label
    tag.replaceChildren(strong)
    // Only a change is announced: screen readers should not hear the same news twice.
    if (message.textContent !== state.message) message.textContent = state.message
    if (state.download_url) {
      download.querySelector('a').href = state.download_url
      download.hidden = false
    }
    if (state.finished || state.status === 'expired') {
      if (again) again.hidden = false
      if (refresh) refresh.hidden = true
    }
  }

  const poll = async () => {
    try {
      const response = await fetch(url, {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store'
      })
      if (!response.ok) throw new Error(String(response.status))
      const state = await response.json()
      if (state.status !== last) {
        last = state.status
        show(state)
      }
      if (state.finished) return
      delay = 2000
    } catch (error) {
      // A hiccup (a restart, a dropped connection) slows the polling, never stops it.
      delay = Math.min(delay * 2, 30000)
    }
    window.setTimeout(poll, delay)
  }

  if (root.dataset.finished !== 'true') window.setTimeout(poll, 1000)
}
