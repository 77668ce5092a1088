// Warns before an idle session ends (GOV.UK timeout warning pattern), so
// nobody loses a half-written record to a silent sign-out.
const body = document.body
const seconds = Number(body.dataset.sessionSeconds || 0)
// Two minutes of warning, or as much as a very short session allows.
const warnBefore = Math.min(120, Math.max(seconds - 4, 1))
const dialog = document.getElementById('session-timeout-dialog')

if (seconds > 0 && dialog) {
  const countdown = dialog.querySelector('[data-countdown]')
  const stay = dialog.querySelector('[data-stay-signed-in]')
  const csrf = dialog.querySelector('input[name="csrfmiddlewaretoken"]').value
  let warnTimer = null
  let endTimer = null
  let tick = null

  const schedule = () => {
    window.clearTimeout(warnTimer)
    window.clearTimeout(endTimer)
    window.clearInterval(tick)
    warnTimer = window.setTimeout(warn, (seconds - warnBefore) * 1000)
    endTimer = window.setTimeout(signedOut, seconds * 1000)
  }

  const warn = () => {
    let left = warnBefore
    countdown.textContent = `${left} seconds`
    tick = window.setInterval(() => {
      left -= 1
      // Announce minutes, not every second, so screen readers are not flooded.
      if (left % 30 === 0 || left <= 10) countdown.textContent = `${left} seconds`
    }, 1000)
    if (!dialog.open) dialog.showModal()
  }

  const signedOut = () => {
    window.location.href = `${dialog.dataset.loginUrl}?timeout=1&next=${encodeURIComponent(window.location.pathname)}`
  }

  stay.addEventListener('click', async () => {
    const response = await fetch(dialog.dataset.keepAliveUrl, {
      method: 'POST',
      headers: { 'X-CSRFToken': csrf },
      credentials: 'same-origin'
    })
    if (response.ok) {
      dialog.close()
      schedule()
    } else {
      signedOut()
    }
  })

  schedule()
}
