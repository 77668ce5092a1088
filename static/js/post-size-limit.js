// Stops a form whose text is larger than the server accepts before it is sent,
// so nothing typed is lost to a "request too large" error page. The server's
// limit is on <body data-max-post-bytes>; files are not counted (uploads have
// their own limit, checked by the server).
const limit = Number(document.body.dataset.maxPostBytes || 0)

function textBytes (form) {
  let total = 0
  const encoder = new TextEncoder()
  for (const [name, value] of new FormData(form)) {
    if (typeof value !== 'string') continue
    // URL-encoding roughly triples non-ASCII bytes; count generously.
    total += encoder.encode(name).length + encoder.encode(encodeURIComponent(value)).length + 2
  }
  return total
}

function showProblem (form, kb) {
  let summary = form.querySelector('[data-post-size-error]')
  if (!summary) {
    summary = document.createElement('div')
    summary.className = 'govuk-error-summary'
    summary.dataset.postSizeError = ''
    summary.setAttribute('role', 'alert')
    summary.tabIndex = -1
    const title = document.createElement('h2')
    title.className = 'govuk-error-summary__title'
    title.textContent = 'There is a problem'
    const body = document.createElement('div')
    body.className = 'govuk-error-summary__body'
    const text = document.createElement('p')
    text.className = 'govuk-body'
    text.textContent = `What you have typed is longer than this service accepts (${kb} KB). ` +
      'Shorten the longest text, or attach long material as a document. Nothing has been sent.'
    body.append(text)
    summary.append(title, body)
    form.prepend(summary)
  }
  summary.focus()
}

if (limit > 0) {
  document.addEventListener('submit', (event) => {
    const form = event.target
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== 'post') return
    if (textBytes(form) > limit) {
      event.preventDefault()
      showProblem(form, Math.floor(limit / 1024))
    }
  })
}
