// The body map on the concern form. Without this script the form is a list of
// marks (front or back, where, what it looks like) and an "Add another mark"
// button; with it, choosing a part of the outline (click, or Tab and Enter)
// fills in the next free mark, draws it numbered on the outline and says so in
// the live region beside the map.
const map = document.querySelector('[data-body-map-input]')

if (map) {
  const form = map.closest('form')
  const prefix = 'marks'
  const total = form.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`)
  const rowsBox = form.querySelector('[data-mark-rows]')
  const template = document.getElementById('mark-template')
  const status = map.querySelector('[data-body-map-status]')
  const svgNS = 'http://www.w3.org/2000/svg'
  map.hidden = false

  const rows = () => [...rowsBox.querySelectorAll('[data-mark-row]')]
  const field = (row, name) => row.querySelector(`[name$="-${name}"]`)
  const sideOf = (row) => row.querySelector('input[type="radio"]:checked')?.value || ''
  const removed = (row) => field(row, 'DELETE')?.checked
  const isEmpty = (row) =>
    !sideOf(row) && !field(row, 'region').value && !field(row, 'description').value.trim()

  const regionLabel = (region) => {
    const option = rowsBox.querySelector(`select option[value="${region}"]`)
    return option ? option.textContent : region
  }
  const sideLabel = (side) => (side === 'front' ? 'Front' : 'Back')

  const addRow = () => {
    const index = Number(total.value)
    const html = template.innerHTML
      .replaceAll('__prefix__', String(index))
      .replaceAll('__number__', String(index + 1))
    rowsBox.insertAdjacentHTML('beforeend', html)
    total.value = String(index + 1)
    return rowsBox.lastElementChild
  }

  // The marks, numbered as the rows are, drawn on their side's outline.
  const draw = () => {
    for (const layer of map.querySelectorAll('[data-marks]')) layer.replaceChildren()
    const placed = {}
    rows().forEach((row, index) => {
      const side = sideOf(row)
      const region = field(row, 'region').value
      if (!side || !region || removed(row)) return
      const part = map.querySelector(`svg[data-body-map-side="${side}"] [data-region="${region}"]`)
      if (!part) return
      const box = part.getBBox()
      const key = `${side}:${region}`
      const offset = (placed[key] = (placed[key] || 0) + 1) - 1
      const x = box.x + box.width / 2 + ((offset % 3) - 1) * (offset ? 5 : 0)
      const y = box.y + box.height / 2 + Math.floor(offset / 3) * 6
      const mark = document.createElementNS(svgNS, 'g')
      mark.setAttribute('class', 'app-body-map__mark')
      mark.setAttribute('aria-hidden', 'true')
      const circle = document.createElementNS(svgNS, 'circle')
      circle.setAttribute('cx', x)
      circle.setAttribute('cy', y)
      circle.setAttribute('r', '3.2')
      const text = document.createElementNS(svgNS, 'text')
      text.setAttribute('x', x)
      text.setAttribute('y', y + 1)
      text.setAttribute('text-anchor', 'middle')
      text.textContent = String(index + 1)
      mark.append(circle, text)
      part.closest('svg').querySelector('[data-marks]').append(mark)
    })
  }

  const choose = (side, region) => {
    const row = rows().find(isEmpty) || addRow()
    const number = rows().indexOf(row) + 1
    row.querySelector(`input[type="radio"][value="${side}"]`).checked = true
    field(row, 'region').value = region
    draw()
    status.textContent = `Mark ${number} added: ${sideLabel(side)}, ${regionLabel(region).toLowerCase()}. Describe it in mark ${number} below.`
    form.dispatchEvent(new Event('change')) // the autosave keeps it
    // The message and the box to describe the mark in, both in sight: on a
    // phone the outline is taller than the screen.
    const description = field(row, 'description')
    description.focus({ preventScroll: true })
    status.scrollIntoView({ block: 'start' })
    if (description.getBoundingClientRect().bottom > window.innerHeight) {
      description.scrollIntoView({ block: 'end' })
    }
  }

  for (const outline of map.querySelectorAll('svg[data-body-map-side]')) {
    const side = outline.dataset.bodyMapSide
    for (const part of outline.querySelectorAll('[data-region]')) {
      part.setAttribute('tabindex', '0')
      part.setAttribute('role', 'button')
      part.setAttribute('aria-label', `${sideLabel(side)}: ${regionLabel(part.dataset.region)}`)
      part.addEventListener('click', () => choose(side, part.dataset.region))
      part.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault()
          choose(side, part.dataset.region)
        }
      })
    }
  }

  form.querySelector('[data-add-mark]')?.addEventListener('click', (event) => {
    event.preventDefault()
    const row = addRow()
    status.textContent = `Mark ${rows().length} added: choose front or back and where, or choose on the outline.`
    row.querySelector('input[type="radio"]').focus()
  })
  rowsBox.addEventListener('change', draw)
  draw()
}
