// Autosave for the concern form: a concern half-typed when a phone rings or a
// laptop closes must never be lost. The form works without this script (the
// "Save as draft" button); with it, drafts save a few seconds after typing stops.
const form = document.querySelector('form[data-module="concern-autosave"]')

if (form) {
  const status = document.getElementById('autosave-status')
  const csrf = form.querySelector('input[name="csrfmiddlewaretoken"]').value
  let timer = null
  let saving = false
  let dirty = false

  const save = async () => {
    if (saving) {
      dirty = true
      return
    }
    saving = true
    dirty = false
    const body = new FormData(form)
    body.delete('action')
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: 'POST',
        body,
        headers: { 'X-CSRFToken': csrf, Accept: 'application/json' },
        credentials: 'same-origin'
      })
      if (!response.ok) throw new Error(String(response.status))
      const data = await response.json()
      // From now on the draft has an address: keep saving to it and submit it.
      form.dataset.autosaveUrl = data.autosave_url
      form.action = data.edit_url
      if (window.location.pathname !== data.edit_url) {
        window.history.replaceState(null, '', data.edit_url)
      }
      status.textContent = `Draft saved at ${data.saved_at}`
    } catch (error) {
      status.textContent = 'Could not save a draft just now. Your answers are still on this page.'
    } finally {
      saving = false
      if (dirty) schedule()
    }
  }

  const schedule = () => {
    window.clearTimeout(timer)
    timer = window.setTimeout(save, 3000)
  }

  form.addEventListener('input', schedule)
  form.addEventListener('change', schedule)
  form.addEventListener('submit', () => window.clearTimeout(timer))
}
