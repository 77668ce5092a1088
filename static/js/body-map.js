// Clicking (or pressing Enter on) a part of the body outline fills in the form's
// "front or back" and "where" answers. The form works without this script.
const form = document.querySelector('form[data-module="body-map-form"]')

if (form) {
  const regionSelect = form.querySelector('select[name="region"]')
  for (const outline of document.querySelectorAll('svg[data-body-map-side]')) {
    const side = outline.dataset.bodyMapSide
    for (const part of outline.querySelectorAll('[data-region]')) {
      const option = regionSelect.querySelector(`option[value="${part.dataset.region}"]`)
      part.setAttribute('tabindex', '0')
      part.setAttribute('role', 'button')
      part.setAttribute('aria-label', `${side === 'front' ? 'Front' : 'Back'}: ${option ? option.textContent : part.dataset.region}`)
      const choose = () => {
        form.closest('details')?.setAttribute('open', '')
        form.querySelector(`input[name="side"][value="${side}"]`).checked = true
        regionSelect.value = part.dataset.region
        form.querySelector('textarea[name="description"]').focus()
      }
      part.addEventListener('click', choose)
      part.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault()
          choose()
        }
      })
    }
  }
}
