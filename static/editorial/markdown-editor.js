/*
 * Markdown toolbar and live preview for section bodies in the admin.
 *
 * The preview is rendered by the server with the public pages' renderer and sanitiser
 * (apps.articles.markdown.render), so what the editor sees is what readers get. The HTML
 * that comes back is already sanitised; it is the same HTML the article page shows.
 */
(function () {
  "use strict";

  var BUTTONS = [
    { label: "B", title: "Bold", before: "**", after: "**", placeholder: "bold text" },
    { label: "I", title: "Italic", before: "_", after: "_", placeholder: "italic text" },
    { label: "H3", title: "Subheading", line: "### ", placeholder: "Subheading" },
    { label: "Link", title: "Link", before: "[", after: "](https://)", placeholder: "link text" },
    { label: "• List", title: "Bulleted list", line: "- ", placeholder: "item" },
    { label: "1. List", title: "Numbered list", line: "1. ", placeholder: "item" },
    { label: "Quote", title: "Quotation", line: "> ", placeholder: "quotation" },
    { label: "Footnote", title: "Footnote", before: "[^1]", after: "\n\n[^1]: ", placeholder: "" },
    {
      label: "Table",
      title: "Table",
      block: "| Column | Column |\n| --- | --- |\n| Cell | Cell |\n",
    },
  ];
  var DELAY = 400;

  function csrfToken(textarea) {
    var form = textarea.form;
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function apply(textarea, button) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var text = textarea.value;
    var selected = text.slice(start, end);
    var insert;
    if (button.block) {
      insert = (start > 0 && text[start - 1] !== "\n" ? "\n\n" : "") + button.block;
    } else if (button.line) {
      var lines = (selected || button.placeholder).split("\n");
      insert = lines.map(function (line) { return button.line + line; }).join("\n");
      if (start > 0 && text[start - 1] !== "\n") {
        insert = "\n" + insert;
      }
    } else {
      insert = button.before + (selected || button.placeholder) + button.after;
    }
    textarea.setRangeText(insert, start, end, "end");
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function attach(textarea) {
    if (textarea.dataset.markdownReady || textarea.id.indexOf("__prefix__") !== -1) {
      return;
    }
    textarea.dataset.markdownReady = "1";
    var wrapper = document.createElement("div");
    wrapper.className = "md-editor";
    var toolbar = document.createElement("div");
    toolbar.className = "md-editor__toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Markdown formatting");
    BUTTONS.forEach(function (button) {
      var element = document.createElement("button");
      element.type = "button";
      element.textContent = button.label;
      element.title = button.title;
      element.setAttribute("aria-label", button.title);
      element.addEventListener("click", function () { apply(textarea, button); });
      toolbar.appendChild(element);
    });
    var previewBox = document.createElement("div");
    var label = document.createElement("p");
    label.className = "md-editor__preview-label";
    label.textContent = "Preview, as readers will see it";
    var preview = document.createElement("div");
    preview.className = "md-editor__preview";
    preview.setAttribute("aria-live", "polite");
    preview.dataset.previewFor = textarea.id;
    previewBox.appendChild(label);
    previewBox.appendChild(preview);

    textarea.parentNode.insertBefore(wrapper, textarea);
    wrapper.appendChild(toolbar);
    wrapper.appendChild(textarea);
    wrapper.appendChild(previewBox);

    var url = textarea.dataset.previewUrl;
    var timer = null;
    var sequence = 0;
    function refresh() {
      if (!url) {
        return;
      }
      var mine = ++sequence;
      var body = new URLSearchParams();
      body.append("text", textarea.value);
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea) },
        body: body,
      })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (mine !== sequence) {
            return;
          }
          if (data.error) {
            preview.textContent = data.error;
          } else {
            preview.innerHTML = data.html; // sanitised by the server's allow-list
          }
        })
        .catch(function () {
          preview.textContent = "The preview is unavailable; your text is unaffected.";
        });
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, DELAY);
    });
    refresh();
  }

  function attachAll(root) {
    root.querySelectorAll("textarea[data-markdown-editor]").forEach(attach);
  }

  document.addEventListener("DOMContentLoaded", function () { attachAll(document); });
  // Django's admin fires this when "Add another Section" adds a row.
  document.addEventListener("formset:added", function (event) { attachAll(event.target); });
})();
