// Tag suggestions for the admin's comma-separated tag field: the last word typed is looked up
// among existing tags and offered through a <datalist>, so editors reuse tags instead of
// inventing near-duplicates. New tags can still be typed freely.
(function () {
  "use strict";

  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.dataset.suggestUrl;
    var timer = null;
    var last = null;

    function refresh() {
      var value = input.value;
      var cut = value.lastIndexOf(",");
      var prefix = cut === -1 ? "" : value.slice(0, cut + 1) + " ";
      var word = value.slice(cut + 1).trim();
      if (word === last) return;
      last = word;
      if (!word) {
        list.replaceChildren();
        return;
      }
      fetch(url + "?q=" + encodeURIComponent(word), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          var options = data.results.map(function (name) {
            var option = document.createElement("option");
            option.value = prefix + name + ", ";
            option.label = name;
            return option;
          });
          list.replaceChildren.apply(list, options);
        })
        .catch(function () { list.replaceChildren(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 150);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-suggest-url]").forEach(attach);
  });
})();
