// Progressive enhancement of the new-application page: choosing a type opens its form at once.
// Without JavaScript the "下一步" button does the same.
(function () {
  var form = document.getElementById("choose-type");
  var select = document.getElementById("id_application_type");
  if (form && select) {
    select.addEventListener("change", function () { if (select.value) { form.submit(); } });
  }
})();
