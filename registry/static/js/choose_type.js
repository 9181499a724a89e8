// Progressive enhancement of the new-application page: choosing a type (or, for a change, its kind)
// opens its form at once. Without JavaScript the "下一步" button does the same.
(function () {
  var forms = document.querySelectorAll("form.choose-step");
  Array.prototype.forEach.call(forms, function (form) {
    var select = form.querySelector("select");
    if (select) {
      select.addEventListener("change", function () { if (select.value) { form.submit(); } });
    }
  });
})();
