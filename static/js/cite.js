// "Cite this": the page may have been served from a cache, so the access date in each
// citation is set to the reader's own date when the page loads.
(function () {
  "use strict";
  var months = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var mla = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.",
    "Nov.", "Dec."];
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  var d = new Date();
  var formats = {
    chicago: months[d.getMonth()] + " " + d.getDate() + ", " + d.getFullYear(),
    apa: months[d.getMonth()] + " " + d.getDate() + ", " + d.getFullYear(),
    mla: d.getDate() + " " + mla[d.getMonth()] + " " + d.getFullYear(),
    iso: d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()),
    ris: d.getFullYear() + "/" + pad(d.getMonth() + 1) + "/" + pad(d.getDate())
  };
  var spans = document.querySelectorAll(".access-date[data-style]");
  for (var i = 0; i < spans.length; i++) {
    var text = formats[spans[i].getAttribute("data-style")];
    if (text) { spans[i].textContent = text; }
  }
})();
