/* @mentions in comment boxes (textareas with data-mentions): typing "@" and part of a name or email
   opens a menu of the workspace's people (the JSON in #mentionable); choosing one writes "@email " into
   the text and adds their id to the form's hidden "mentions" field. The server checks every mention. */
(function () {
  "use strict";
  var source = document.getElementById("mentionable");
  if (!source) { return; }
  var people = JSON.parse(source.textContent || "[]");
  var menu = null, box = null, matches = [], chosen = 0, start = -1;

  function close() {
    if (menu) { menu.remove(); }
    menu = null; box = null; matches = []; start = -1;
  }

  function query(area) {
    var caret = area.selectionStart, text = area.value.slice(0, caret);
    var at = text.lastIndexOf("@");
    if (at < 0 || (at > 0 && !/\s/.test(text.charAt(at - 1)))) { return null; }
    var typed = text.slice(at + 1);
    if (/\s/.test(typed) || typed.length > 60) { return null; }
    return { at: at, typed: typed.toLowerCase() };
  }

  function pick(index) {
    var person = matches[index];
    if (!person || !box) { return; }
    var area = box, caret = area.selectionStart;
    var insert = "@" + person.email + " ";
    area.value = area.value.slice(0, start) + insert + area.value.slice(caret);
    var at = start + insert.length;
    area.setSelectionRange(at, at);
    var hidden = area.form && area.form.elements.mentions;
    if (hidden) {
      var ids = hidden.value ? hidden.value.split(",") : [];
      if (ids.indexOf(String(person.id)) < 0) { ids.push(String(person.id)); }
      hidden.value = ids.join(",");
    }
    close();
    area.focus();
  }

  function render() {
    menu.innerHTML = "";
    matches.forEach(function (person, index) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", index === chosen ? "true" : "false");
      item.setAttribute("data-testid", "mention-option");
      item.textContent = person.name ? person.name + " <" + person.email + ">" : person.email;
      item.addEventListener("mousedown", function (event) { event.preventDefault(); pick(index); });
      menu.appendChild(item);
    });
  }

  function open(area, found) {
    matches = people.filter(function (person) {
      return !found.typed || person.email.toLowerCase().indexOf(found.typed) >= 0
        || (person.name || "").toLowerCase().indexOf(found.typed) >= 0;
    }).slice(0, 8);
    if (!matches.length) { close(); return; }
    if (!menu) {
      menu = document.createElement("ul");
      menu.className = "mention-menu";
      menu.setAttribute("role", "listbox");
      menu.setAttribute("data-testid", "mention-menu");
      document.body.appendChild(menu);
    }
    box = area; start = found.at; chosen = Math.min(chosen, matches.length - 1);
    var rect = area.getBoundingClientRect();
    menu.style.left = (window.scrollX + rect.left) + "px";
    menu.style.top = (window.scrollY + rect.bottom + 2) + "px";
    render();
  }

  document.addEventListener("input", function (event) {
    var area = event.target;
    if (!area.matches || !area.matches("textarea[data-mentions]")) { return; }
    var found = query(area);
    if (found) { chosen = 0; open(area, found); } else { close(); }
  });
  document.addEventListener("keydown", function (event) {
    if (!menu || event.target !== box) { return; }
    if (event.key === "ArrowDown") { chosen = (chosen + 1) % matches.length; render(); event.preventDefault(); }
    else if (event.key === "ArrowUp") { chosen = (chosen + matches.length - 1) % matches.length; render(); event.preventDefault(); }
    else if (event.key === "Enter" || event.key === "Tab") { pick(chosen); event.preventDefault(); }
    else if (event.key === "Escape") { close(); }
  });
  document.addEventListener("focusout", function (event) { if (event.target === box) { setTimeout(close, 150); } });
})();
