// Faktory Desktop Web UI: select-all boxes, confirmations, and copy as JSON. No inline script
// anywhere (the Content-Security-Policy forbids it), so every behaviour is wired up here.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const all of document.querySelectorAll("input.select-all")) {
    const form = all.closest("form");
    const boxes = () => form.querySelectorAll("tbody input[type=checkbox]");
    all.addEventListener("change", () => {
      for (const box of boxes()) box.checked = all.checked;
      updateSelection(form);
    });
    form.addEventListener("change", () => updateSelection(form));
    updateSelection(form);
  }

  document.addEventListener("submit", (event) => {
    const button = event.submitter;
    const text = button && button.dataset.confirm;
    if (text && !window.confirm(text)) event.preventDefault();
  });

  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", () => copyText(button.dataset.copy));
  }
});

// Buttons that act on the selection are disabled while nothing is selected.
function updateSelection(form) {
  const any = form.querySelector("tbody input[type=checkbox]:checked") !== null;
  for (const button of form.querySelectorAll("button[data-needs-selection]")) {
    button.disabled = !any;
  }
}

function copyText(id) {
  const source = document.getElementById(id);
  const done = () => {
    const note = document.getElementById(id + "-copied");
    if (note) { note.hidden = false; setTimeout(() => { note.hidden = true; }, 1500); }
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.textContent).then(done, () => selectAndCopy(source, done));
  } else {
    selectAndCopy(source, done);
  }
}

function selectAndCopy(element, done) {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  if (document.execCommand("copy")) done();
}
