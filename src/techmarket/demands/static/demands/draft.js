// Keeps what the user typed in this browser until the form is saved: a phone that locks or loses
// signal mid-way must not lose a half-written demand.
(function () {
  "use strict";
  var form = document.getElementById("demand-form");
  if (!form || !window.localStorage) { return; }
  var key = "techmarket:" + form.dataset.draftKey;
  var fields = form.querySelectorAll("input[type=text], input[type=email], input[type=number], input[type=date], input:not([type]), textarea");
  var saved = null;
  try { saved = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
  var hasErrors = form.querySelector(".is-invalid, .invalid-feedback") !== null;
  if (saved && !hasErrors) {
    fields.forEach(function (field) {
      if (field.name && saved[field.name] && !field.value) { field.value = saved[field.name]; }
    });
  }
  form.addEventListener("input", function () {
    var data = {};
    fields.forEach(function (field) { if (field.name && field.name !== "csrfmiddlewaretoken") { data[field.name] = field.value; } });
    window.localStorage.setItem(key, JSON.stringify(data));
  });
  form.addEventListener("submit", function () { window.localStorage.removeItem(key); });
}());
