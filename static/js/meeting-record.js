// Autosave for the chair's record: minutes typed during a meeting must survive
// a closed lid or a crashed browser. The form works without this script (the
// "Save the record" button); with it, the record saves a few seconds after
// typing stops and once more as the page is left.
const form = document.querySelector('form[data-module="meeting-record"]')

if (form) {
  const status = document.getElementById('record-autosave-status')
  const csrf = form.querySelector('input[name="csrfmiddlewaretoken"]').value
  const version = form.querySelector('input[name="version"]')
  let timer = null
  let saving = false
  let dirty = false
  let stopped = false

  const payload = () => {
    const body = new FormData(form)
    body.set('autosave', '1')
    return body
  }

  const save = async () => {
    if (stopped) return
    if (saving) {
      dirty = true
      return
    }
    saving = true
    dirty = false
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        body: payload(),
        headers: { 'X-CSRFToken': csrf, Accept: 'application/json' },
        credentials: 'same-origin'
      })
      const data = await response.json()
      if (response.status === 409) {
        stopped = true
        status.textContent = data.error
        return
      }
      if (!response.ok) throw new Error(data.error || String(response.status))
      version.value = data.version
      status.textContent = `Saved at ${data.saved_at}`
    } catch (error) {
      status.textContent = `Not saved just now: ${error.message}. Your typing is still on this page.`
    } finally {
      saving = false
      if (dirty) schedule()
    }
  }

  const schedule = () => {
    dirty = true
    window.clearTimeout(timer)
    timer = window.setTimeout(save, 2000)
  }

  form.addEventListener('input', schedule)
  form.addEventListener('change', schedule)
  form.addEventListener('submit', () => {
    window.clearTimeout(timer)
    stopped = true
  })
  // Leaving with unsaved typing: send it as the page goes.
  window.addEventListener('pagehide', () => {
    if (dirty && !saving && !stopped) navigator.sendBeacon(form.action, payload())
  })
}
