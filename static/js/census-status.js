// The census return's status page updates itself while the return is built.
// Without this script the page still works: it shows the status when loaded and
// a "Refresh this page" link. With it, the page asks the server every few
// seconds, moves the progress bar and announces the change through an aria-live
// region; when the return is finished it offers the download and a link to the
// checks, which the page shows once it is loaded again.
const root = document.querySelector('[data-module="census-status"]')

if (root) {
  const url = root.dataset.statusUrl
  const tag = root.querySelector('[data-census-tag]')
  const message = root.querySelector('[data-census-message]')
  const bar = root.querySelector('[data-census-progress]')
  const download = root.querySelector('[data-census-download]')
  const report = root.querySelector('[data-census-report]')
  const refresh = root.querySelector('[data-census-refresh]')
  const tagClass = {
    queued: 'govuk-tag--grey',
    building: 'govuk-tag--blue',
    ready: 'govuk-tag--green',
    failed: 'govuk-tag--red'
  }
  let delay = 2000

  const show = (state) => {
    const strong = document.createElement('strong')
    strong.className = `govuk-tag ${tagClass[state.status] || 'govuk-tag--grey'}`
    strong.textContent = state.label
    tag.replaceChildren(strong)
    if (message.textContent !== state.message) message.textContent = state.message
    if (bar) {
      bar.value = state.progress
      bar.textContent = `${state.progress}%`
    }
    if (state.download_url) {
      download.querySelector('a').href = state.download_url
      download.hidden = false
    }
    if (state.finished) {
      if (report) report.hidden = false
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
      show(state)
      if (state.finished) return
      delay = 2000
    } catch (error) {
      // A hiccup slows the polling, never stops it.
      delay = Math.min(delay * 2, 30000)
    }
    window.setTimeout(poll, delay)
  }

  if (root.dataset.finished !== 'true') window.setTimeout(poll, 1000)
}
