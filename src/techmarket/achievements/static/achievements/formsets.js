// Rows of the filing form's formsets (completing organisations, persons, IP rights): add a row from
// the formset's empty form, remove one by ticking its DELETE box and hiding it. Without this script
// the page still works: each formset shows one blank row and a 删除此行 box per row.
(function () {
  "use strict";
  var formsets = document.querySelectorAll("[data-formset]");
  if (!formsets.length) { return; }

  function enhance(scope) {
    scope.querySelectorAll("[data-formset-remove]").forEach(function (button) { button.classList.remove("d-none"); });
    scope.querySelectorAll(".formset-delete").forEach(function (box) { box.classList.add("d-none"); });
  }

  formsets.forEach(function (fieldset) {
    fieldset.querySelectorAll("[data-formset-add]").forEach(function (button) { button.classList.remove("d-none"); });
    fieldset.querySelectorAll(".formset-nojs").forEach(function (hint) { hint.classList.add("d-none"); });
    fieldset.querySelectorAll(".formset-row").forEach(function (row) {
      var box = row.querySelector("input[name$='-DELETE']");
      if (box && box.checked) { row.hidden = true; }
    });
    enhance(fieldset);
  });

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-formset-add]");
    if (add) {
      var fieldset = document.getElementById("formset-" + add.dataset.formsetAdd);
      var total = fieldset.querySelector("input[name$='-TOTAL_FORMS']");
      var maximum = fieldset.querySelector("input[name$='-MAX_NUM_FORMS']");
      var count = parseInt(total.value, 10);
      if (count >= parseInt(maximum.value, 10)) { return; }
      var template = fieldset.querySelector("template.formset-empty");
      var rows = fieldset.querySelector(".formset-rows");
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(count)));
      total.value = String(count + 1);
      var added = rows.lastElementChild;
      enhance(added);
      var first = added.querySelector("input, select");
      if (first) { first.focus(); }
      return;
    }
    var remove = event.target.closest("[data-formset-remove]");
    if (remove) {
      var row = remove.closest(".formset-row");
      var box = row.querySelector("input[name$='-DELETE']");
      if (box) { box.checked = true; }
      row.hidden = true;
    }
  });
}());
